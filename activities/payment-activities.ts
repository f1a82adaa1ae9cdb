import type { PaymentRequest } from '../domain/payment-request';
import type { ProviderPaymentHandle, RefundRequest, RefundResult } from './provider-adapter';
import type { ProviderRegistry } from './provider-registry';

interface HandleInput {
  request: PaymentRequest;
  handle: ProviderPaymentHandle;
}

export type RefundLookup = { supported: false } | { supported: true; refund?: RefundResult };

/** Provider calls that carry no card data; they run on the main task queue, on any worker. */
export function createPaymentActivities(providers: ProviderRegistry) {
  return {
    preparePayment: (request: PaymentRequest) => providers[request.provider].preparePayment(request),
    fetchProviderStatus: ({ request, handle }: HandleInput) => providers[request.provider].getStatus(request, handle),
    cancelAtProvider: ({ request, handle }: HandleInput) => providers[request.provider].cancel(request, handle),
    refundAtProvider: ({ request, handle, refund }: HandleInput & { refund: RefundRequest }) =>
      providers[request.provider].refund(request, handle, refund),
    /** Whether a refund with this key exists at the provider; `supported: false` where the provider cannot list refunds. */
    findRefundAtProvider: async ({ request, handle, idempotencyKey }: HandleInput & { idempotencyKey: string }): Promise<RefundLookup> => {
      const adapter = providers[request.provider];
      if (!adapter.findRefund) return { supported: false };
      return { supported: true, refund: await adapter.findRefund(request, handle, idempotencyKey) };
    },
    /** A token is no card data, so this runs on any worker, unlike the card-vault submission. */
    submitTokenizedCard: ({ request, handle, paymentMethodToken }: HandleInput & { paymentMethodToken: string }) =>
      providers[request.provider].submitCard(request, handle, { paymentMethodToken }),
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
