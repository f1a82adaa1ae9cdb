import type { CardDetails, CardSummary } from '../domain/card';
import type { PaymentRequest } from '../domain/payment-request';
import type { BillingAddress, PayerDevice } from '../domain/payer-context';

/** What a provider gave back when the payment was prepared, carried by the workflow to later calls. */
export interface ProviderPaymentHandle {
  provider: string;
  /** The provider's payment id once known (TurnStay lookup_id at creation; Trustist id after submission). */
  providerPaymentId?: string;
  /** Provider-specific values later calls need (TurnStay SCS intent id and client secret). */
  extra?: Record<string, string>;
}

/**
 * One submission: the card itself (read from the card vault in the process that received it, never persisted)
 * or a provider token from an earlier tokenization.
 */
export type CardSubmission = ({ card: CardDetails; paymentMethodToken?: undefined } | { card?: undefined; paymentMethodToken: string }) & {
  /** The payer's browser or app, for providers whose 3-D Secure needs it (capabilities.payerDeviceRequired). */
  payerDevice?: PayerDevice;
  billingAddress?: BillingAddress;
};

export interface TokenizedCard {
  paymentMethodToken: string;
}

export type SubmissionOutcome =
  | { kind: 'approved'; providerPaymentId: string }
  | { kind: 'challenge'; providerPaymentId: string; challengeUrl: string };

/** The payment as the provider created it, and its answer to the card (both in one activity). */
export interface PreparedSubmission {
  handle: ProviderPaymentHandle;
  outcome: SubmissionOutcome;
}

export type ProviderPaymentState = 'PENDING' | 'PENDING_ACTION' | 'COMPLETE' | 'FAILED' | 'CANCELLED' | 'REFUNDED';

export interface ProviderStatus {
  providerPaymentId: string;
  state: ProviderPaymentState;
  failureCode?: string;
  refundedMinor?: number;
  /** Brand and last four of the card charged, where the provider says (a hosted form's card is known only there). */
  card?: CardSummary;
}

/** A hosted card form that keeps the card on file at the provider (TurnStay's "Tokenize Card" action). */
export interface HostedCardForm {
  formId: string;
  url: string;
}

/** What became of a hosted card-on-file form: PENDING until the shopper has entered a card. */
export interface HostedCardFormResult {
  state: 'PENDING' | 'COMPLETE';
  paymentMethodToken?: string;
  card?: CardSummary;
}

/** One payment as a provider's listing shows it: what reconciliation compares with ours. */
export interface ProviderPaymentListing {
  providerPaymentId: string;
  /** The reference we sent (our payment ID), or whatever reference a charge we never made carries. */
  reference: string;
  state: ProviderPaymentState;
  amountMinor: number;
  currency: string;
  refundedMinor: number;
}

export interface RefundRequest {
  amountMinor: number;
  currency: string;
  reason: string;
  /** Derived from the refund's id (itself from the merchant's Idempotency-Key), so a retried refund never refunds twice. */
  idempotencyKey: string;
}

export interface RefundResult {
  refundId: string;
  amountMinor: number;
}

export interface CancelResult {
  /** False when the provider had already charged the card (then the caller refunds instead). */
  cancelled: boolean;
  state: ProviderPaymentState;
}

/**
 * One implementation per provider under activities/<provider>/. Business outcomes come back as values or as
 * non-retryable ApplicationFailures (see payment-failure-types.ts); transient faults throw plain errors so the
 * activity retry policy backs off and retries.
 */
export interface ProviderAdapter {
  readonly name: string;
  preparePayment(request: PaymentRequest): Promise<ProviderPaymentHandle>;
  submitCard(request: PaymentRequest, handle: ProviderPaymentHandle, submission: CardSubmission): Promise<SubmissionOutcome>;
  getStatus(request: PaymentRequest, handle: ProviderPaymentHandle): Promise<ProviderStatus>;
  cancel(request: PaymentRequest, handle: ProviderPaymentHandle): Promise<CancelResult>;
  refund(request: PaymentRequest, handle: ProviderPaymentHandle, refund: RefundRequest): Promise<RefundResult>;
  /** Where the provider can list a payment's refunds: the one made with this idempotency key, if any (a read, never a refund). */
  findRefund?(request: PaymentRequest, handle: ProviderPaymentHandle, idempotencyKey: string): Promise<RefundResult | undefined>;
  /** Payments created since a time, where the provider can list them (the sandboxes can; see README, Reconciliation). */
  listPaymentsSince?(since: Date): Promise<ProviderPaymentListing[]>;
  /** Only where the provider can keep a card for later charges (TurnStay's card on file). */
  tokenize?(card: CardDetails, payerEmail?: string): Promise<TokenizedCard>;
  /** Only where the provider hosts a card-on-file form (TurnStay Option A): the shopper types the card there. */
  openHostedCardForm?(payerEmail?: string): Promise<HostedCardForm>;
  hostedCardFormResult?(formId: string): Promise<HostedCardFormResult>;
}
