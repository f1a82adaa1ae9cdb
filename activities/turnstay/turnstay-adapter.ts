import { ApplicationFailure } from '@temporalio/common';
import type { PaymentRequest } from '../../domain/payment-request';
import { callProvider, malformed, parseProviderBody, type ProviderHttpResponse } from '../http/provider-http-client';
import { PaymentFailureType } from '../payment-failure-types';
import type {
  CancelResult,
  CardSubmission,
  HostedCardForm,
  HostedCardFormResult,
  ProviderAdapter,
  ProviderPaymentHandle,
  ProviderPaymentListing,
  ProviderPaymentState,
  ProviderStatus,
  RefundRequest,
  RefundResult,
  SubmissionOutcome,
  TokenizedCard,
} from '../provider-adapter';
import type { CardDetails } from '../../domain/card';
import type { TurnstayConfig } from './config';
import {
  confirmResponseSchema,
  createIntentResponseSchema,
  declineResponseSchema,
  errorResponseSchema,
  existingRefundsResponseSchema,
  intentListResponseSchema,
  intentResponseSchema,
  refundResponseSchema,
  tokenIntentResponseSchema,
  tokenIntentStatusSchema,
  tokenizeResponseSchema,
  type intentStatusNameSchema,
} from './schemas';
import type { z } from 'zod';

const PROVIDER = 'TurnStay';

/** TurnStay S2S: a Virtual Card payment intent, then the card confirmed on the Secure Card Service. */
export class TurnstayAdapter implements ProviderAdapter {
  readonly name = 'turnstay' as const;

  constructor(private readonly config: TurnstayConfig) {}

  async preparePayment(request: PaymentRequest): Promise<ProviderPaymentHandle> {
    const what = `${PROVIDER} create intent`;
    const response = await this.api('POST', '/api/v1/payments/intent', {
      // The payment ID makes a retried creation return the first intent instead of a second one.
      headers: { 'idempotency-key': request.paymentId },
      body: {
        account_id: this.config.accountId,
        billing_amount: request.amountMinor,
        billing_currency: request.currency,
        checkin_date: request.checkinDate ?? new Date().toISOString().slice(0, 10),
        ...(request.checkoutDate ? { checkout_date: request.checkoutDate } : {}),
        merchant_reference: request.paymentId,
        ...(request.payerEmail ? { customer_email: request.payerEmail } : {}),
        ...(request.payerPhone ? { customer_phone_number: request.payerPhone } : {}),
        ...(request.description ? { description: request.description } : {}),
        payment_type: 'Virtual Card',
      },
    });
    this.rejectClientErrors(response, what);
    const intent = parseProviderBody(createIntentResponseSchema, response, what);
    const tokenizeAction = intent.next_actions.find((action) => action.type === 'Tokenize Card');
    if (!tokenizeAction) throw malformed(what, 'no "Tokenize Card" next action');
    const actionUrl = new URL(tokenizeAction.url);
    if (actionUrl.origin !== new URL(this.config.scsUrl).origin) {
      throw malformed(what, `a Secure Card Service URL outside the configured origin (${actionUrl.origin})`);
    }
    // As the S2S document: the SCS intent id is the last path segment, the client secret a query parameter.
    const scsIntentId = actionUrl.pathname.split('/').pop() ?? '';
    const clientSecret = actionUrl.searchParams.get('client_secret') ?? '';
    if (!scsIntentId || !clientSecret) throw malformed(what, 'a "Tokenize Card" URL without intent id or client_secret');
    // The same URL is the hosted card form of Option A (the document's `action_url`): the shopper's browser opens it.
    return { provider: 'turnstay', providerPaymentId: intent.lookup_id, extra: { scsIntentId, clientSecret, hostedFormUrl: tokenizeAction.url } };
  }

  async submitCard(request: PaymentRequest, handle: ProviderPaymentHandle, submission: CardSubmission): Promise<SubmissionOutcome> {
    const what = `${PROVIDER} confirm payment`;
    const { scsIntentId, clientSecret } = requireScsIntent(handle);
    const url = new URL(`/api/v1/public/payment/intent/${encodeURIComponent(scsIntentId)}/confirm`, this.config.scsUrl);
    url.searchParams.set('client_secret', clientSecret);
    const payer = {
      ...(request.payerEmail ? { customer_email: request.payerEmail } : {}),
      ...(request.payerPhone ? { customer_phone_number: request.payerPhone } : {}),
    };
    const response = await callProvider({
      provider: PROVIDER,
      method: 'POST',
      url: url.toString(),
      body: JSON.stringify(submission.card ? { ...cardFields(submission.card), ...payer } : { payment_method_token: submission.paymentMethodToken, ...payer }),
      timeoutMs: this.config.timeoutMs,
    });
    if (response.status === 402) {
      const decline = parseProviderBody(declineResponseSchema, response, what);
      throw declined(decline.decline_code ?? 'card_declined', decline.detail);
    }
    this.rejectClientErrors(response, what);
    const confirmed = parseProviderBody(confirmResponseSchema, response, what);
    switch (confirmed.status.name) {
      case 'PROCESSED':
        return { kind: 'approved', providerPaymentId: confirmed.lookup_id };
      case 'REQUIRES_ACTION': {
        const challenge = confirmed.next_actions.find((action) => action.type === '3DS Challenge') ?? confirmed.next_actions[0];
        if (!challenge) throw malformed(what, 'REQUIRES_ACTION without a next action');
        return { kind: 'challenge', providerPaymentId: confirmed.lookup_id, challengeUrl: challenge.url };
      }
      case 'FAILED':
        throw declined(confirmed.failure_code ?? 'card_declined', 'The card was declined.');
      default:
        throw malformed(what, `status ${confirmed.status.name} after confirmation`);
    }
  }

  /** Card on file (docs.turnstay.com/payments/card-on-file): a tokenization intent, then the card to its URL. */
  async tokenize(card: CardDetails, payerEmail?: string): Promise<TokenizedCard> {
    const what = `${PROVIDER} card on file`;
    const intentResponse = await this.api('POST', '/api/v1/payment_method_token_intent', {
      body: { account_id: this.config.accountId, payment_type: 'Tokenization', ...(payerEmail ? { customer_email: payerEmail } : {}) },
    });
    this.rejectClientErrors(intentResponse, what);
    const intent = parseProviderBody(tokenIntentResponseSchema, intentResponse, what);
    const confirmUrl = new URL(intent.confirm_endpoint_url);
    if (confirmUrl.origin !== new URL(this.config.scsUrl).origin) {
      throw malformed(what, `a confirm URL outside the configured Secure Card Service origin (${confirmUrl.origin})`);
    }
    const response = await callProvider({ provider: PROVIDER, method: 'POST', url: confirmUrl.toString(), body: JSON.stringify(cardFields(card)), timeoutMs: this.config.timeoutMs });
    if (response.status === 402) {
      const decline = parseProviderBody(declineResponseSchema, response, what);
      throw declined(decline.decline_code ?? 'card_declined', decline.detail);
    }
    this.rejectClientErrors(response, what);
    return { paymentMethodToken: parseProviderBody(tokenizeResponseSchema, response, what).payment_method_token };
  }

  async getStatus(_request: PaymentRequest, handle: ProviderPaymentHandle): Promise<ProviderStatus> {
    const lookupId = requireLookupId(handle);
    const what = `${PROVIDER} intent status`;
    const response = await this.api('GET', `/api/v1/payments/intent/${encodeURIComponent(lookupId)}`);
    this.rejectClientErrors(response, what);
    const intent = parseProviderBody(intentResponseSchema, response, what);
    return {
      providerPaymentId: intent.lookup_id,
      state: toProviderState(intent.status.name),
      ...(intent.failure_code ? { failureCode: intent.failure_code } : {}),
      refundedMinor: intent.amount_refunded ?? 0,
      ...(intent.card ? { card: intent.card } : {}),
    };
  }

  /** Option A for card on file: a tokenization intent whose "Tokenize Card" form the shopper fills in. */
  async openHostedCardForm(payerEmail?: string): Promise<HostedCardForm> {
    const what = `${PROVIDER} hosted card-on-file form`;
    const response = await this.api('POST', '/api/v1/payment_method_token_intent', {
      body: { account_id: this.config.accountId, payment_type: 'Tokenization', ...(payerEmail ? { customer_email: payerEmail } : {}) },
    });
    this.rejectClientErrors(response, what);
    const intent = parseProviderBody(tokenIntentResponseSchema, response, what);
    const form = intent.next_actions.find((action) => action.type === 'Tokenize Card');
    if (!form) throw malformed(what, 'no "Tokenize Card" next action');
    if (new URL(form.url).origin !== new URL(this.config.scsUrl).origin) {
      throw malformed(what, `a Secure Card Service URL outside the configured origin (${new URL(form.url).origin})`);
    }
    return { formId: intent.lookup_id, url: form.url };
  }

  async hostedCardFormResult(formId: string): Promise<HostedCardFormResult> {
    const what = `${PROVIDER} card-on-file status`;
    const response = await this.api('GET', `/api/v1/payment_method_token_intent/${encodeURIComponent(formId)}`);
    this.rejectClientErrors(response, what);
    const intent = parseProviderBody(tokenIntentStatusSchema, response, what);
    if (intent.status.name !== 'PROCESSED') return { state: 'PENDING' };
    if (!intent.payment_method_token) throw malformed(what, 'PROCESSED without a payment_method_token');
    return { state: 'COMPLETE', paymentMethodToken: intent.payment_method_token, ...(intent.card ? { card: intent.card } : {}) };
  }

  async cancel(request: PaymentRequest, handle: ProviderPaymentHandle): Promise<CancelResult> {
    const lookupId = requireLookupId(handle);
    const response = await this.api('POST', `/api/v1/payments/intent/${encodeURIComponent(lookupId)}/cancel`);
    // 409: the intent was already charged; the caller confirms the status and refunds instead.
    if (response.status === 409) return { cancelled: false, state: 'COMPLETE' };
    this.rejectClientErrors(response, `${PROVIDER} cancel intent`);
    return { cancelled: true, state: 'CANCELLED' };
  }

  async refund(_request: PaymentRequest, handle: ProviderPaymentHandle, refund: RefundRequest): Promise<RefundResult> {
    const what = `${PROVIDER} refund`;
    const response = await this.api('POST', '/api/v1/refund', {
      body: {
        payment_intent_id: requireLookupId(handle),
        billing_amount: refund.amountMinor,
        reason: refund.reason,
        idempotency_key: refund.idempotencyKey,
      },
    });
    if (response.status >= 400 && response.status < 500) {
      const error = errorResponseSchema.safeParse(response.body);
      throw ApplicationFailure.nonRetryable(
        `${what} refused (${response.status}): ${error.success ? error.data.detail : 'no detail'}`,
        PaymentFailureType.OperationRefused,
      );
    }
    const result = parseProviderBody(refundResponseSchema, response, what);
    if (result.status === 'FAILED') throw ApplicationFailure.nonRetryable(`${what} failed at ${PROVIDER}`, PaymentFailureType.OperationRefused);
    return { refundId: String(result.id), amountMinor: result.billing_amount };
  }

  async findRefund(_request: PaymentRequest, handle: ProviderPaymentHandle, idempotencyKey: string): Promise<RefundResult | undefined> {
    const what = `${PROVIDER} existing refunds`;
    const response = await this.api('POST', '/api/v1/refund/check-existing', { body: { payment_intent_id: requireLookupId(handle) } });
    this.rejectClientErrors(response, what);
    const found = parseProviderBody(existingRefundsResponseSchema, response, what).find((refund) => refund.idempotency_key === idempotencyKey);
    return found && found.status !== 'FAILED' ? { refundId: String(found.id), amountMinor: found.billing_amount } : undefined;
  }

  async listPaymentsSince(since: Date): Promise<ProviderPaymentListing[]> {
    const what = `${PROVIDER} intent listing`;
    const response = await this.api('GET', `/api/v1/payments/intents?created_after=${encodeURIComponent(since.toISOString())}`);
    this.rejectClientErrors(response, what);
    return parseProviderBody(intentListResponseSchema, response, what).data.map((intent) => ({
      providerPaymentId: intent.lookup_id,
      reference: intent.merchant_reference ?? intent.lookup_id,
      state: toProviderState(intent.status.name),
      amountMinor: intent.billing_amount,
      currency: intent.billing_currency,
      refundedMinor: intent.amount_refunded ?? 0,
    }));
  }

  private api(method: 'GET' | 'POST', path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<ProviderHttpResponse> {
    return callProvider({
      provider: PROVIDER,
      method,
      url: new URL(path, this.config.apiUrl).toString(),
      headers: { authorization: `Bearer ${this.config.apiKey}`, ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      timeoutMs: this.config.timeoutMs,
    });
  }

  private rejectClientErrors(response: ProviderHttpResponse, what: string): void {
    if (response.status < 400) return;
    const error = errorResponseSchema.safeParse(response.body);
    throw ApplicationFailure.nonRetryable(
      `${what} rejected (${response.status}): ${error.success ? error.data.detail : 'no detail'}`,
      PaymentFailureType.InvalidRequest,
    );
  }
}

function cardFields(card: CardDetails) {
  return {
    cardholder_name: card.holderName ?? 'Card Holder',
    card_number: card.number,
    expiry_month: card.expiryMonth,
    expiry_year: card.expiryYear,
    cvc: card.cvc,
  };
}

function declined(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${PROVIDER} declined the card: ${message}`, PaymentFailureType.CardDeclined, { code });
}

function requireLookupId(handle: ProviderPaymentHandle): string {
  if (!handle.providerPaymentId) throw ApplicationFailure.nonRetryable('TurnStay intent has no lookup_id', PaymentFailureType.InvalidRequest);
  return handle.providerPaymentId;
}

function requireScsIntent(handle: ProviderPaymentHandle): { scsIntentId: string; clientSecret: string } {
  const scsIntentId = handle.extra?.scsIntentId;
  const clientSecret = handle.extra?.clientSecret;
  if (!scsIntentId || !clientSecret) throw ApplicationFailure.nonRetryable('TurnStay intent has no SCS intent', PaymentFailureType.InvalidRequest);
  return { scsIntentId, clientSecret };
}

function toProviderState(name: z.infer<typeof intentStatusNameSchema>): ProviderPaymentState {
  switch (name) {
    case 'PROCESSED':
    case 'PARTIALLY_REFUNDED':
      return 'COMPLETE';
    case 'REQUIRES_ACTION':
      return 'PENDING_ACTION';
    case 'FAILED':
      return 'FAILED';
    case 'CANCELLED':
      return 'CANCELLED';
    case 'REFUNDED':
      return 'REFUNDED';
    default:
      return 'PENDING';
  }
}
