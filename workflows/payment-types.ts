import type { PaymentRequest } from '../domain/payment-request';
import type { PaymentStatus } from '../domain/payment-status';
import type { RefundView } from './refund-types';

/** Workflow input: the payment and where its card data waits. No card data itself, ever. */
export interface PaymentWorkflowInput {
  request: PaymentRequest;
  cardSource: CardSource;
  /** Hash of the creating request (card excluded) so a replay with a different body can be told apart. */
  requestFingerprint?: string;
  /** Random id of the request that started the workflow: a repeated request can tell it did not start it. */
  startRequestId: string;
  timing?: PaymentTiming;
  /** Set when a reservation made this charge: the payment tells it of its charge and refunds (it owns them). */
  owner?: { reservationId: string };
  /**
   * How the payment names its provider to people (activity summaries in the Web UI, notes, waits, failure messages),
   * from the API's provider registry. Histories from before it have none: they show the provider's name as written
   * (`request.provider`). Only display text depends on it, no command, so replay is unaffected either way.
   */
  providerLabel?: string;
}

/**
 * Where the card comes from: the memory of the process that received it (its own task queue, host affinity),
 * or a provider token from an earlier tokenization (reservations), which is not card data.
 */
export type CardSource = VaultCardSource | { kind: 'token'; paymentMethodToken: string } | HostedCardSource;

/** TurnStay Option A: the shopper types the card on the provider's hosted form; no card ever reaches us. */
export interface HostedCardSource {
  kind: 'hosted';
}

export interface VaultCardSource {
  kind: 'vault';
  taskQueue: string;
  handle: string;
}

/** What every start request offers with its first-outcome update: its card, in case the payment lost its own. */
export interface CardOffer {
  /** Absent when the request has no card (a hosted form). */
  cardSource?: VaultCardSource;
  /** Must equal the payment's own fingerprint: only the same request (same body and key) may hand a card over. */
  requestFingerprint?: string;
}

/** The failure code of a charge's payment its reservation superseded before it ran (it never called the provider). */
export const SUPERSEDED_FAILURE_CODE = 'superseded';

export interface PaymentTiming {
  /** How long a shopper has for the 3-D Secure challenge (default 15 minutes). */
  challengeTimeoutMs?: number;
  /** Delays between provider status polls when no webhook comes (the last one repeats). */
  statusPollDelaysMs?: number[];
  /** How long a completed payment stays open for refunds (default 90 days; 0 when a parent handles refunds). */
  refundWindowMs?: number;
  /** How long the card vault's process may take to pick up the submission before the card counts as lost. */
  cardPickupTimeoutMs?: number;
  /**
   * When a card submission's answer is lost and the provider's payment id is still unknown (Trustist creates the
   * payment with the card), how long to wait for a webhook naming it before calling the payment failed (default 2 minutes).
   */
  lostAnswerGraceMs?: number;
  /** How long a refund request waits for the provider's outcome before it answers with the refund PENDING (default 20 s). */
  refundAnswerWithinMs?: number;
  /** Waits between rounds of asking the provider about a refund whose answer was lost (the last one repeats). */
  refundRetryDelaysMs?: number[];
  /**
   * When the card was lost before the provider saw it (its API process died, or dropped it after a lost start
   * answer), how long to wait for the merchant's repeated request to hand its card over (default 2 minutes).
   */
  cardHandoverWindowMs?: number;
  /**
   * A reservation's charge whose payment was created ahead: how long past the due time (or a request to supersede it)
   * the payment may stay silent before the reservation asks the server whether it still runs (default 1 hour, doubled
   * each time it is found still running).
   */
  scheduledChargeSilenceMs?: number;
}

/** The payment's own timing, every field set (the reservation alone reads `scheduledChargeSilenceMs`). */
export type PaymentOwnTiming = Required<Omit<PaymentTiming, 'scheduledChargeSilenceMs'>>;

export interface PaymentTransition {
  status: PaymentStatus;
  at: string;
  note?: string;
}

export interface NextAction {
  type: 'redirect';
  url: string;
}

export interface PaymentFailure {
  code: string;
  message: string;
}

/** What queries, updates and the API return: everything an operator or merchant may see. */
export interface PaymentView {
  paymentId: string;
  merchantId: string;
  reference: string;
  provider: PaymentRequest['provider'];
  amountMinor: number;
  currency: string;
  card: PaymentRequest['card'];
  status: PaymentStatus;
  providerPaymentId?: string;
  nextAction?: NextAction;
  failure?: PaymentFailure;
  /** Sum of SUCCEEDED refunds. */
  refundedMinor: number;
  /** What a new refund may still take: the amount less succeeded and pending refunds. */
  refundableMinor: number;
  refunds: RefundView[];
  waitingFor?: string;
  requestFingerprint?: string;
  transitions: PaymentTransition[];
}

/** The reply to the start call: the payment, and which request created it. */
export interface FirstOutcome {
  payment: PaymentView;
  startRequestId: string;
}

export interface ProviderEventSignal {
  /** Provider event id (or a digest of the event where the provider has none), for deduplication. */
  eventId: string;
  /** The provider's own status word, only a hint: the workflow confirms with the status endpoint. */
  status: string;
  /** The provider's payment id where the event names one (Trustist): lets a lost submission answer be recovered. */
  providerPaymentId?: string;
}

export interface ChallengeCompletedSignal {
  /** What the merchant's front end was told by the challenge page; a hint, confirmed with the provider. */
  outcome: 'authenticated' | 'failed' | 'unknown';
}

export interface CancelPaymentInput {
  reason: string;
}

export interface RefundPaymentInput {
  /** The whole remaining amount when absent. */
  amountMinor?: number;
  reason: string;
}
