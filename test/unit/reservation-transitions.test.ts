import { amountChangeRefusal, changeAmount, moveStay, nextWake, settleAttempt, totalMinor } from '../../workflows/reservation-transitions';
import type { ReservationState, ScheduledCharge } from '../../workflows/reservation-types';

const HOUR_MS = 3_600_000;
const now = Date.parse('2027-01-10T12:00:00Z');
const charge = (overrides: Partial<ScheduledCharge>): ScheduledCharge => ({
  id: 'c1', label: 'full', amountMinor: 40_000, dueAt: '2027-02-28T00:00:00.000Z', status: 'PENDING', attempts: 0, paymentIds: [], refundedMinor: 0, ...overrides,
});
const reservation = (charges: ScheduledCharge[]): Pick<ReservationState, 'charges' | 'stay' | 'failure'> => ({
  charges,
  stay: { checkinAt: '2027-03-01', checkoutAt: '2027-03-04' },
});
const depositAndBalance = () => reservation([
  charge({ id: 'c1', label: 'deposit', amountMinor: 10_000, dueAt: '2027-01-10T12:00:00.000Z', status: 'PAID' }),
  charge({ id: 'c2', label: 'balance', amountMinor: 30_000 }),
]);

describe('a reservation plan', () => {
  test('wakes for the next charge (its retry first), or for check-out once paid in full', () => {
    expect(nextWake(depositAndBalance())).toMatchObject({ charge: { id: 'c2' }, at: Date.parse('2027-02-28T00:00:00Z'), summary: 'Sleep until the balance charge is due' });
    const retrying = reservation([charge({ retryAt: '2027-02-28T01:00:00.000Z' })]);
    expect(nextWake(retrying).at).toBe(Date.parse('2027-02-28T01:00:00Z'));
    const paid = reservation([charge({ status: 'PAID' })]);
    expect(nextWake(paid)).toEqual({ at: Date.parse('2027-03-04'), waitingFor: 'check-out on 2027-03-04 (paid in full)', summary: 'Sleep until check-out' });
  });

  test('the amount is what the charges add up to; a change moves the last pending charge', () => {
    const plan = depositAndBalance();
    expect(totalMinor(plan.charges)).toBe(40_000);
    expect(amountChangeRefusal(plan.charges, 10_000)).toBe('amountMinor must exceed the 10000 already charged or fixed');
    expect(amountChangeRefusal(plan.charges, 45_500)).toBeUndefined();
    changeAmount(plan.charges, 45_500);
    expect(plan.charges.map((entry) => entry.amountMinor)).toEqual([10_000, 35_500]);
    expect(totalMinor(plan.charges)).toBe(45_500);
    expect(amountChangeRefusal([charge({ status: 'PAID' })], 50_000)).toMatch(/everything is charged/);
  });

  test('a date change moves pending charges, paid ones keep their date', () => {
    const plan = depositAndBalance();
    moveStay(plan, { kind: 'deposit_then_balance', depositMinor: 10_000, balanceDaysBeforeCheckin: 2 }, { checkinAt: '2027-04-01', checkoutAt: '2027-04-03' }, now);
    expect(plan.stay).toEqual({ checkinAt: '2027-04-01', checkoutAt: '2027-04-03' });
    expect(plan.charges.map((entry) => entry.dueAt)).toEqual(['2027-01-10T12:00:00.000Z', '2027-03-30T00:00:00.000Z']);
  });
});

describe('a charge attempt settles', () => {
  const context = { now, dunningDelaysMs: [HOUR_MS, 24 * HOUR_MS], cardOnFile: true };

  test('paid: the reservation is PAID, or PARTIALLY_PAID while a charge is still due', () => {
    const plan = reservation([charge({ attempts: 1 }), charge({ id: 'c2', label: 'balance' })]);
    const step = settleAttempt(plan, plan.charges[0]!, { status: 'COMPLETE', providerPaymentId: 'pp_1' }, context);
    expect(step).toEqual({ status: 'PARTIALLY_PAID', note: 'full charged' });
    expect(plan.charges[0]).toMatchObject({ status: 'PAID', providerPaymentId: 'pp_1', retryAt: undefined });
    expect(settleAttempt(plan, plan.charges[1]!, { status: 'COMPLETE', providerPaymentId: 'pp_2' }, context).status).toBe('PAID');
  });

  test('declined with a card on file: retried on the dunning schedule', () => {
    const plan = reservation([charge({ attempts: 1 })]);
    const step = settleAttempt(plan, plan.charges[0]!, { status: 'DECLINED', failure: { code: 'insufficient_funds', message: 'no' } }, context);
    expect(step).toEqual({ status: 'RETRY_SCHEDULED', note: 'full declined (insufficient_funds); retry in 1 hour' });
    expect(plan.charges[0]?.retryAt).toBe('2027-01-10T13:00:00.000Z');
  });

  test('declined past the schedule, past check-in, or without a card on file: FAILED with what to do', () => {
    const exhausted = reservation([charge({ attempts: 3 })]);
    expect(settleAttempt(exhausted, exhausted.charges[0]!, { status: 'DECLINED', failure: { code: 'insufficient_funds', message: 'no' } }, context).status).toBe('FAILED');
    expect(exhausted.failure?.message).toBe('full charge failed after 3 attempt(s) (last: insufficient_funds); ask the guest for another card or cancel the reservation');
    const lastNight = reservation([charge({ attempts: 1 })]);
    expect(settleAttempt(lastNight, lastNight.charges[0]!, { status: 'FAILED' }, { ...context, now: Date.parse('2027-02-28T23:30:00Z') }).status).toBe('FAILED');
    expect(lastNight.charges[0]?.lastFailure).toEqual({ code: 'failed', message: 'payment ended FAILED' });
    const cardInMemory = reservation([charge({ attempts: 1 })]);
    expect(settleAttempt(cardInMemory, cardInMemory.charges[0]!, { status: 'DECLINED' }, { ...context, cardOnFile: false }).status).toBe('FAILED');
  });
});
