import type { RefundView } from '../workflows/refund-types';

/** The merchant-facing shape of a refund: the same for POST /refund and in the payment's `refunds`. */
export function toRefundResponse(view: RefundView) {
  return {
    id: view.id,
    paymentId: view.paymentId,
    status: view.status,
    amountMinor: view.amountMinor,
    currency: view.currency,
    reason: view.reason,
    createdAt: view.createdAt,
    ...(view.providerRefundId ? { providerRefundId: view.providerRefundId } : {}),
    ...(view.failure ? { failure: view.failure } : {}),
  };
}
