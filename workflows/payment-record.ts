import type { CardSummary } from '../domain/card';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { MerchantEventType, PaymentEventData } from '../domain/merchant-event';
import { canTransition, FIRST_OUTCOME_STATUSES, type PaymentStatus } from '../domain/payment-status';
import { MerchantEventPublisher } from './merchant-event-emitter';
import type { PaymentWorkflowInput, PaymentView, NextAction, PaymentFailure, PaymentTransition } from './payment-types';
import { countPaymentStarted, countPaymentTransition } from './payment-metrics';
import { PaymentRefunds } from './payment-refunds';
import { PaymentStatusKey } from './search-attributes';

/** The status changes a merchant acts on, and the event each one becomes. */
const EVENT_OF_STATUS: Partial<Record<PaymentStatus, MerchantEventType>> = {
  PENDING_ACTION: 'payment.action_required',
  COMPLETE: 'payment.completed',
  DECLINED: 'payment.declined',
  FAILED: 'payment.failed',
  EXPIRED: 'payment.expired',
  CANCELLED: 'payment.cancelled',
  REFUNDED: 'payment.refunded',
};

/**
 * The payment's state inside the workflow. Every transition is checked against the state machine, recorded
 * with its time, and mirrored to the PaymentStatus search attribute so the Web UI and listings stay current.
 */
export class PaymentRecord {
  status: PaymentStatus = 'CREATED';
  providerPaymentId?: string;
  nextAction?: NextAction;
  failure?: PaymentFailure;
  refundedMinor = 0;
  waitingFor?: string;
  /** The card as the provider reports it, where the request had none (a hosted form). */
  card?: CardSummary;
  readonly refunds: PaymentRefunds;
  private readonly transitions: PaymentTransition[];
  /** Events published so far: each event's `sequence`, so receivers can drop stale ones. */
  private eventSequence = 0;
  /** What the last refund event reported as refunded: the next one carries the difference. */
  private refundedMinorReported = 0;
  private readonly events = new MerchantEventPublisher();

  constructor(private readonly input: PaymentWorkflowInput) {
    this.transitions = [{ status: 'CREATED', at: new Date().toISOString() }];
    this.refunds = new PaymentRefunds(input.request.paymentId, input.request.currency);
    countPaymentStarted(input.request.provider);
  }

  /** No event is on its way to the merchant's log: the run may close. */
  get eventsPublished(): boolean {
    return this.events.idle;
  }

  get firstOutcomeKnown(): boolean {
    return FIRST_OUTCOME_STATUSES.includes(this.status);
  }

  get remainingMinor(): number {
    return this.input.request.amountMinor - this.refundedMinor;
  }

  /** What a new refund may take: pending refunds count as if they had succeeded. */
  get refundableMinor(): number {
    return this.remainingMinor - this.refunds.pendingMinor;
  }

  /** `quiet`: no merchant event (a payment superseded before it ran was never the merchant's news). */
  moveTo(status: PaymentStatus, note?: string, { quiet = false }: { quiet?: boolean } = {}): void {
    if (status === this.status) return;
    if (!canTransition(this.status, status)) {
      throw new Error(`payment cannot move from ${this.status} to ${status}`);
    }
    countPaymentTransition(this.input.request.provider, this.status, status);
    this.status = status;
    this.transitions.push({ status, at: new Date().toISOString(), ...(note ? { note } : {}) });
    if (status !== 'PENDING_ACTION') this.nextAction = undefined;
    upsertSearchAttributes([{ key: PaymentStatusKey, value: status }]);
    const eventType = EVENT_OF_STATUS[status];
    if (eventType && !quiet) this.publish(eventType);
  }

  /** A refund that left part of the amount: the payment stays COMPLETE, and the merchant hears of the refund. */
  refundedInPart(refundId?: string): void {
    this.publish('payment.refunded', refundId);
  }

  private publish(type: MerchantEventType, refundId?: string): void {
    const { request } = this.input;
    const card = this.card ?? request.card;
    const data: PaymentEventData = {
      object: 'payment',
      paymentId: request.paymentId,
      reference: request.reference,
      sequence: this.eventSequence + 1,
      status: this.status,
      provider: request.provider,
      amountMinor: request.amountMinor,
      currency: request.currency,
      refundedMinor: this.refundedMinor,
      // Brand and last four only, whatever else the summary may one day hold (none yet on a hosted form).
      ...(card ? { card: { brand: card.brand, last4: card.last4 } } : {}),
      ...(this.nextAction ? { nextAction: { ...this.nextAction } } : {}),
      ...(this.failure ? { failure: { ...this.failure } } : {}),
      ...(this.input.owner ? { reservationId: this.input.owner.reservationId } : workflowInfo().parent ? { reservationId: workflowInfo().parent?.workflowId } : {}),
    };
    if (type === 'payment.refunded') {
      const id = refundId ?? this.refunds.views().filter((refund) => refund.status === 'SUCCEEDED').at(-1)?.id;
      data.refund = { ...(id ? { id } : {}), amountMinor: this.refundedMinor - this.refundedMinorReported, partial: this.remainingMinor > 0 };
    }
    if (!this.events.emit(request.merchantId, data.sequence, type, data)) return;
    this.eventSequence = data.sequence;
    if (type === 'payment.refunded') this.refundedMinorReported = this.refundedMinor;
  }

  /** Something worth an operator's eye that is not a status change (a partial refund, a failed status check). */
  note(text: string): void {
    this.transitions.push({ status: this.status, at: new Date().toISOString(), note: text });
  }

  waitFor(description: string | undefined): void {
    this.waitingFor = description;
    setCurrentDetails(description ? `Waiting for ${description}` : `Payment ${this.status}`);
  }

  view(): PaymentView {
    const { request, requestFingerprint } = this.input;
    return {
      paymentId: request.paymentId,
      merchantId: request.merchantId,
      reference: request.reference,
      provider: request.provider,
      amountMinor: request.amountMinor,
      currency: request.currency,
      card: this.card ?? request.card,
      status: this.status,
      providerPaymentId: this.providerPaymentId,
      nextAction: this.nextAction,
      failure: this.failure,
      refundedMinor: this.refundedMinor,
      refundableMinor: this.status === 'COMPLETE' ? Math.max(0, this.refundableMinor) : 0,
      refunds: this.refunds.views(),
      waitingFor: this.waitingFor,
      requestFingerprint,
      transitions: [...this.transitions],
    };
  }
}
