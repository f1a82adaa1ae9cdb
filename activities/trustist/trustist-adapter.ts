import { ApplicationFailure } from '@temporalio/common';
import { toMajorUnits, toMinorUnits } from '../../domain/money';
import type { PaymentRequest } from '../../domain/payment-request';
import { callProvider, parseProviderBody, type ProviderHttpResponse } from '../http/provider-http-client';
import { PaymentFailureType } from '../payment-failure-types';
import type {
  CancelResult,
  CardSubmission,
  ProviderAdapter,
  ProviderPaymentHandle,
  ProviderPaymentListing,
  ProviderPaymentState,
  ProviderStatus,
  RefundRequest,
  RefundResult,
  SubmissionOutcome,
} from '../provider-adapter';
import { toTrustistBrowserData } from './browser-data';
import type { TrustistConfig } from './config';
import { hawkAuthorization } from './hawk-header';
import { errorResponseSchema, paymentListResponseSchema, paymentResponseSchema, refundResponseSchema, serverToServerResponseSchema, type paymentStatusSchema } from './schemas';
import type { z } from 'zod';

const PROVIDER = 'Trustist';

/** Trustist S2S: one Hawk-signed call submits the card; idempotent on `reference` (our payment ID). */
export class TrustistAdapter implements ProviderAdapter {
  readonly name = 'trustist' as const;

  constructor(private readonly config: TrustistConfig) {}

  /** Trustist has no separate creation step: the payment is created by the card submission itself. */
  async preparePayment(): Promise<ProviderPaymentHandle> {
    return { provider: 'trustist' };
  }

  async submitCard(request: PaymentRequest, _handle: ProviderPaymentHandle, submission: CardSubmission): Promise<SubmissionOutcome> {
    const what = `${PROVIDER} server-to-server payment`;
    if (!submission.payerDevice) {
      throw ApplicationFailure.nonRetryable('Trustist requires browserData for 3-D Secure', PaymentFailureType.InvalidRequest);
    }
    const { card } = submission;
    if (!card) throw ApplicationFailure.nonRetryable('Trustist cannot charge a stored card token', PaymentFailureType.InvalidRequest);
    const response = await this.call('POST', '/v1/payments/server-to-server', {
      amount: toMajorUnits(request.amountMinor, request.currency),
      reference: request.paymentId,
      ...(request.description ? { description: request.description } : {}),
      ...(request.payerEmail ? { payerEmail: request.payerEmail } : {}),
      cardDetails: {
        number: card.number,
        expiryMonth: String(card.expiryMonth).padStart(2, '0'),
        expiryYear: String(card.expiryYear),
        cvc: card.cvc,
      },
      ...(submission.billingAddress ? { billingAddress: submission.billingAddress } : {}),
      browserData: toTrustistBrowserData(submission.payerDevice),
    });
    if (response.status === 400) {
      // Trustist rejects cards it will not take (Amex, expired, malformed) with 400: a decline for the merchant.
      const error = errorResponseSchema.safeParse(response.body);
      throw declined('card_not_accepted', error.success ? error.data.error : 'the card was rejected');
    }
    this.rejectClientErrors(response, what);
    const payment = parseProviderBody(serverToServerResponseSchema, response, what);
    switch (payment.status) {
      case 'COMPLETE':
        return { kind: 'approved', providerPaymentId: payment.id };
      case 'PENDING_ACTION':
        if (!payment.requiredAction) throw ApplicationFailure.nonRetryable(`${what} returned PENDING_ACTION without requiredAction`, PaymentFailureType.MalformedProviderResponse);
        return { kind: 'challenge', providerPaymentId: payment.id, challengeUrl: payment.requiredAction.url };
      case 'FAILED':
        throw declined((payment.failureReason ?? 'DECLINED').toLowerCase(), `the card was declined (${payment.failureReason ?? 'no reason given'})`);
      default:
        throw ApplicationFailure.nonRetryable(`${what} returned status ${payment.status}`, PaymentFailureType.MalformedProviderResponse);
    }
  }

  async getStatus(request: PaymentRequest, handle: ProviderPaymentHandle): Promise<ProviderStatus> {
    const what = `${PROVIDER} payment status`;
    const response = await this.call('GET', `/v1/payments/${encodeURIComponent(requirePaymentId(handle))}`);
    this.rejectClientErrors(response, what);
    const payment = parseProviderBody(paymentResponseSchema, response, what);
    if (payment.reference !== request.paymentId) {
      throw ApplicationFailure.nonRetryable(`${what}: payment ${payment.id} belongs to another reference`, PaymentFailureType.InvalidRequest);
    }
    return {
      providerPaymentId: payment.id,
      state: toProviderState(payment.status, payment.failureReason),
      ...(payment.failureReason ? { failureCode: payment.failureReason.toLowerCase() } : {}),
      refundedMinor: toMinorUnits(payment.refundedAmount ?? 0, request.currency),
    };
  }

  async cancel(_request: PaymentRequest, handle: ProviderPaymentHandle): Promise<CancelResult> {
    const response = await this.call('POST', `/v1/payments/${encodeURIComponent(requirePaymentId(handle))}/cancel`, {});
    if (response.status === 409) return { cancelled: false, state: 'COMPLETE' };
    this.rejectClientErrors(response, `${PROVIDER} cancel payment`);
    return { cancelled: true, state: 'CANCELLED' };
  }

  async refund(request: PaymentRequest, handle: ProviderPaymentHandle, refund: RefundRequest): Promise<RefundResult> {
    const what = `${PROVIDER} refund`;
    const response = await this.call('POST', `/v1/payments/${encodeURIComponent(requirePaymentId(handle))}/refunds`, {
      amount: toMajorUnits(refund.amountMinor, refund.currency),
      reference: refund.idempotencyKey,
    });
    if (response.status >= 400 && response.status < 500) {
      const error = errorResponseSchema.safeParse(response.body);
      throw ApplicationFailure.nonRetryable(
        `${what} refused (${response.status}): ${error.success ? error.data.error : 'no detail'}`,
        PaymentFailureType.OperationRefused,
      );
    }
    const result = parseProviderBody(refundResponseSchema, response, what);
    return { refundId: result.id, amountMinor: toMinorUnits(result.amount, request.currency) };
  }

  async listPaymentsSince(since: Date): Promise<ProviderPaymentListing[]> {
    const what = `${PROVIDER} payment listing`;
    const response = await this.call('GET', `/v1/payments?createdAfter=${encodeURIComponent(since.toISOString())}`);
    this.rejectClientErrors(response, what);
    return parseProviderBody(paymentListResponseSchema, response, what).payments.map((payment) => ({
      providerPaymentId: payment.id,
      reference: payment.reference,
      state: toProviderState(payment.status, payment.failureReason),
      amountMinor: toMinorUnits(payment.amount, payment.currency),
      currency: payment.currency,
      refundedMinor: toMinorUnits(payment.refundedAmount ?? 0, payment.currency),
    }));
  }

  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ProviderHttpResponse> {
    const url = new URL(path, this.config.apiUrl).toString();
    const serialized = body === undefined ? undefined : JSON.stringify(body);
    return callProvider({
      provider: PROVIDER,
      method,
      url,
      headers: { authorization: hawkAuthorization(this.config, method, url, serialized) },
      body: serialized,
      timeoutMs: this.config.timeoutMs,
    });
  }

  private rejectClientErrors(response: ProviderHttpResponse, what: string): void {
    if (response.status < 400) return;
    const error = errorResponseSchema.safeParse(response.body);
    throw ApplicationFailure.nonRetryable(
      `${what} rejected (${response.status}): ${error.success ? error.data.error : 'no detail'}`,
      PaymentFailureType.InvalidRequest,
    );
  }
}

function declined(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${PROVIDER} declined the card: ${message}`, PaymentFailureType.CardDeclined, { code });
}

function requirePaymentId(handle: ProviderPaymentHandle): string {
  if (!handle.providerPaymentId) throw ApplicationFailure.nonRetryable('Trustist payment id is not known yet', PaymentFailureType.InvalidRequest);
  return handle.providerPaymentId;
}

function toProviderState(status: z.infer<typeof paymentStatusSchema>, failureReason?: string | null): ProviderPaymentState {
  switch (status) {
    case 'COMPLETE':
      return 'COMPLETE';
    case 'PENDING_ACTION':
      return 'PENDING_ACTION';
    case 'FAILED':
      return failureReason === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
    case 'REFUNDED':
      return 'REFUNDED';
    default:
      return 'PENDING';
  }
}
