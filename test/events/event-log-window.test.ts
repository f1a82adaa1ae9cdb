import { TypedSearchAttributes } from '@temporalio/common';
import { merchantEventLogId, merchantEventId, type MerchantEvent } from '../../domain/merchant-event';
import { merchantEventsAfterQuery } from '../../workflows/messages';
import type { MerchantEventLogInput, PublishedEvent } from '../../workflows/merchant-event-log-types';
import { DEFAULT_DELIVERY_SETTINGS } from '../../workflows/merchant-event-log-types';
import { merchantEventTaskQueue } from '../../workflows/merchant-event-task-queue';
import { MerchantIdKey } from '../../workflows/search-attributes';
import { startPaymentStack, type PaymentStack } from '../support/payment-stack';
import { EventReceiver, newEventSecret, waitFor } from './support/event-receiver';

const SETTINGS = { ...DEFAULT_DELIVERY_SETTINGS, initialRetryMs: 200, maxRetryMs: 1_000, windowSize: 5, continueAsNewAfterEvents: 60 };

/**
 * The event log on its own, fed as payments feed it (signal-with-start, duplicates included): a small window and
 * an early continue-as-new, so a long-lived log keeps a short history without losing an event or its order.
 */
describe('merchant event log', () => {
  let stack: PaymentStack;
  const receiver = new EventReceiver(newEventSecret());

  beforeAll(async () => {
    await receiver.start();
    stack = await startPaymentStack({
      merchantEvents: { endpoints: { merchant1: [{ id: 'ep_log', url: receiver.url, secret: receiver.secret }] }, settings: SETTINGS },
    });
  });
  afterAll(async () => {
    await stack?.shutdown();
    await receiver.stop();
  });

  test('continues as new with its window and pending deliveries: every event delivered, the last ones listed in order', async () => {
    const workflowId = merchantEventLogId('merchant1', stack.taskQueue);
    const publish = (published: PublishedEvent) =>
      stack.client.workflow.signalWithStart('merchantEventLogWorkflow', {
        workflowId,
        taskQueue: stack.taskQueue,
        args: [{ merchantId: 'merchant1', settings: SETTINGS } satisfies MerchantEventLogInput],
        signal: 'merchantEventPublished',
        signalArgs: [published],
        typedSearchAttributes: new TypedSearchAttributes([{ key: MerchantIdKey, value: 'merchant1' }]),
      });
    const event = (sequence: number): MerchantEvent => ({
      id: merchantEventId('payment-merchant1-log-test', sequence),
      type: 'payment.completed',
      timestamp: new Date().toISOString(),
      data: {
        object: 'payment',
        paymentId: 'payment-merchant1-log-test',
        reference: 'log-test',
        sequence,
        status: 'COMPLETE',
        provider: 'turnstay',
        amountMinor: 100,
        currency: 'GBP',
        refundedMinor: 0,
        card: { brand: 'visa', last4: '4242' },
      },
    });
    receiver.failNext = 5; // some deliveries are still retrying when the log continues as new
    let firstRunId: string | undefined;
    for (let sequence = 1; sequence <= 30; sequence += 1) {
      const published = await publish({ event: event(sequence), endpointIds: ['ep_log'] });
      firstRunId ??= published.signaledRunId;
      // A publishing activity retried after a crash sends the same event again: the log keeps it once.
      if (sequence % 10 === 0) await publish({ event: event(sequence), endpointIds: ['ep_log'] });
    }
    await waitFor('all 30 events delivered', () => receiver.uniqueIds().size === 30, 60_000);
    expect(receiver.verificationFailures).toBe(0);

    const handle = stack.client.workflow.getHandle(workflowId);
    const page = await handle.query(merchantEventsAfterQuery, { after: 0, limit: 100 });
    expect(page.events.map((listed) => [listed.cursor, listed.data.sequence])).toEqual([26, 27, 28, 29, 30].map((cursor) => [cursor, cursor]));
    expect(page.oldestCursor).toBe(26);
    // It did continue as new, and its current run's history is short.
    const history = await handle.fetchHistory();
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
    expect(history.events?.length ?? 0).toBeLessThan(SETTINGS.continueAsNewAfterEvents + 40);
    // Started on the payments' queue, as logs were before they had a queue of their own: it moved there.
    const firstRun = await stack.client.workflow.getHandle(workflowId, firstRunId).describe();
    expect({ first: firstRun.taskQueue, now: (await handle.describe()).taskQueue }).toEqual({ first: stack.taskQueue, now: merchantEventTaskQueue(stack.taskQueue) });
  });
});
