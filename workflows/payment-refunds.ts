import type { PaymentFailure } from './payment-types';
import type { RefundView } from './refund-types';

export interface RefundEntry {
  view: RefundView;
  /** Sent to the provider as its idempotency key / refund reference: the same on every attempt of this refund. */
  providerKey: string;
  requestFingerprint: string;
}

/**
 * The refunds of one payment, in the order they were asked for. Pending refunds count against the refundable
 * rest, so two refunds can never add up to more than was charged, whatever their outcome turns out to be.
 */
export class PaymentRefunds {
  private readonly entries: RefundEntry[] = [];

  constructor(
    private readonly paymentId: string,
    private readonly currency: string,
  ) {}

  find(refundId: string): RefundEntry | undefined {
    return this.entries.find((entry) => entry.view.id === refundId);
  }

  open(refund: { id: string; providerKey: string; requestFingerprint: string; amountMinor: number; reason: string }): RefundEntry {
    const entry: RefundEntry = {
      providerKey: refund.providerKey,
      requestFingerprint: refund.requestFingerprint,
      view: {
        id: refund.id,
        paymentId: this.paymentId,
        status: 'PENDING',
        amountMinor: refund.amountMinor,
        currency: this.currency,
        reason: refund.reason,
        createdAt: new Date().toISOString(),
      },
    };
    this.entries.push(entry);
    return entry;
  }

  succeed(entry: RefundEntry, providerRefundId: string): void {
    entry.view.status = 'SUCCEEDED';
    entry.view.providerRefundId = providerRefundId;
  }

  fail(entry: RefundEntry, failure: PaymentFailure): void {
    entry.view.status = 'FAILED';
    entry.view.failure = failure;
  }

  /** The oldest refund still waiting for its outcome: refunds reach the provider one at a time, in order. */
  nextPending(): RefundEntry | undefined {
    return this.entries.find((entry) => entry.view.status === 'PENDING');
  }

  get pendingMinor(): number {
    return this.entries.filter((entry) => entry.view.status === 'PENDING').reduce((sum, entry) => sum + entry.view.amountMinor, 0);
  }

  get hasPending(): boolean {
    return this.nextPending() !== undefined;
  }

  views(): RefundView[] {
    return this.entries.map((entry) => ({ ...entry.view }));
  }
}
