import { planCharges, toInstant } from '../../workflows/charge-plan';

const now = Date.parse('2027-01-10T12:00:00Z');
const stay = { checkinAt: '2027-03-01', checkoutAt: '2027-03-04' };

describe('charge plan', () => {
  test('a date alone is midnight UTC', () => {
    expect(new Date(toInstant('2027-03-01')).toISOString()).toBe('2027-03-01T00:00:00.000Z');
  });

  test.each([
    [{ kind: 'charge_now' as const }, [['full', 50_000, '2027-01-10T12:00:00.000Z']]],
    [{ kind: 'on_checkin' as const }, [['full', 50_000, '2027-03-01T00:00:00.000Z']]],
    [{ kind: 'days_before_checkin' as const, days: 7 }, [['full', 50_000, '2027-02-22T00:00:00.000Z']]],
    [
      { kind: 'deposit_then_balance' as const, depositMinor: 10_000, balanceDaysBeforeCheckin: 2 },
      [['deposit', 10_000, '2027-01-10T12:00:00.000Z'], ['balance', 40_000, '2027-02-27T00:00:00.000Z']],
    ],
  ])('%j', (policy, expected) => {
    expect(planCharges(policy, 50_000, stay, now).map((charge) => [charge.label, charge.amountMinor, charge.dueAt])).toEqual(expected);
  });
});
