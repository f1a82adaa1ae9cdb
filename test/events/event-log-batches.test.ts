import { temporal } from '@temporalio/proto';
import { merchantEventLogId } from '../../domain/merchant-event';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, createPayment, paymentBody } from '../support/merchant-client';
import { waitUntil } from '../support/wait-until';

const PAYMENTS = 30;
const SIGNALED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;

/**
 * Events that reach a merchant's log together share a signal (and the log's workflow task): many payments
 * finishing at once cost the log fewer signals than events, and no event is lost or listed twice.
 */
describe('merchant event log under load', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  });
  afterAll(() => stack?.close());

  test(`${PAYMENTS} payments at once: every event listed once, in fewer signals than events`, async () => {
    const created = await Promise.all(Array.from({ length: PAYMENTS }, () => createPayment(stack.baseUrl, paymentBody('turnstay'))));
    expect(created.map((response) => response.body.status)).toEqual(Array(PAYMENTS).fill('COMPLETE'));
    const ids = new Set(created.map((response) => response.body.id));

    const listed = await waitUntil(`${PAYMENTS} payment.completed events listed`, async () => {
      const events = (await callApi<{ data: { id: string; type: string; data: { paymentId: string } }[] }>(stack.baseUrl, 'GET', '/v1/events?limit=500')).body.data;
      const completed = events.filter((event) => event.type === 'payment.completed' && ids.has(event.data.paymentId));
      return completed.length >= PAYMENTS ? { events, completed } : undefined;
    }, 30_000);
    expect(listed.completed).toHaveLength(PAYMENTS);
    expect(new Set(listed.events.map((event) => event.id)).size).toBe(listed.events.length);

    const history = await stack.client.workflow.getHandle(merchantEventLogId('merchant1', stack.taskQueue)).fetchHistory();
    const signals = (history.events ?? []).filter((event) => event.eventType === SIGNALED).length;
    expect({ events: listed.events.length, fewerSignals: signals < listed.events.length }).toEqual({ events: listed.events.length, fewerSignals: true });
  });
});
