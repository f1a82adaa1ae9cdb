import { merchantEventLogId } from '../../domain/merchant-event';
import { merchantEventTaskQueue } from '../../workflows/merchant-event-task-queue';
import { startApiStack, OTHER_MERCHANT_KEY, type ApiStack } from '../support/api-stack';
import { callApi, createPayment, paymentBody, waitForPayment, reservationBody } from '../support/merchant-client';
import { completeChallenge, setFaults } from '../support/sandbox-client';
import { showOnFailure } from '../support/shown-on-failure';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { cardFieldsIn } from '../support/card-fields';
import { EventReceiver, newEventSecret, waitFor, type ReceivedEvent } from './support/event-receiver';

const DAY_MS = 86_400_000;
const inSeconds = (seconds: number, extraMs = 0) => new Date(Date.now() + seconds * 1_000 + extraMs).toISOString();

interface ListedEvent extends ReceivedEvent {
  cursor: string;
}

/**
 * Merchant events end to end: real payments and reservations on the server, delivered to receivers on loopback
 * that verify every signature with the `standardwebhooks` package, as a merchant's code would.
 */
describe('merchant events', () => {
  let stack: ApiStack;
  const merchant1 = new EventReceiver(newEventSecret());
  const merchant2 = new EventReceiver(newEventSecret());

  beforeAll(async () => {
    await Promise.all([merchant1.start(), merchant2.start()]);
    stack = await startApiStack({
      timing: { challengeTimeoutMs: 10_000, statusPollDelaysMs: [1_000] },
      merchantEvents: {
        endpoints: {
          merchant1: [{ id: 'ep_one', url: merchant1.url, secret: merchant1.secret }],
          merchant2: [{ id: 'ep_two', url: merchant2.url, secret: merchant2.secret }],
        },
        settings: { initialRetryMs: 200, maxRetryMs: 1_000 },
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([merchant1.stop(), merchant2.stop()]);
  });

  const eventsOf = (receiver: EventReceiver, id: string, count: number) =>
    waitFor(`${count} event(s) of ${id}`, () => {
      const events = [...new Map(receiver.of(id).map((event) => [event.id, event])).values()];
      return events.length >= count && events.sort((a, b) => a.data.sequence - b.data.sequence);
    });

  test('payment events are signed, carry status and a growing sequence, and arrive once per id through 500s', async () => {
    merchant1.failNext = 3;
    const frictionless = await createPayment(stack.baseUrl, paymentBody('turnstay'));
    const declined = await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.declined) }));
    const challenged = await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.challenge) }));
    await completeChallenge(challenged.body.nextAction!.url, 'authenticate');
    await waitForPayment(stack.baseUrl, challenged.body.id, (payment) => payment.status === 'COMPLETE');
    await callApi(stack.baseUrl, 'POST', `/v1/payments/${frictionless.body.id}/refund`, { body: { amountMinor: 345 } });
    await callApi(stack.baseUrl, 'POST', `/v1/payments/${frictionless.body.id}/refund`, { body: {} });

    const summary = (events: ReceivedEvent[]) => events.map((event) => [event.type, event.data.sequence, event.data.status]);
    expect(summary(await eventsOf(merchant1, frictionless.body.id, 3))).toEqual([
      ['payment.completed', 1, 'COMPLETE'],
      ['payment.refunded', 2, 'COMPLETE'],
      ['payment.refunded', 3, 'REFUNDED'],
    ]);
    const refunds = (await eventsOf(merchant1, frictionless.body.id, 3)).slice(1).map((event) => event.data.refund);
    expect(refunds).toEqual([
      expect.objectContaining({ amountMinor: 345, partial: true }),
      expect.objectContaining({ amountMinor: 12_000, partial: false }),
    ]);
    expect(summary(await eventsOf(merchant1, declined.body.id, 1))).toEqual([['payment.declined', 1, 'DECLINED']]);
    const challengeEvents = await eventsOf(merchant1, challenged.body.id, 2);
    expect(summary(challengeEvents)).toEqual([
      ['payment.action_required', 1, 'PENDING_ACTION'],
      ['payment.completed', 2, 'COMPLETE'],
    ]);
    expect(challengeEvents[0]?.data.nextAction).toEqual(challenged.body.nextAction);
    expect(challengeEvents[1]?.data.card).toEqual({ brand: 'visa', last4: '3220' });

    // The first three attempts got a 500; retries (same webhook-id) delivered everything, and duplicates are identical.
    expect(merchant1.verificationFailures).toBe(0);
    expect(merchant1.rawBodies.length).toBeGreaterThanOrEqual(merchant1.deliveries.length + 3);
    for (const id of merchant1.uniqueIds()) {
      const copies = merchant1.deliveries.filter((event) => event.id === id);
      for (const copy of copies) expect(copy).toEqual(copies[0]);
    }
    const bodies = merchant1.rawBodies.join('\n');
    for (const number of [TEST_CARDS.frictionless, TEST_CARDS.declined, TEST_CARDS.challenge]) expect(bodies).not.toContain(number);
    expect(cardFieldsIn(merchant1.rawBodies, testCard(TEST_CARDS.challenge))).toEqual([]);
    // The log runs on the merchant-event queue (its own worker and cache), not on the payments' queue.
    const log = await stack.client.workflow.getHandle(merchantEventLogId('merchant1', stack.taskQueue)).describe();
    expect(log.taskQueue).toBe(merchantEventTaskQueue(stack.taskQueue));
  });

  test("one merchant's events never reach another's endpoint or listing", async () => {
    const theirs = await callApi<{ id: string }>(stack.baseUrl, 'POST', '/v1/payments', { body: paymentBody('turnstay'), key: OTHER_MERCHANT_KEY });
    const ours = await createPayment(stack.baseUrl, paymentBody('turnstay'));
    await eventsOf(merchant2, theirs.body.id, 1);
    await eventsOf(merchant1, ours.body.id, 1);
    expect(merchant2.verificationFailures).toBe(0);
    expect(merchant1.deliveries.every((event) => String(event.data.paymentId ?? event.data.reservationId).startsWith('payment-merchant1-'))).toBe(true);
    expect(merchant2.deliveries.every((event) => String(event.data.paymentId).startsWith('payment-merchant2-'))).toBe(true);
    const listed = await callApi<{ data: ListedEvent[] }>(stack.baseUrl, 'GET', '/v1/events?limit=500', { key: OTHER_MERCHANT_KEY });
    expect(listed.body.data.map((event) => event.data.paymentId)).toEqual([theirs.body.id]);
    const redeliverTheirs = await callApi(stack.baseUrl, 'POST', `/v1/events/${listed.body.data[0]?.id}/redeliver`, { body: {} });
    expect(redeliverTheirs.status).toBe(404);
  });

  test('catch-up lists events in order after a cursor; redeliver resends one with the same id', async () => {
    const listAll = async () => {
      const all: ListedEvent[] = [];
      let after = '0';
      for (;;) {
        const page = await callApi<{ data: ListedEvent[]; nextCursor: string; hasMore: boolean }>(stack.baseUrl, 'GET', `/v1/events?after=${after}&limit=2`);
        expect(page.status).toBe(200);
        all.push(...page.body.data);
        after = page.body.nextCursor;
        if (!page.body.hasMore) return { all, after };
      }
    };
    const { all, after } = await listAll();
    const cursors = all.map((event) => Number(event.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(new Set(all.map((event) => event.id))).toEqual(merchant1.uniqueIds());
    expect((await callApi<{ data: unknown[] }>(stack.baseUrl, 'GET', `/v1/events?after=${after}`)).body.data).toEqual([]);

    const chosen = all[0] as ListedEvent;
    const copiesBefore = merchant1.deliveries.filter((event) => event.id === chosen.id).length;
    const redelivered = await callApi(stack.baseUrl, 'POST', `/v1/events/${chosen.id}/redeliver`, { body: {} });
    expect(redelivered.status).toBe(202);
    const copies = await waitFor('the redelivery', () => {
      const found = merchant1.deliveries.filter((event) => event.id === chosen.id);
      return found.length > copiesBefore && found;
    });
    expect(copies.at(-1)).toEqual(copies[0]);

    expect((await callApi(stack.baseUrl, 'POST', '/v1/events/evt_nothing_1/redeliver', { body: {} })).status).toBe(404);
    const badCursor = await callApi<{ error: { field: string } }>(stack.baseUrl, 'GET', '/v1/events?after=yesterday');
    expect(badCursor.status).toBe(400);
    expect(JSON.stringify(badCursor.body)).toContain('after');
  });

  test('reservation events: scheduled, charge_failed with its dunning step, charged, cancelled', async () => {
    const book = (overrides: Record<string, unknown>) =>
      callApi<{ id: string; status: string }>(stack.baseUrl, 'POST', '/v1/reservations', { body: reservationBody(overrides) });
    const dunned = await book({
      dunning: { delaysSeconds: [2, 2] },
      stay: { checkinAt: inSeconds(4, DAY_MS), checkoutAt: inSeconds(4, 2 * DAY_MS) },
      policy: { kind: 'days_before_checkin', days: 1 },
    });
    await setFaults(stack.turnstay.scsUrl, { failNext: { count: 1, kind: 'status', status: 402, pathPrefix: '/api/v1/public/payment/intent' } });
    const dunnedEvents = await eventsOf(merchant1, dunned.body.id, 3);
    await setFaults(stack.turnstay.scsUrl, {});
    expect(dunnedEvents.map((event) => [event.type, event.data.status])).toEqual([
      ['reservation.scheduled', 'SCHEDULED'],
      ['reservation.charge_failed', 'RETRY_SCHEDULED'],
      ['reservation.charged', 'PAID'],
    ]);
    expect(dunnedEvents[1]?.data.charge).toMatchObject({ attempt: 1, nextAttemptAt: expect.any(String), failure: expect.any(Object) });
    expect(dunnedEvents[2]?.data.charge).toMatchObject({ attempt: 2, amountMinor: 40_000 });

    const chargedNow = await book({
      stay: { checkinAt: inSeconds(0, 2 * DAY_MS), checkoutAt: inSeconds(0, 3 * DAY_MS) },
      policy: { kind: 'charge_now' },
    });
    expect(chargedNow.body.status).toBe('PAID');
    await callApi(stack.baseUrl, 'POST', `/v1/reservations/${chargedNow.body.id}/cancel`, { body: { reason: 'guest cancelled' } });
    const cancelledEvents = await eventsOf(merchant1, chargedNow.body.id, 3);
    expect(cancelledEvents.map((event) => [event.type, event.data.status])).toEqual([
      ['reservation.scheduled', 'SCHEDULED'],
      ['reservation.charged', 'PAID'],
      ['reservation.cancelled', 'REFUNDED'],
    ]);
  });

  test('a slow receiver does not slow payments: first-outcome latency stays within noise', async () => {
    const firstOutcomeMs = async (count: number) => {
      const latencies: number[] = [];
      for (let index = 0; index < count; index += 1) {
        const started = performance.now();
        const created = await createPayment(stack.baseUrl, paymentBody('turnstay'));
        latencies.push(performance.now() - started);
        expect(created.body.status).toBe('COMPLETE');
      }
      return latencies.sort((a, b) => a - b)[Math.floor(count / 2)] as number;
    };
    await firstOutcomeMs(3); // warm-up
    const fastMedian = await firstOutcomeMs(15);
    merchant1.delayMs = 8_000;
    const slowMedian = await firstOutcomeMs(15);
    merchant1.delayMs = 0;
    // The slow receiver held deliveries open, but never more than the per-endpoint bound (default 4).
    expect(merchant1.maxConcurrent).toBe(4);
    showOnFailure(`first-outcome median: ${fastMedian.toFixed(0)} ms with a fast receiver, ${slowMedian.toFixed(0)} ms with an 8 s receiver`);
    expect(slowMedian).toBeLessThan(fastMedian * 1.5 + 100);
  });
});
