import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CancelPaymentInput,
  CardOffer,
  ChallengeCompletedSignal,
  FirstOutcome,
  PaymentView,
  ProviderEventSignal,
  RefundPaymentInput,
} from './payment-types';
import type { ReconciliationFinding } from './reconciliation-types';
import type { RecordedRefund, RefundOutcome, RequestRefundInput } from './refund-types';
import type { ChangeAmountInput, ChangeStayInput, ReservationBooked, ReservationView } from './reservation-types';
import type { MerchantEvent } from '../domain/merchant-event';
import type { EventsAfterInput, EventsPage, PublishedEvent } from './merchant-event-log-types';

/**
 * Answers as soon as the first outcome is known (COMPLETE, DECLINED, PENDING_ACTION...): the start call's reply.
 * Each start request offers its card with it, used only if the payment lost its own card (CardHandover).
 */
export const firstOutcomeUpdate = defineUpdate<FirstOutcome, [offer?: CardOffer]>('firstOutcome');
export const paymentStateQuery = defineQuery<PaymentView>('paymentState');
/** Sent by API processes of earlier versions; each one is a history event, so the API now uses providerEventUpdate. */
export const providerEventSignal = defineSignal<[ProviderEventSignal]>('providerEvent');
/** A provider webhook as a hint; its validator refuses what the payment does not need, leaving no trace in history. */
export const providerEventUpdate = defineUpdate<void, [ProviderEventSignal]>('providerEventHint');
export const challengeCompletedSignal = defineSignal<[ChallengeCompletedSignal]>('challengeCompleted');
export const cancelPaymentUpdate = defineUpdate<PaymentView, [CancelPaymentInput]>('cancelPayment');
/** Refunds before they had ids; kept so that histories and callers from then still work. New callers use requestRefund. */
export const refundPaymentUpdate = defineUpdate<PaymentView, [RefundPaymentInput]>('refundPayment');
/** A refund with an id: the same id again returns the same refund; answers PENDING if the provider is slow to tell. */
export const requestRefundUpdate = defineUpdate<RefundOutcome, [RequestRefundInput]>('requestRefund');
/** One refund by id with its request's fingerprint: answers a retried request also once the payment has closed. */
export const refundRequestQuery = defineQuery<RecordedRefund, [string]>('refundRequest');
/** From the reservation that owns a charge: cancel it (refund it), as the cancel update does, after any refund in flight. */
export const cancelOwnedPaymentSignal = defineSignal<[CancelPaymentInput]>('cancelOwnedPayment');
/**
 * From the owning reservation, to a charge's payment created ahead with its start delayed (issue 17): do not run.
 * Sent with signal-with-start, which ends the delay, so a payment that has not started sees it before its first
 * provider call and ends CANCELLED (`superseded`) without one; a payment already running ignores it.
 */
export const supersedeScheduledPaymentSignal = defineSignal<[{ reason: string }]>('supersedeScheduledPayment');
/** To the owning reservation: the payment's state after its charge settled and whenever its refunds change. */
export const ownedPaymentChangedSignal = defineSignal<[PaymentView]>('ownedPaymentChanged');

/**
 * From the reconciliation sweep: what it found. The payment records it (ReconStatus, a note), asks the provider
 * again, and heals itself where it was waiting for an outcome the provider already has.
 */
export const reconciliationFindingSignal = defineSignal<[ReconciliationFinding]>('reconciliationFinding');

/** Reservations: the booking's reply, its state, and the changes a hotel makes over the months before the stay. */
export const reservationBookedUpdate = defineUpdate<ReservationBooked>('reservationBooked');
export const reservationStateQuery = defineQuery<ReservationView>('reservationState');
export const changeStayUpdate = defineUpdate<ReservationView, [ChangeStayInput]>('changeStay');
export const changeAmountUpdate = defineUpdate<ReservationView, [ChangeAmountInput]>('changeAmount');
export const cancelReservationUpdate = defineUpdate<ReservationView, [CancelPaymentInput]>('cancelReservation');

/** The merchant event log: events published by payments and reservations, the catch-up listing, and redelivery. */
export const merchantEventPublishedSignal = defineSignal<[PublishedEvent]>('merchantEventPublished');
/** Events that reached one worker process together, in the order they were published there. */
export const merchantEventsPublishedSignal = defineSignal<[PublishedEvent[]]>('merchantEventsPublished');
export const merchantEventsAfterQuery = defineQuery<EventsPage, [EventsAfterInput]>('merchantEventsAfter');
export const redeliverMerchantEventUpdate = defineUpdate<MerchantEvent & { cursor: number }, [string]>('redeliverMerchantEvent');
