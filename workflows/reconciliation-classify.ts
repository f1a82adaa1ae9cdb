import type { PaymentStatus } from '../domain/payment-status';
import type { OurPayment, ReconciliationDifference, TheirPayment } from './reconciliation-types';

const WAITING: PaymentStatus[] = ['CREATED', 'SUBMITTED', 'PENDING_ACTION'];
/** Provider states that are an outcome: a waiting payment of ours can settle from them by asking again. */
const PROVIDER_OUTCOMES = ['COMPLETE', 'FAILED', 'CANCELLED', 'REFUNDED'];
const CHARGED = ['COMPLETE', 'REFUNDED'];
const NOT_CHARGED_HERE: PaymentStatus[] = ['DECLINED', 'FAILED', 'EXPIRED', 'CANCELLED'];

export function formatMoney(amountMinor: number, currency: string): string {
  return `${(amountMinor / 100).toFixed(2)} ${currency}`;
}

function describeAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1_000))} s`;
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h`;
}

/**
 * The difference between one payment of ours and what its provider says, in words an operator can act on, or
 * undefined when they agree. Only a payment still waiting for an outcome the provider already has is safe to heal:
 * its own workflow asks the provider again and settles as it would have from a webhook.
 */
export function classify(ours: OurPayment, theirs: TheirPayment | undefined, now: number): Omit<ReconciliationDifference, 'action'> & { safe: boolean } | undefined {
  const { request } = ours;
  const base = { provider: request.provider, workflowId: ours.workflowId, providerPaymentId: theirs?.providerPaymentId ?? ours.providerPaymentId, ours: ours.status };
  const money = (minor: number) => formatMoney(minor, request.currency);
  if (WAITING.includes(ours.status)) {
    const here = `${ours.status} here for ${describeAge(now - Date.parse(ours.startedAt))}`;
    if (!theirs) return ours.providerPaymentId ? { ...base, reason: `${here}, the provider does not list the payment`, safe: false } : undefined;
    if (PROVIDER_OUTCOMES.includes(theirs.state)) return { ...base, theirs: theirs.state, reason: `${here}, provider says ${theirs.state}`, safe: true };
    return undefined; // both still waiting: the payment's own challenge deadline ends it
  }
  if (!theirs) {
    return ours.status === 'COMPLETE' || ours.status === 'REFUNDED'
      ? { ...base, reason: `${ours.status} here, the provider has no such payment`, safe: false }
      : undefined;
  }
  const found = { ...base, theirs: theirs.state };
  if (theirs.amountMinor !== request.amountMinor) {
    return { ...found, reason: `${money(request.amountMinor)} here, ${money(theirs.amountMinor)} at the provider`, safe: false };
  }
  if (NOT_CHARGED_HERE.includes(ours.status)) {
    return CHARGED.includes(theirs.state) ? { ...found, reason: `${ours.status} here, charged ${money(theirs.amountMinor)} at the provider`, safe: false } : undefined;
  }
  // COMPLETE or REFUNDED here: the charge happened; compare what is left of it.
  if (!CHARGED.includes(theirs.state)) return { ...found, reason: `${ours.status} here, provider says ${theirs.state}`, safe: false };
  if (ours.refundPending) return undefined; // a refund in flight: the next run compares the settled amounts
  if (theirs.refundedMinor > ours.refundedMinor) {
    const extra = theirs.refundedMinor - ours.refundedMinor;
    return { ...found, reason: `${ours.status} here, refunded ${money(extra)} at the provider${ours.refundedMinor ? ` beyond the ${money(ours.refundedMinor)} refunded here` : ''}`, safe: false };
  }
  if (theirs.refundedMinor < ours.refundedMinor) {
    return { ...found, reason: `refunded ${money(ours.refundedMinor)} here, only ${money(theirs.refundedMinor)} at the provider`, safe: false };
  }
  return undefined;
}

/** A charge at the provider that names no payment of ours. */
export function unknownCharge(provider: OurPayment['request']['provider'], theirs: TheirPayment): Omit<ReconciliationDifference, 'action'> {
  return {
    provider,
    providerPaymentId: theirs.providerPaymentId,
    theirs: theirs.state,
    reason: `charged ${formatMoney(theirs.amountMinor, theirs.currency)} at the provider (reference ${theirs.reference}), no payment here`,
  };
}

export function isCharged(theirs: TheirPayment): boolean {
  return CHARGED.includes(theirs.state);
}
