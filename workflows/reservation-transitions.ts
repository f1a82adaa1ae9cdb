import { replanDueDates, toInstant } from './charge-plan';
import { describeDuration } from './describe-duration';
import type { PaymentView } from './payment-types';
import type { ChangeStayInput, ChargePolicy, ReservationState, ReservationStatus, ScheduledCharge } from './reservation-types';

/**
 * The reservation's plan and how it changes, as pure functions of its state (no Temporal calls): the workflow
 * applies them and records the status they name, so each rule can be read and unit-tested alone.
 */

const at = (instant: number) => new Date(instant).toISOString();

/** The reservation's amount: what its charges add up to (a change of amount moves the last pending charge). */
export function totalMinor(charges: readonly ScheduledCharge[]): number {
  return charges.reduce((sum, charge) => sum + charge.amountMinor, 0);
}

export function paidMinor(charges: readonly ScheduledCharge[]): number {
  return totalMinor(charges.filter((charge) => charge.status === 'PAID'));
}

export function pendingCharges(charges: readonly ScheduledCharge[]): ScheduledCharge[] {
  return charges.filter((charge) => charge.status === 'PENDING');
}

/** When a pending charge is next attempted: its retry after a decline, or its due date. */
export function nextDue(charge: ScheduledCharge): number {
  return toInstant(charge.retryAt ?? charge.dueAt);
}

/** What the reservation sleeps until: the next charge due, or check-out once everything is paid. */
export interface Wake {
  /** The charge to attempt on waking; absent when the stay is paid in full and the wake is check-out. */
  charge?: ScheduledCharge;
  at: number;
  waitingFor: string;
  summary: string;
}

export function nextWake(state: Pick<ReservationState, 'charges' | 'stay'>): Wake {
  const charge = pendingCharges(state.charges)[0];
  if (!charge) {
    return { at: toInstant(state.stay.checkoutAt), waitingFor: `check-out on ${state.stay.checkoutAt} (paid in full)`, summary: 'Sleep until check-out' };
  }
  const due = nextDue(charge);
  return { charge, at: due, waitingFor: `the ${charge.label} charge due ${at(due)}`, summary: `Sleep until the ${charge.label} charge is due` };
}

/** A new stay: pending charges move with it (charge-now ones and deposits keep theirs), paid ones keep their dates. */
export function moveStay(state: Pick<ReservationState, 'charges' | 'stay'>, policy: ChargePolicy, change: ChangeStayInput, now: number): void {
  const due = replanDueDates(policy, state.charges, { checkinAt: change.checkinAt, checkoutAt: change.checkoutAt }, now);
  state.stay = { checkinAt: change.checkinAt, checkoutAt: change.checkoutAt };
  for (const charge of state.charges) {
    const dueAt = due.get(charge.id);
    if (dueAt) charge.dueAt = dueAt;
  }
}

/** What the amount may change to: more than what is charged or fixed already (all but the last pending charge). */
export function amountChangeRefusal(charges: readonly ScheduledCharge[], amountMinor: number): string | undefined {
  if (!Number.isInteger(amountMinor) || amountMinor <= 0) return 'amountMinor must be a positive integer';
  const last = pendingCharges(charges).at(-1);
  if (!last) return 'everything is charged already; refund the difference instead';
  const fixed = totalMinor(charges) - last.amountMinor;
  if (amountMinor <= fixed) return `amountMinor must exceed the ${fixed} already charged or fixed`;
  return undefined;
}

/** A new amount: the last pending charge takes the difference. */
export function changeAmount(charges: ScheduledCharge[], amountMinor: number): void {
  const last = pendingCharges(charges).at(-1) as ScheduledCharge;
  last.amountMinor += amountMinor - totalMinor(charges);
}

/** The status an attempt's outcome moves the reservation to, and the note it is recorded with. */
export interface AttemptStep {
  status: ReservationStatus;
  note: string;
}

/**
 * What an attempt's payment makes of its charge: paid; a decline retried on the dunning schedule (only with a card on
 * file, and never past check-in); or failed, with a reason an operator can act on (set on `state.failure`).
 */
export function settleAttempt(
  state: Pick<ReservationState, 'charges' | 'stay' | 'failure'>,
  charge: ScheduledCharge,
  result: Pick<PaymentView, 'status' | 'failure' | 'providerPaymentId'>,
  context: { now: number; dunningDelaysMs: readonly number[]; cardOnFile: boolean },
): AttemptStep {
  if (result.status === 'COMPLETE') {
    charge.status = 'PAID';
    charge.retryAt = undefined;
    charge.providerPaymentId = result.providerPaymentId;
    return { status: pendingCharges(state.charges).length === 0 ? 'PAID' : 'PARTIALLY_PAID', note: `${charge.label} charged` };
  }
  charge.lastFailure = result.failure ?? { code: result.status.toLowerCase(), message: `payment ended ${result.status}` };
  const delay = context.dunningDelaysMs[charge.attempts - 1];
  const retryAt = delay === undefined ? undefined : context.now + delay;
  // The card was only in memory (no token): it cannot be tried again without the guest.
  if (context.cardOnFile && retryAt !== undefined && retryAt <= toInstant(state.stay.checkinAt)) {
    charge.retryAt = at(retryAt);
    return { status: 'RETRY_SCHEDULED', note: `${charge.label} ${result.status.toLowerCase()} (${charge.lastFailure.code}); retry in ${describeDuration(delay as number)}` };
  }
  charge.status = 'FAILED';
  state.failure = {
    code: charge.lastFailure.code,
    message: `${charge.label} charge failed after ${charge.attempts} attempt(s) (last: ${charge.lastFailure.code}); ask the guest for another card or cancel the reservation`,
  };
  return { status: 'FAILED', note: state.failure.message };
}
