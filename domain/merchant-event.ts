import type { CardSummary } from './card';
import type { PaymentStatus } from './payment-status';

/** What a merchant acts on: each becomes one signed Standard Webhooks event to its endpoints. */
export const MERCHANT_EVENT_TYPES = [
  'payment.action_required',
  'payment.completed',
  'payment.declined',
  'payment.failed',
  'payment.expired',
  'payment.cancelled',
  'payment.refunded',
  'reservation.scheduled',
  'reservation.charged',
  'reservation.charge_failed',
  'reservation.failed',
  'reservation.cancelled',
] as const;
export type MerchantEventType = (typeof MERCHANT_EVENT_TYPES)[number];

/**
 * One event as the receiver gets it (the Standard Webhooks payload shape: type, timestamp, data). `id` is the
 * `webhook-id` header: the same on every delivery of this event. `data.sequence` grows with every event of the same
 * payment or reservation, so a receiver can drop one older than what it already holds.
 */
export interface MerchantEvent {
  id: string;
  type: MerchantEventType;
  timestamp: string;
  data: PaymentEventData | ReservationEventData;
}

/** A payment's state as an event carries it: no card data beyond brand and last four. */
export interface PaymentEventData {
  object: 'payment';
  paymentId: string;
  reference: string;
  sequence: number;
  status: PaymentStatus;
  provider: string;
  amountMinor: number;
  currency: string;
  refundedMinor: number;
  /** Absent while a hosted form's card is not known yet. */
  card?: CardSummary;
  nextAction?: { type: 'redirect'; url: string };
  failure?: { code: string; message: string };
  /** Set by a partial refund (the payment stays COMPLETE) and by the refund that refunded the rest. */
  refund?: { id?: string; amountMinor: number; partial: boolean };
  /** The reservation whose charge this payment is. */
  reservationId?: string;
}

export interface ReservationEventData {
  object: 'reservation';
  reservationId: string;
  reference: string;
  sequence: number;
  status: string;
  amountMinor: number;
  paidMinor: number;
  refundedMinor: number;
  currency: string;
  /** Absent while a hosted form's card is not known yet. */
  card?: CardSummary;
  /** The charge this event is about (charged, charge_failed): its attempt and, after a decline, the dunning step. */
  charge?: {
    id: string;
    label: string;
    amountMinor: number;
    attempt: number;
    paymentId?: string;
    failure?: { code: string; message: string };
    /** When the next attempt is due; absent when no attempt is left (the reservation is FAILED). */
    nextAttemptAt?: string;
  };
  failure?: { code: string; message: string };
}

/** Deterministic from the emitting workflow and its sequence: a re-emission after a crash has the same id. */
export function merchantEventId(workflowId: string, sequence: number): string {
  return `evt_${workflowId}_${sequence}`;
}

/**
 * The per-merchant event log's workflow id (deliveries are its activities in the Web UI). It names the task queue
 * too: deployments sharing a namespace (and test files sharing a server) each keep their own log and endpoints.
 */
export function merchantEventLogId(merchantId: string, taskQueue: string): string {
  return `merchant-events-${merchantId}-${taskQueue}`;
}
