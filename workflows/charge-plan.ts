import type { ChargePolicy, ScheduledCharge, Stay } from './reservation-types';

const DAY_MS = 86_400_000;

/** A date alone ("2027-03-01") means 00:00 UTC that day. */
export function toInstant(dateOrDateTime: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(dateOrDateTime) ? `${dateOrDateTime}T00:00:00Z` : dateOrDateTime);
}

/** The charges a policy makes for a stay, with their due instants ("now" ones are due at `now`). */
export function planCharges(policy: ChargePolicy, amountMinor: number, stay: Stay, now: number): Pick<ScheduledCharge, 'id' | 'label' | 'amountMinor' | 'dueAt'>[] {
  const checkin = toInstant(stay.checkinAt);
  const at = (instant: number) => new Date(instant).toISOString();
  switch (policy.kind) {
    case 'charge_now':
      return [{ id: 'c1', label: 'full', amountMinor, dueAt: at(now) }];
    case 'days_before_checkin':
      return [{ id: 'c1', label: 'full', amountMinor, dueAt: at(checkin - policy.days * DAY_MS) }];
    case 'on_checkin':
      return [{ id: 'c1', label: 'full', amountMinor, dueAt: at(checkin) }];
    case 'deposit_then_balance':
      return [
        { id: 'c1', label: 'deposit', amountMinor: policy.depositMinor, dueAt: at(now) },
        { id: 'c2', label: 'balance', amountMinor: amountMinor - policy.depositMinor, dueAt: at(checkin - policy.balanceDaysBeforeCheckin * DAY_MS) },
      ];
  }
}

/** Due dates for the charges still pending after a change of dates; paid ones keep theirs. */
export function replanDueDates(policy: ChargePolicy, charges: ScheduledCharge[], stay: Stay, now: number): Map<string, string> {
  const plan = planCharges(policy, charges.reduce((sum, charge) => sum + charge.amountMinor, 0), stay, now);
  const due = new Map<string, string>();
  for (const charge of charges) {
    if (charge.status !== 'PENDING') continue;
    const planned = plan.find((entry) => entry.id === charge.id);
    // "Now" charges that are still pending (retrying) keep their schedule.
    if (planned && !(policy.kind === 'charge_now' || charge.label === 'deposit')) due.set(charge.id, planned.dueAt);
  }
  return due;
}
