import type { PaymentFailure, PaymentView } from './payment-types';

export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
/** PENDING: asked of the provider, outcome not known yet (it is resolved in the background). */
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** One refund of a payment, as the merchant sees it. */
export interface RefundView {
  /** `re_…`: derived from the merchant's Idempotency-Key (or random without one); the provider's key derives from it. */
  id: string;
  paymentId: string;
  status: RefundStatus;
  amountMinor: number;
  currency: string;
  reason: string;
  createdAt: string;
  providerRefundId?: string;
  failure?: PaymentFailure;
}

/** How long a refund request (or a cancellation's refund) waits for the provider's outcome before answering PENDING. */
export const DEFAULT_REFUND_ANSWER_WITHIN_MS = 20_000;

/** The refund a cancellation after the charge makes; merchant refund ids are `re_` + hex, so this one never clashes. */
export const CANCEL_REFUND_ID = 're_cancel';

/** A refund request with an id: the same id with the same fingerprint is a replay, with another one a conflict. */
export interface RequestRefundInput {
  refundId: string;
  /** Digest of the merchant's request (amount and reason). */
  requestFingerprint: string;
  /** The whole refundable rest when absent. */
  amountMinor?: number;
  reason: string;
}

/** The refund update's reply: the refund, and the payment it belongs to. */
export interface RefundOutcome {
  refund: RefundView;
  payment: PaymentView;
}

/** What the payment recorded of one refund request (nothing when it has no refund of that id). */
export interface RecordedRefund {
  paymentStatus: PaymentView['status'];
  refund?: RefundView;
  requestFingerprint?: string;
}

/** Why a refund or cancel update was rejected: the API maps each type to its own error code. */
export const RefundRejection = {
  /** The Idempotency-Key was used with a different request body. */
  IdempotencyConflict: 'IdempotencyConflict',
  /** More than what is left after succeeded and pending refunds. */
  AmountExceedsRefundable: 'AmountExceedsRefundable',
  /** A cancel cannot run beside a refund: it would refund the same money again. */
  RefundInProgress: 'RefundInProgress',
  /** The provider refused the refund (legacy refunds without ids). */
  RefundRefused: 'RefundRefused',
} as const;
