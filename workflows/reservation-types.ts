import type { CardSummary } from '../domain/card';
import type { PaymentStatus } from '../domain/payment-status';
import type { ProviderName } from '../domain/provider-name';
import type { CardSource, NextAction, PaymentFailure, PaymentTiming, PaymentView } from './payment-types';

/** When a reservation's money is taken (relative to check-in, where the stay's virtual card is valid from). */
export type ChargePolicy =
  | { kind: 'charge_now' }
  | { kind: 'days_before_checkin'; days: number }
  | { kind: 'on_checkin' }
  | { kind: 'deposit_then_balance'; depositMinor: number; balanceDaysBeforeCheckin: number };

export interface Stay {
  /** ISO date-times (a date alone means 00:00 UTC that day). */
  checkinAt: string;
  checkoutAt: string;
}

export const RESERVATION_STATUSES = [
  'BOOKING', 'SCHEDULED', 'CHARGING', 'RETRY_SCHEDULED', 'PARTIALLY_PAID', 'PAID', 'FAILED', 'CANCELLED', 'REFUNDED', 'COMPLETED',
] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export interface ScheduledCharge {
  id: string;
  label: 'full' | 'deposit' | 'balance';
  amountMinor: number;
  dueAt: string;
  status: 'PENDING' | 'PAID' | 'FAILED';
  attempts: number;
  /** When the next attempt after a decline is due (dunning). */
  retryAt?: string;
  /** Child payment workflows, one per attempt. */
  paymentIds: string[];
  providerPaymentId?: string;
  refundedMinor: number;
  lastFailure?: PaymentFailure;
  /**
   * True when the charge's payment workflow stays open and owns its refunds (charges since issue 13): the
   * reservation asks it to refund, and mirrors what it reports. Older charges were refunded by the reservation.
   */
  refundsOwnedByPayment?: boolean;
  /** The owning payment's state as it last reported it (status, and whether its cancellation refund has settled). */
  payment?: { status: PaymentStatus; cancelRefundSettled: boolean };
  /**
   * The payment created ahead for the next attempt, its start delayed until `at` (charges since issue 17); `report` is
   * what it said when it ran (carried over continue-as-new until the reservation takes it in; never shown);
   * `lookUps` how many times the server was asked about it past its due time and found it still running.
   */
  scheduled?: { paymentId: string; at: string; amountMinor: number; report?: PaymentView; lookUps?: number };
  /** Payments scheduled ahead and superseded before they ran (a change of plan or a cancellation): none charged. */
  supersededPaymentIds?: string[];
}

export interface ReservationState {
  status: ReservationStatus;
  stay: Stay;
  charges: ScheduledCharge[];
  paymentMethodToken?: string;
  /** Brand and last four of the card entered on a hosted form (the request had none). */
  card?: CardSummary;
  /** While booking with a hosted form: where the guest enters the card (TurnStay's Secure Card Service). */
  nextAction?: NextAction;
  failure?: PaymentFailure;
  transitions: { status: ReservationStatus; at: string; note?: string }[];
  /** Merchant events published so far (carried over continue-as-new): each event's `sequence`. */
  eventSequence?: number;
}

export interface ReservationInput {
  reservationId: string;
  merchantId: string;
  reference: string;
  provider: ProviderName;
  /** How the provider is named to people (see PaymentWorkflowInput.providerLabel); passed on to the charges' payments. */
  providerLabel?: string;
  currency: string;
  description?: string;
  payerEmail?: string;
  payerPhone?: string;
  policy: ChargePolicy;
  /** Whether cancelling after a charge refunds it (false: a non-refundable rate keeps the money). */
  refundableOnCancel: boolean;
  /** Absent when the guest enters the card on a hosted form. */
  card?: CardSummary;
  /**
   * The card in the receiving process's memory (tokenized at booking, or charged at once for charge now), or a hosted
   * form on which the guest enters it (kept on file at the provider; only the token comes back).
   */
  cardSource: CardSource;
  /** Waits between attempts after a decline (default 1 hour, 1 day, 3 days), never past check-in. */
  dunningDelaysMs?: number[];
  paymentTiming?: PaymentTiming;
  startRequestId: string;
  /** Continue as new past this many history events (besides the server's own suggestion). */
  continueAsNewAfterEvents?: number;
  /** Set at booking; carried over continue-as-new with everything that happened since. */
  initial: { amountMinor: number; stay: Stay };
  carried?: ReservationState;
}

export interface ReservationView extends ReservationState {
  /** What the charges add up to (a change of amount moves the last pending charge). */
  amountMinor: number;
  reservationId: string;
  merchantId: string;
  reference: string;
  provider: ProviderName;
  currency: string;
  card?: CardSummary;
  policy: ChargePolicy;
  nextChargeAt?: string;
  paidMinor: number;
  refundedMinor: number;
  /**
   * True while a cancellation's refund is still being settled by the charge's payment (the provider has not answered
   * within the refund budget): the reservation shows CANCELLED and turns REFUNDED once the refund is made.
   */
  refundPending: boolean;
}

export interface ChangeStayInput {
  checkinAt: string;
  checkoutAt: string;
}

export interface ChangeAmountInput {
  amountMinor: number;
}

/** The reply to the booking call: the reservation, and which request created it. */
export interface ReservationBooked {
  reservation: ReservationView;
  startRequestId: string;
}
