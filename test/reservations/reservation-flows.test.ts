import { temporal } from '@temporalio/proto';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, waitForReservation, reservationBody } from '../support/merchant-client';
import { localActivityMarkers } from '../support/local-activity-markers';
import { ledger, setFaults } from '../support/sandbox-client';
import { BROWSER_DATA, testCard, TEST_CARDS } from '../support/test-cards';
import { pause, waitUntil } from '../support/wait-until';

interface ReservationBody {
  id: string;
  status: string;
  nextChargeAt?: string;
  paidMinor: number;
  refundedMinor: number;
  amountMinor: number;
  failure?: { code: string; message: string };
  charges: {
    id: string;
    label: string;
    amountMinor: number;
    dueAt: string;
    status: string;
    attempts: number;
    paymentIds: string[];
    retryAt?: string;
    scheduled?: { paymentId: string; at: string; amountMinor: number };
    supersededPaymentIds?: string[];
  }[];
  transitions: { status: string; note?: string }[];
}

const EventType = temporal.api.enums.v1.EventType;
const activityTypes = (events: temporal.api.history.v1.IHistoryEvent[]) => events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
const DAY_MS = 86_400_000;
const inSeconds = (seconds: number, extraMs = 0) => new Date(Date.now() + seconds * 1_000 + extraMs).toISOString();

/**
 * Reservations on the real dev server with compressed time: check-in a few seconds ahead (or a day plus a few
 * seconds for "N days before"). Every charge is proven in the TurnStay sandbox ledger.
 */
describe('reservations', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ timing: { challengeTimeoutMs: 5_000, statusPollDelaysMs: [1_000], scheduledChargeSilenceMs: 2_000 } });
  });
  afterAll(() => stack?.close());
  afterEach(() => Promise.all([setFaults(stack.turnstay.scsUrl, {}), setFaults(stack.turnstay.apiUrl, {})]));

  const book = (overrides: Record<string, unknown>) =>
    callApi<ReservationBody>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: reservationBody({
        stay: { checkinAt: inSeconds(4), checkoutAt: inSeconds(4, 2 * DAY_MS) },
        policy: { kind: 'on_checkin' },
        ...overrides,
      }),
    });
  const chargedADayBefore = (seconds: number) => ({
    stay: { checkinAt: inSeconds(seconds, DAY_MS), checkoutAt: inSeconds(seconds, 2 * DAY_MS) },
    policy: { kind: 'days_before_checkin', days: 1 },
  });
  const read = (id: string) => callApi<ReservationBody>(stack.baseUrl, 'GET', `/v1/reservations/${id}`);
  const waitFor = (id: string, accept: (reservation: ReservationBody) => boolean, timeoutMs?: number) => waitForReservation<ReservationBody>(stack.baseUrl, id, accept, timeoutMs);
  /** Ledger entries of every child payment of the reservation. */
  const ledgerOf = async (reservation: ReservationBody) => {
    const ids = reservation.charges.flatMap((charge) => charge.paymentIds);
    return (await Promise.all(ids.map((id) => ledger(stack.turnstay.apiUrl, id)))).flat();
  };

  test('charge on check-in: SCHEDULED with the next charge date, sleeps, then PAID with one charge at check-in', async () => {
    const checkinAt = inSeconds(4);
    const booked = await book({ stay: { checkinAt, checkoutAt: inSeconds(4, DAY_MS) } });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ status: 'SCHEDULED', nextChargeAt: checkinAt });
    expect(JSON.stringify(booked.body)).not.toContain('pm_'); // the token stays inside the workflow
    expect(await ledgerOf(booked.body)).toEqual([]);
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID');
    const entries = await ledgerOf(paid);
    expect(entries).toEqual([expect.objectContaining({ type: 'charge', amountMinor: 40_000 })]);
    expect(Date.parse((entries[0] as { at: string } & (typeof entries)[0]).at)).toBeGreaterThanOrEqual(Date.parse(checkinAt));
    // The token is charged in one activity: the payment created and the token submitted together.
    const charge = await stack.client.workflow.getHandle(paid.charges[0]!.paymentIds[0]!).fetchHistory();
    expect(activityTypes(charge.events ?? [])).toEqual(['prepareAndSubmitTokenizedCard']);
    // It tells its reservation within its outcome task (a local activity, not a signal command answered by a task more).
    const eventTypes = (charge.events ?? []).map((event) => event.eventType);
    expect(eventTypes).not.toContain(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    // Two tasks (start, outcome), and often a third, empty one: the provider's webhook, sent as an update while the
    // outcome task was open (its two local activities run one after the other) and refused by the payment, already
    // final; a refused update leaves no task in history only when none was open. Still no task for a signal's answer.
    expect(eventTypes.filter((type) => type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length).toBeLessThanOrEqual(3);
    const told = (await stack.client.workflow.getHandle(booked.body.id).fetchHistory()).events ?? [];
    expect(told.filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'ownedPaymentChanged')).toHaveLength(1);
    // The API kept the card on file before the reservation started: no activity of the reservation's own for it.
    expect(activityTypes(told)).not.toContain('tokenizeCardFromVault');
  });

  test('a card the API could not keep on file at once (provider unavailable) is kept by the reservation\'s own activity, with its retries', async () => {
    await setFaults(stack.turnstay.apiUrl, { failNext: { count: 1, kind: 'status', status: 503, pathPrefix: '/api/v1/payment_method_token_intent' } });
    const booked = await book({});
    expect(booked.body.status).toBe('SCHEDULED');
    const history = (await stack.client.workflow.getHandle(booked.body.id).fetchHistory()).events ?? [];
    expect(activityTypes(history)).toContain('tokenizeCardFromVault');
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID');
    expect(await ledgerOf(paid)).toEqual([expect.objectContaining({ type: 'charge', amountMinor: 40_000 })]);
  });

  test('charge now: PAID in the booking response, one charge; Trustist too (no tokenization)', async () => {
    const turnstay = await book({ policy: { kind: 'charge_now' } });
    expect(turnstay.body.status).toBe('PAID');
    expect(await ledgerOf(turnstay.body)).toHaveLength(1);
    const trustist = await book({ provider: 'trustist', policy: { kind: 'charge_now' }, browserData: BROWSER_DATA });
    expect(trustist.body.status).toBe('PAID');
    const trustistEntries = await ledger(stack.trustist.apiUrl, trustist.body.charges[0]!.paymentIds[0]!);
    expect(trustistEntries.filter((entry) => entry.type === 'charge')).toHaveLength(1);
  });

  test('Trustist cannot keep cards, so any policy but charge now is refused with a clear 400', async () => {
    const refused = await book({ provider: 'trustist', browserData: BROWSER_DATA });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/policy\.kind.*charge_now/);
  });

  test('N days before check-in: due exactly N days before; charged then', async () => {
    const checkinAt = inSeconds(3, DAY_MS);
    const booked = await book({
      stay: { checkinAt, checkoutAt: inSeconds(3, 3 * DAY_MS) },
      policy: { kind: 'days_before_checkin', days: 1 },
    });
    // Exactly one day before check-in (compared with the check-in sent, not with the clock after a slow booking).
    expect(Date.parse(booked.body.nextChargeAt!)).toBe(Date.parse(checkinAt) - DAY_MS);
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID');
    expect(await ledgerOf(paid)).toHaveLength(1);
  });

  test('deposit now and balance later: PARTIALLY_PAID, then PAID; two charges summing to the amount', async () => {
    const booked = await book({
      stay: { checkinAt: inSeconds(4, DAY_MS), checkoutAt: inSeconds(4, 2 * DAY_MS) },
      policy: { kind: 'deposit_then_balance', depositMinor: 10_000, balanceDaysBeforeCheckin: 1 },
    });
    // On a loaded machine the deposit's charge can outlast the 4 s before the balance is due, so PARTIALLY_PAID may
    // last no longer than one poll: the reservation's transitions show it, in order, whether or not a poll caught it.
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID');
    expect(paid.transitions.map((transition) => [transition.status, transition.note]).filter(([status]) => status === 'PARTIALLY_PAID' || status === 'PAID')).toEqual([
      ['PARTIALLY_PAID', 'deposit charged'],
      ['PAID', 'balance charged'],
    ]);
    expect(paid.charges.map((charge) => [charge.label, charge.amountMinor, charge.status])).toEqual([['deposit', 10_000, 'PAID'], ['balance', 30_000, 'PAID']]);
    expect((await ledgerOf(paid)).map((entry) => entry.amountMinor).sort()).toEqual([10_000, 30_000]);
  });

  test('a date change reschedules the timer; impossible changes are refused before they reach history', async () => {
    const booked = await book({});
    const laterCheckin = inSeconds(8);
    const moved = await callApi<ReservationBody>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/change-stay`, {
      body: { checkinAt: laterCheckin, checkoutAt: inSeconds(8, DAY_MS) },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.nextChargeAt).toBe(laterCheckin);
    const backwards = await callApi<{ error: { field: string } }>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/change-stay`, {
      body: { checkinAt: inSeconds(20), checkoutAt: inSeconds(10) },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.field).toBe('checkoutAt');
    const past = await callApi<{ error: { field: string } }>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/change-stay`, {
      body: { checkinAt: new Date(Date.now() - DAY_MS).toISOString(), checkoutAt: inSeconds(10) },
    });
    expect(past.status).toBe(400);
    expect(past.body.error.field).toBe('checkinAt');
    // Not charged at the old check-in...
    await pause(5_000);
    expect(await ledgerOf((await read(booked.body.id)).body)).toEqual([]);
    // ...but at the new one, by a payment scheduled for it: the one scheduled for the old date was superseded unrun.
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID');
    expect(await ledgerOf(paid)).toHaveLength(1);
    expect(paid.charges[0]?.supersededPaymentIds).toHaveLength(1);
    expect(await ledger(stack.turnstay.apiUrl, paid.charges[0]!.supersededPaymentIds![0]!)).toEqual([]);
    const history = await stack.client.workflow.getHandle(booked.body.id).fetchHistory();
    const stayChanges = history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'changeStay') ?? [];
    expect(stayChanges).toHaveLength(1); // the refused changes never reached history
  });

  test('an amount change before the charge is what gets charged', async () => {
    const booked = await book({});
    const changed = await callApi<ReservationBody>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/change-amount`, { body: { amountMinor: 45_500 } });
    expect(changed.body.amountMinor).toBe(45_500);
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID');
    expect((await ledgerOf(paid)).map((entry) => entry.amountMinor)).toEqual([45_500]);
    expect(paid.charges[0]).toMatchObject({ attempts: 1, supersededPaymentIds: [expect.stringMatching(/-a1$/)], paymentIds: [expect.stringMatching(/-a1-r1$/)] });
  });

  test('past its due instant a charge\'s amount is fixed: a change is refused while its payment charges, which charges once', async () => {
    const booked = await book({ stay: { checkinAt: inSeconds(2), checkoutAt: inSeconds(2, DAY_MS) } });
    const { paymentId } = (await waitFor(booked.body.id, (reservation) => reservation.charges[0]?.scheduled !== undefined)).charges[0]!.scheduled!;
    await setFaults(stack.turnstay.scsUrl, { latencyMs: 3_000 });
    const payment = stack.client.workflow.getHandle(paymentId);
    await waitUntil('the charge\'s provider call scheduled', async () => ((await payment.fetchHistory()).events ?? []).some((event) => event.activityTaskScheduledEventAttributes) || undefined, 20_000, 100);
    const refused = await callApi<{ error: { message: string } }>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/change-amount`, { body: { amountMinor: 45_500 } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/being made/);
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID');
    expect((await ledgerOf(paid)).map((entry) => entry.amountMinor)).toEqual([40_000]);
  });

  test('a charge\'s payment that ends without a word (terminated before it ran) is noticed past its due time and tried again', async () => {
    const booked = await book({ dunning: { delaysSeconds: [1] }, ...chargedADayBefore(2) });
    const { paymentId } = (await waitFor(booked.body.id, (reservation) => reservation.charges[0]?.scheduled !== undefined)).charges[0]!.scheduled!;
    await stack.client.workflow.getHandle(paymentId).terminate('an operator ended it by hand');
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID', 30_000);
    expect(paid.transitions.map((transition) => transition.status)).toContain('RETRY_SCHEDULED');
    expect(paid.charges[0]).toMatchObject({ attempts: 2, paymentIds: [paymentId, expect.stringMatching(/-a2$/)], lastFailure: { code: 'payment_workflow_failed' } });
    expect(await ledger(stack.turnstay.apiUrl, paymentId)).toEqual([]);
    expect(await ledgerOf(paid)).toHaveLength(1);
  });

  test('a charge\'s payment that runs long without reporting is looked up at growing intervals, not after every silence bound', async () => {
    const booked = await book(chargedADayBefore(2));
    // Five transient provider failures: the payment retries for ~31 s (1 + 2 + 4 + 8 + 16) before it charges.
    await setFaults(stack.turnstay.apiUrl, { failNext: { count: 5, kind: 'status', status: 503, pathPrefix: '/api/v1/payments/intent' } });
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID', 90_000);
    expect(await ledgerOf(paid)).toHaveLength(1);
    const history = await stack.client.workflow.getHandle(booked.body.id).fetchHistory();
    const lookUps = localActivityMarkers(history.events ?? [], 'describeOwnedPayment');
    // A 2 s bound: looked up at least once (the payment was silent past it), and with the bound doubling each time
    // 4 times in ~31 s (2, 6, 14, 30 s past due) where a fixed bound asks ~15 times; 5 allows one lookup that lands
    // as the charge reports.
    expect(lookUps.length).toBeGreaterThanOrEqual(1);
    expect(lookUps.length).toBeLessThanOrEqual(5);
  });

  test('cancelled before the charge: CANCELLED, nothing ever charged', async () => {
    const booked = await book({});
    const cancelled = await callApi<ReservationBody>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/cancel`, { body: { reason: 'trip called off' } });
    expect(cancelled.body.status).toBe('CANCELLED');
    await pause(5_000);
    expect(await ledgerOf((await read(booked.body.id)).body)).toEqual([]);
  });

  test('cancelled after the charge: refunded (refundable rate) or kept with the reason (non-refundable)', async () => {
    const refundable = await book({ policy: { kind: 'charge_now' } });
    const refunded = await callApi<ReservationBody>(stack.baseUrl, 'POST', `/v1/reservations/${refundable.body.id}/cancel`, { body: {} });
    expect(refunded.body).toMatchObject({ status: 'REFUNDED', refundedMinor: 40_000 });
    expect((await ledgerOf(refunded.body)).map((entry) => entry.type).sort()).toEqual(['charge', 'refund']);

    const nonRefundable = await book({ policy: { kind: 'charge_now' }, refundableOnCancel: false });
    const kept = await callApi<ReservationBody>(stack.baseUrl, 'POST', `/v1/reservations/${nonRefundable.body.id}/cancel`, { body: {} });
    expect(kept.body.status).toBe('CANCELLED');
    expect(kept.body.transitions.at(-1)?.note).toMatch(/non-refundable/);
    expect((await ledgerOf(kept.body)).map((entry) => entry.type)).toEqual(['charge']);
  });

  test('dunning to success: a decline, a retry on schedule, PAID with one charge', async () => {
    // Charged a day before a check-in a day away: the retries fall well before check-in.
    const booked = await book({ dunning: { delaysSeconds: [2, 2] }, ...chargedADayBefore(4) });
    await setFaults(stack.turnstay.scsUrl, { failNext: { count: 1, kind: 'status', status: 402, pathPrefix: '/api/v1/public/payment/intent' } });
    const retrying = await waitFor(booked.body.id, (reservation) => reservation.status === 'RETRY_SCHEDULED');
    expect(retrying.charges[0]?.retryAt).toBeDefined();
    const paid = await waitFor(booked.body.id, (reservation) => reservation.status === 'PAID');
    expect(paid.charges[0]?.attempts).toBe(2);
    expect((await ledgerOf(paid)).filter((entry) => entry.type === 'charge')).toHaveLength(1);
  });

  test('dunning to failure: every attempt declined, FAILED with a reason an operator can act on, nothing charged', async () => {
    const booked = await book({ card: testCard(TEST_CARDS.insufficientFunds), dunning: { delaysSeconds: [1, 1] }, ...chargedADayBefore(3) });
    expect(booked.status).toBe(201);
    const failed = await waitFor(booked.body.id, (reservation) => reservation.status === 'FAILED', 40_000);
    expect(failed.charges[0]?.attempts).toBe(3);
    expect(failed.failure?.message).toMatch(/insufficient_funds.*another card/);
    expect(await ledgerOf(failed)).toEqual([]);
  });

  test('a month-long sleep: the charge\'s payment is created at booking, its start delayed to the charge instant; a cancel supersedes it unrun', async () => {
    const checkin = Date.now() + 60 * DAY_MS;
    const booked = await book({
      stay: { checkinAt: new Date(checkin).toISOString(), checkoutAt: new Date(checkin + 3 * DAY_MS).toISOString() },
      policy: { kind: 'days_before_checkin', days: 7 },
    });
    const due = checkin - 7 * DAY_MS;
    expect(booked.body.nextChargeAt).toBe(new Date(due).toISOString());
    const scheduled = (await waitFor(booked.body.id, (reservation) => reservation.charges[0]?.scheduled !== undefined)).charges[0]!.scheduled!;
    expect(Date.parse(scheduled.at)).toBe(due);
    const payment = stack.client.workflow.getHandle(scheduled.paymentId);
    const waiting = await payment.describe();
    expect(waiting.status.name).toBe('RUNNING');
    expect(Math.abs((waiting.executionTime?.getTime() ?? 0) - due)).toBeLessThan(5_000);
    // Nothing runs before it is due: no workflow task yet.
    expect(((await payment.fetchHistory()).events ?? []).map((event) => event.eventType)).toEqual([EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED]);

    const cancelled = await callApi<ReservationBody>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/cancel`, { body: { reason: 'trip called off' } });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', charges: [{ attempts: 0, paymentIds: [], supersededPaymentIds: [scheduled.paymentId] }] });
    const superseded = await payment.result();
    expect(superseded).toMatchObject({ status: 'CANCELLED', failure: { code: 'superseded' } });
    const activities = ((await payment.fetchHistory()).events ?? []).filter((event) => event.activityTaskScheduledEventAttributes);
    expect(activities).toEqual([]);
    expect(await ledger(stack.turnstay.apiUrl, scheduled.paymentId)).toEqual([]);
  });
});
