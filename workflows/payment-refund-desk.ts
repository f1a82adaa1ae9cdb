import { ApplicationFailure, condition, sleep, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/payment-activities';
import type { ProviderPaymentHandle } from '../activities/provider-adapter';
import type { PaymentRequest } from '../domain/payment-request';
import { describeDuration } from './describe-duration';
import { failureMessage, isRefusal } from './payment-failures';
import type { PaymentRecord } from './payment-record';
import type { RefundEntry } from './payment-refunds';
import type { PaymentOwnTiming } from './payment-types';
import { CANCEL_REFUND_ID } from './refund-types';

/** What the refund desk reads of its payment. */
export interface RefundDeskPayment {
  readonly record: PaymentRecord;
  readonly request: PaymentRequest;
  readonly label: string;
  readonly timing: PaymentOwnTiming;
  /** Where refunds go at the provider; undefined when nothing was created there. */
  readonly handle: ProviderPaymentHandle | undefined;
  /** False once the refund window is over or the payment was cancelled. */
  readonly acceptingRefunds: boolean;
  provider(summary: string): ActivityInterfaceFor<PaymentActivities>;
  refundCalls(summary: string): ActivityInterfaceFor<PaymentActivities>;
  notifyOwner(): Promise<void>;
}

/**
 * The payment's refunds at the provider: each refund record is resolved in order, one at a time, until the provider
 * says yes or no (a lost answer is asked about, never taken for a "no"); a cancellation refunds what is left.
 */
export class RefundDesk {
  /** Refunds made without an id (histories from before refund records): their provider keys are numbered. */
  private sequence = 0;

  constructor(private readonly payment: RefundDeskPayment) {}

  /**
   * A cancellation's refund: after the refunds already asked for (one owner, one order), it refunds what is left, and
   * waits for the provider only as long as a refund request would; the refund desk finishes it before the run ends.
   */
  async refundTheRest(reason: string): Promise<void> {
    const { record } = this.payment;
    await condition(() => !record.refunds.hasPending);
    if (record.status !== 'COMPLETE' || record.refundableMinor <= 0 || record.refunds.find(CANCEL_REFUND_ID)) return;
    const entry = record.refunds.open({
      id: CANCEL_REFUND_ID,
      providerKey: `${this.payment.request.paymentId}-refund-cancel`,
      requestFingerprint: CANCEL_REFUND_ID,
      amountMinor: record.refundableMinor,
      reason,
    });
    await condition(() => entry.view.status !== 'PENDING', this.payment.timing.refundAnswerWithinMs);
  }

  /** Refunds reach the provider one at a time, oldest first, each resolved before the next starts. */
  async run(): Promise<void> {
    const { record } = this.payment;
    for (;;) {
      await condition(() => record.refunds.hasPending);
      await this.resolve(record.refunds.nextPending() as RefundEntry);
      record.waitFor(record.status === 'COMPLETE' && this.payment.acceptingRefunds ? 'refund requests' : undefined);
      await this.payment.notifyOwner();
    }
  }

  /**
   * Asks the provider for the refund until it says yes or no. An answer that is lost (timeouts, 5xx, a garbled body)
   * is no "no": the provider is asked whether the refund happened, and if not, asked again with the same key.
   */
  private async resolve(entry: RefundEntry): Promise<void> {
    const { record, request, timing } = this.payment;
    const { view } = entry;
    const current = this.payment.handle;
    if (!current) {
      record.refunds.fail(entry, { code: 'nothing_to_refund', message: 'nothing was charged, so nothing can be refunded' });
      return;
    }
    for (let round = 0; ; round += 1) {
      record.waitFor(`${this.payment.label} to refund ${view.amountMinor} ${request.currency} (refund ${view.id})`);
      try {
        const result = await this.payment.refundCalls(`refund ${view.amountMinor} ${request.currency}`).refundAtProvider({
          request,
          handle: current,
          refund: { amountMinor: view.amountMinor, currency: request.currency, reason: view.reason, idempotencyKey: entry.providerKey },
        });
        this.settle(entry, result.refundId);
        return;
      } catch (error) {
        if (isRefusal(error)) {
          record.refunds.fail(entry, { code: 'refund_refused', message: `${this.payment.label} refused the refund: ${failureMessage(error)}` });
          record.note(`refund ${view.id} refused by ${this.payment.label}`);
          return;
        }
        if (round === 0) record.note(`refund ${view.id}: no answer from ${this.payment.label} (${failureMessage(error)}); finding out whether it happened`);
      }
      const providerRefundId = await this.foundAtProvider(entry, current);
      if (providerRefundId !== undefined) {
        this.settle(entry, providerRefundId);
        return;
      }
      const delayMs = timing.refundRetryDelaysMs[Math.min(round, timing.refundRetryDelaysMs.length - 1)] ?? 60_000;
      record.waitFor(`${this.payment.label} to answer about refund ${view.id} (asking again in ${describeDuration(delayMs)})`);
      await sleep(delayMs);
    }
  }

  /** The provider's refund id when it holds this refund, '' when it holds it without naming it, undefined when not (or unknown). */
  private async foundAtProvider(entry: RefundEntry, current: ProviderPaymentHandle): Promise<string | undefined> {
    const { request } = this.payment;
    try {
      const lookup = await this.payment.refundCalls('look up the refund by its key').findRefundAtProvider({ request, handle: current, idempotencyKey: entry.providerKey });
      if (lookup.supported) return lookup.refund?.refundId;
      // No refund list (Trustist): refunds reach the provider one at a time, so the refunded total tells.
      const status = await this.payment.refundCalls('read the refunded total').fetchProviderStatus({ request, handle: current });
      const unexplained = (status.refundedMinor ?? 0) - this.payment.record.refundedMinor;
      return unexplained === entry.view.amountMinor ? '' : undefined;
    } catch {
      return undefined;
    }
  }

  private settle(entry: RefundEntry, providerRefundId: string): void {
    const { record } = this.payment;
    const { view } = entry;
    record.refunds.succeed(entry, providerRefundId);
    record.refundedMinor += view.amountMinor;
    if (record.remainingMinor <= 0) record.moveTo('REFUNDED', `refund ${view.id}: ${view.reason}`);
    else {
      record.note(`refunded ${view.amountMinor} ${this.payment.request.currency} (refund ${view.id}): ${view.reason}`);
      record.refundedInPart(view.id);
    }
  }

  /** The refund of histories from before refunds had ids (`refundPayment` update, cancellation before the patch). */
  async refundWithoutId(amountMinor: number, reason: string): Promise<void> {
    const { record, request } = this.payment;
    const handle = this.payment.handle;
    if (!handle) throw ApplicationFailure.nonRetryable('nothing was charged, so nothing can be refunded', 'NothingToRefund');
    this.sequence += 1;
    record.waitFor(`${this.payment.label} to refund ${amountMinor} ${request.currency}`);
    try {
      const result = await this.payment.provider('refund').refundAtProvider({
        request,
        handle,
        refund: { amountMinor, currency: request.currency, reason, idempotencyKey: `${request.paymentId}-refund-${this.sequence}` },
      });
      record.refundedMinor += result.amountMinor;
      if (record.remainingMinor <= 0) record.moveTo('REFUNDED', reason);
      else {
        record.note(`refunded ${result.amountMinor} ${request.currency}: ${reason}`);
        record.refundedInPart();
      }
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`${this.payment.label} refused the refund: ${failureMessage(error)}`, 'RefundRefused');
    } finally {
      record.waitFor(record.status === 'COMPLETE' ? 'refund requests' : undefined);
    }
  }}
