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
import type { ChangeAmountInput, ChangeStayInput, ReservationBooked, ReservationView } from './reservation-types';

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
export const refundPaymentUpdate = defineUpdate<PaymentView, [RefundPaymentInput]>('refundPayment');

/** Reservations: the booking's reply, its state, and the changes a hotel makes over the months before the stay. */
export const reservationBookedUpdate = defineUpdate<ReservationBooked>('reservationBooked');
export const reservationStateQuery = defineQuery<ReservationView>('reservationState');
export const changeStayUpdate = defineUpdate<ReservationView, [ChangeStayInput]>('changeStay');
export const changeAmountUpdate = defineUpdate<ReservationView, [ChangeAmountInput]>('changeAmount');
export const cancelReservationUpdate = defineUpdate<ReservationView, [CancelPaymentInput]>('cancelReservation');
