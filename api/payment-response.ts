import type { PaymentView } from '../workflows/payment-types';
import { toRefundResponse } from './refund-response';

/** The merchant-facing shape of a payment: the workflow's view without internal fields. */
export function toPaymentResponse(view: PaymentView) {
  return {
    id: view.paymentId,
    status: view.status,
    provider: view.provider,
    reference: view.reference,
    amountMinor: view.amountMinor,
    currency: view.currency,
    card: view.card,
    ...(view.nextAction ? { nextAction: view.nextAction } : {}),
    ...(view.failure ? { failure: view.failure } : {}),
    ...(view.providerPaymentId ? { providerPaymentId: view.providerPaymentId } : {}),
    refundedMinor: view.refundedMinor,
    refundableMinor: view.refundableMinor,
    refunds: view.refunds.map(toRefundResponse),
    ...(view.waitingFor ? { waitingFor: view.waitingFor } : {}),
    transitions: view.transitions,
  };
}
