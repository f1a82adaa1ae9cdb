import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, createPayment, paymentBody, reservationBody, waitForPayment, waitForReservation } from '../support/merchant-client';
import { charges, completeChallenge, ledger } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { waitUntil } from '../support/wait-until';

interface ListedEvent {
  type: string;
  data: { object: 'payment'; paymentId: string } | { object: 'reservation'; reservationId: string };
}

interface ReservationBody {
  id: string;
  status: string;
  charges: { paymentIds: string[] }[];
}

/**
 * A worker that runs its workflows on its main thread (WORKER_WORKFLOW_THREAD=main, the SDK's debug mode) runs every
 * kind of workflow as the default one does: payments, a 3-D Secure wait ended by the webhook, a reservation charged
 * at check-in, and the merchant's event log listing their events.
 */
describe('workflows on the worker main thread', () => {
  let stack: ApiStack;
  let threadsBefore: number;
  beforeAll(async () => {
    threadsBefore = workerThreads();
    stack = await startApiStack({ workflowThread: 'main' });
  });
  afterAll(() => stack?.close());

  test('the stack started no workflow thread', () => {
    // Positive control of the setting: a default stack's two workflow workers each start a Node worker thread. Counted
    // against the start, as jest runs other test files in this process before this one.
    expect(workerThreads()).toBeLessThanOrEqual(threadsBefore);
  });

  test('a payment, a challenge, a reservation charged at check-in and their events: each charged once', async () => {
    const frictionless = await createPayment(stack.baseUrl, paymentBody('turnstay'));
    expect(frictionless.body.status).toBe('COMPLETE');

    const challenged = await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.challenge) }));
    expect(challenged.body.status).toBe('PENDING_ACTION');
    await completeChallenge(challenged.body.nextAction!.url, 'authenticate');
    expect((await waitForPayment(stack.baseUrl, challenged.body.id, (payment) => payment.status !== 'PENDING_ACTION', 15_000)).status).toBe('COMPLETE');

    const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1_000).toISOString();
    const booked = await callApi<ReservationBody>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: reservationBody({ stay: { checkinAt: inSeconds(3), checkoutAt: inSeconds(86_400) }, policy: { kind: 'on_checkin' } }),
    });
    expect(booked.body.status).toBe('SCHEDULED');
    const paid = await waitForReservation<ReservationBody>(stack.baseUrl, booked.body.id, (reservation) => reservation.status === 'PAID');

    expect(await charges(stack.turnstay.apiUrl, frictionless.body.id)).toHaveLength(1);
    expect(await charges(stack.trustist.apiUrl, challenged.body.id)).toHaveLength(1);
    expect((await ledger(stack.turnstay.apiUrl, paid.charges[0]!.paymentIds[0]!)).map((entry) => entry.type)).toEqual(['charge']);

    const expected = [
      `payment.completed ${frictionless.body.id}`,
      `payment.completed ${challenged.body.id}`,
      `reservation.scheduled ${booked.body.id}`,
      `reservation.charged ${booked.body.id}`,
    ];
    await waitUntil('the events of each', async () => {
      const listed = (await callApi<{ data: ListedEvent[] }>(stack.baseUrl, 'GET', '/v1/events?limit=500')).body.data.map(
        (event) => `${event.type} ${event.data.object === 'payment' ? event.data.paymentId : event.data.reservationId}`,
      );
      const missing = expected.filter((event) => !listed.includes(event));
      if (missing.length > 0) throw new Error(`not listed yet: ${missing.join(', ')}`);
      return true;
    }, 20_000);
  });
});

/** Node worker threads this process runs now. */
function workerThreads(): number {
  return (process.report.getReport() as unknown as { workers: unknown[] }).workers.length;
}
