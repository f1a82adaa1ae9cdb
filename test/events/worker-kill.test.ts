import { callApi } from '../support/merchant-client';
import { TEST_CARDS } from '../support/test-cards';
import { chaosPaymentBody, postPayment } from '../chaos/support/chaos-helpers';
import { waitUntil } from '../support/wait-until';
import { ProcessStack } from '../chaos/support/process-stack';
import { EventReceiver, newEventSecret, waitFor } from './support/event-receiver';

/**
 * Events survive a receiver that is down while the worker process is SIGKILLed: they wait in the merchant's event
 * log (Temporal), and the restarted worker delivers every one once the receiver is back.
 */
describe('merchant events across a worker SIGKILL', () => {
  let stack: ProcessStack;
  const receiver = new EventReceiver(newEventSecret());

  beforeAll(async () => {
    await receiver.start();
    await receiver.stop(); // down from the start; it comes back on the same port
    stack = await ProcessStack.start({
      extraWorkerEnv: {
        MERCHANT_EVENT_ENDPOINTS: JSON.stringify({ merchant1: [{ url: receiver.url, secret: receiver.secret }] }),
        MERCHANT_EVENT_RETRY_INITIAL_MS: '200',
        MERCHANT_EVENT_RETRY_MAX_MS: '1000',
      },
    });
    await Promise.all([stack.startWorker(), stack.startApi()]);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await receiver.stop();
  });

  test('a receiver down during a worker SIGKILL still gets every event, once per id', async () => {
    const bodies = [
      chaosPaymentBody('turnstay'),
      chaosPaymentBody('trustist'),
      chaosPaymentBody('turnstay'),
      chaosPaymentBody('trustist', TEST_CARDS.declined),
      chaosPaymentBody('turnstay', TEST_CARDS.declined),
    ];
    const ids: string[] = [];
    for (const body of bodies) {
      const created = await postPayment(stack.apiUrl, body);
      if (created.status !== 201) throw new Error(`payment not created: ${created.status}`);
      expect(['COMPLETE', 'DECLINED']).toContain(created.body.status);
      ids.push(created.body.id);
    }
    // Every event is in the log (and retried against the dead receiver) before the worker dies.
    await waitUntil(
      'the five events in the log',
      async () => {
        const listed = await callApi<{ data: { data: { paymentId: string } }[] }>(stack.apiUrl, 'GET', '/v1/events?limit=100');
        return listed.body.data.length >= ids.length ? listed : undefined;
      },
      30_000,
    );
    const [worker] = stack.workers;
    await stack.kill(worker!);
    await stack.startWorker();
    await receiver.start();

    const received = await waitFor('an event of every payment', () => ids.every((id) => receiver.of(id).length > 0) && receiver.deliveries, 60_000);
    expect(receiver.verificationFailures).toBe(0);
    expect(ids.map((id) => new Set(receiver.of(id).map((event) => event.type)))).toEqual(
      bodies.map((body) => new Set([body.card.number === TEST_CARDS.declined ? 'payment.declined' : 'payment.completed'])),
    );
    expect(receiver.uniqueIds().size).toBe(ids.length);
    for (const id of receiver.uniqueIds()) {
      const copies = received.filter((event) => event.id === id);
      for (const copy of copies) expect(copy).toEqual(copies[0]);
    }
  });
});
