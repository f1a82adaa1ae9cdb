import { ApplicationFailure } from '@temporalio/common';
import type { PaymentRequest } from '../domain/payment-request';
import { PaymentFailureType } from './payment-failure-types';
import type { PreparedSubmission, ProviderPaymentHandle, RefundRequest, RefundResult } from './provider-adapter';
import { adapterFor, type ProviderRegistry } from './provider-registry';

interface HandleInput {
  request: PaymentRequest;
  handle: ProviderPaymentHandle;
}

export type RefundLookup = { supported: false } | { supported: true; refund?: RefundResult };

/** Provider calls that carry no card data; they run on the main task queue, on any worker. */
export function createPaymentActivities(providers: ProviderRegistry) {
  return {
    preparePayment: (request: PaymentRequest) => adapterFor(providers, request.provider).preparePayment(request),
    fetchProviderStatus: ({ request, handle }: HandleInput) => adapterFor(providers, request.provider).getStatus(request, handle),
    cancelAtProvider: ({ request, handle }: HandleInput) => adapterFor(providers, request.provider).cancel(request, handle),
    refundAtProvider: ({ request, handle, refund }: HandleInput & { refund: RefundRequest }) =>
      adapterFor(providers, request.provider).refund(request, handle, refund),
    /** Whether a refund with this key exists at the provider; `supported: false` where the provider cannot list refunds. */
    findRefundAtProvider: async ({ request, handle, idempotencyKey }: HandleInput & { idempotencyKey: string }): Promise<RefundLookup> => {
      const adapter = adapterFor(providers, request.provider);
      if (!adapter.findRefund) return { supported: false };
      return { supported: true, refund: await adapter.findRefund(request, handle, idempotencyKey) };
    },
    /** A token is no card data, so this runs on any worker, unlike the card-vault submission. */
    submitTokenizedCard: ({ request, handle, paymentMethodToken }: HandleInput & { paymentMethodToken: string }) =>
      adapterFor(providers, request.provider).submitCard(request, handle, { paymentMethodToken }),
    /**
     * A card on file charged in one task (issue 17): the payment is created at the provider and the token submitted,
     * one activity and one workflow task fewer per charge. Creation is idempotent on the payment id, so a retry
     * finds the payment the first attempt made. Two provider calls: the queue's rate limit counts them (worker).
     */
    prepareAndSubmitTokenizedCard: async ({ request, paymentMethodToken }: { request: PaymentRequest; paymentMethodToken: string }): Promise<PreparedSubmission> => {
      const adapter = adapterFor(providers, request.provider);
      const handle = await adapter.preparePayment(request);
      return { handle, outcome: await adapter.submitCard(request, handle, { paymentMethodToken }) };
    },
    /** Opens the provider's hosted card-on-file form (reservations with a hosted form); no card data passes here. */
    openHostedCardForm: ({ provider, payerEmail }: { provider: string; payerEmail?: string }) => {
      const adapter = adapterFor(providers, provider);
      if (!adapter.openHostedCardForm) throw ApplicationFailure.nonRetryable(`${provider} has no hosted card form`, PaymentFailureType.InvalidRequest);
      return adapter.openHostedCardForm(payerEmail);
    },
    /** Whether the shopper has entered a card on the hosted form; the provider's token once they have. */
    hostedCardFormResult: ({ provider, formId }: { provider: string; formId: string }) => {
      const adapter = adapterFor(providers, provider);
      if (!adapter.hostedCardFormResult) throw ApplicationFailure.nonRetryable(`${provider} has no hosted card form`, PaymentFailureType.InvalidRequest);
      return adapter.hostedCardFormResult(formId);
    },
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
