import type { CardSummary } from '../domain/card';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { canTransition, FIRST_OUTCOME_STATUSES, type PaymentStatus } from '../domain/payment-status';
import type { PaymentWorkflowInput, PaymentView, NextAction, PaymentFailure, PaymentTransition } from './payment-types';
import { countPaymentStarted, countPaymentTransition } from './payment-metrics';
import { PaymentRefunds } from './payment-refunds';
import { PaymentStatusKey } from './search-attributes';

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

  constructor(private readonly input: PaymentWorkflowInput) {
    this.transitions = [{ status: 'CREATED', at: new Date().toISOString() }];
    this.refunds = new PaymentRefunds(input.request.paymentId, input.request.currency);
    countPaymentStarted(input.request.provider);
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

  moveTo(status: PaymentStatus, note?: string): void {
    if (status === this.status) return;
    if (!canTransition(this.status, status)) {
      throw new Error(`payment cannot move from ${this.status} to ${status}`);
    }
    countPaymentTransition(this.input.request.provider, this.status, status);
    this.status = status;
    this.transitions.push({ status, at: new Date().toISOString(), ...(note ? { note } : {}) });
    if (status !== 'PENDING_ACTION') this.nextAction = undefined;
    upsertSearchAttributes([{ key: PaymentStatusKey, value: status }]);
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
