import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { callProvider, parseProviderBody, type ProviderHttpResponse } from '../../../activities/http/provider-http-client';
import { PaymentFailureType } from '../../../activities/payment-failure-types';
import type {
  CancelResult,
  CardSubmission,
  ProviderAdapter,
  ProviderPaymentHandle,
  ProviderStatus,
  RefundRequest,
  RefundResult,
  SubmissionOutcome,
} from '../../../activities/provider-adapter';
import type { PaymentRequest } from '../../../domain/payment-request';

export interface ExampleConfig {
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
}

const paymentSchema = z.object({
  id: z.string().min(1),
  reference: z.string(),
  status: z.enum(['requires_action', 'succeeded', 'cancelled']),
  refundedMinor: z.number().int().nonnegative(),
  actionUrl: z.string().url().optional(),
});
const refundSchema = z.object({ id: z.string().min(1), amountMinor: z.number().int().positive() });

/** Example Pay's wire format stays here, as TurnStay's and Trustist's stay in their folders. */
export class ExampleAdapter implements ProviderAdapter {
  readonly name = 'example';

  constructor(private readonly config: ExampleConfig) {}

  async preparePayment(request: PaymentRequest): Promise<ProviderPaymentHandle> {
    return { provider: request.provider };
  }

  async submitCard(request: PaymentRequest, _handle: ProviderPaymentHandle, submission: CardSubmission): Promise<SubmissionOutcome> {
    if (!submission.card) throw ApplicationFailure.nonRetryable('Example Pay cannot charge a stored card token', PaymentFailureType.InvalidRequest);
    const { card } = submission;
    const response = await this.call('POST', '/payments', {
      reference: request.paymentId,
      amountMinor: request.amountMinor,
      currency: request.currency,
      card: { number: card.number, expiryMonth: card.expiryMonth, expiryYear: card.expiryYear, cvc: card.cvc },
    });
    const payment = parseProviderBody(paymentSchema, response, 'Example Pay payment');
    if (payment.status === 'succeeded') return { kind: 'approved', providerPaymentId: payment.id };
    if (payment.status === 'requires_action' && payment.actionUrl) return { kind: 'challenge', providerPaymentId: payment.id, challengeUrl: payment.actionUrl };
    throw ApplicationFailure.nonRetryable(`Example Pay answered ${payment.status}`, PaymentFailureType.MalformedProviderResponse);
  }

  async getStatus(_request: PaymentRequest, handle: ProviderPaymentHandle): Promise<ProviderStatus> {
    const payment = parseProviderBody(paymentSchema, await this.call('GET', `/payments/${this.paymentId(handle)}`), 'Example Pay status');
    const state = payment.status === 'succeeded' ? 'COMPLETE' : payment.status === 'cancelled' ? 'CANCELLED' : 'PENDING_ACTION';
    return { providerPaymentId: payment.id, state, refundedMinor: payment.refundedMinor };
  }

  async cancel(_request: PaymentRequest, handle: ProviderPaymentHandle): Promise<CancelResult> {
    const response = await this.call('POST', `/payments/${this.paymentId(handle)}/cancel`, {});
    return response.status === 409 ? { cancelled: false, state: 'COMPLETE' } : { cancelled: true, state: 'CANCELLED' };
  }

  async refund(_request: PaymentRequest, handle: ProviderPaymentHandle, refund: RefundRequest): Promise<RefundResult> {
    const response = await this.call('POST', `/payments/${this.paymentId(handle)}/refunds`, { amountMinor: refund.amountMinor, idempotencyKey: refund.idempotencyKey });
    if (response.status === 409) throw ApplicationFailure.nonRetryable('Example Pay refused the refund', PaymentFailureType.OperationRefused);
    const result = parseProviderBody(refundSchema, response, 'Example Pay refund');
    return { refundId: result.id, amountMinor: result.amountMinor };
  }

  private paymentId(handle: ProviderPaymentHandle): string {
    if (!handle.providerPaymentId) throw ApplicationFailure.nonRetryable('Example Pay payment id is not known yet', PaymentFailureType.InvalidRequest);
    return encodeURIComponent(handle.providerPaymentId);
  }

  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ProviderHttpResponse> {
    return callProvider({
      provider: 'Example Pay',
      method,
      url: new URL(path, this.config.apiUrl).toString(),
      headers: { authorization: `Bearer ${this.config.apiKey}` },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.config.timeoutMs,
    });
  }
}
