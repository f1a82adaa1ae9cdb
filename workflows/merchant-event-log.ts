import {
  allHandlersFinished,
  condition,
  continueAsNew,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { MerchantEventActivities } from '../activities/merchant-event-activities';
import { merchantEventPublishedSignal, merchantEventsAfterQuery, merchantEventsPublishedSignal, redeliverMerchantEventUpdate } from './messages';
import { EVENT_LOG_HISTORY_BOUND, type Delivery, type EventsPage, type LoggedEvent, type MerchantEventLogInput, type PublishedEvent } from './merchant-event-log-types';
import { merchantEventTaskQueue } from './merchant-event-task-queue';

/**
 * Logs started before it ran on the payments' task queue, sharing their workflow cache, with a 10,000-event bound:
 * they continue as new onto the merchant-event queue, within EVENT_LOG_HISTORY_BOUND.
 */
export const EVENT_LOG_OWN_QUEUE_PATCH = 'event-log-own-queue';

/** Most events one catch-up page lists. */
const MAX_PAGE = 500;

/**
 * One merchant's recent events, in the order they were published (the cursor), and their delivery to each of the
 * merchant's endpoints: one activity per event and endpoint, retried on a backoff for days, at most a few in
 * flight per endpoint. Continues as new to bound its history, carrying the window and what is not delivered yet.
 */
export async function merchantEventLogWorkflow(input: MerchantEventLogInput): Promise<void> {
  const { merchantId, settings } = input;
  let nextCursor = input.carried?.nextCursor ?? 1;
  const window: LoggedEvent[] = input.carried?.window ?? [];
  /** Deliveries waiting for a slot, per endpoint, oldest first. */
  const queues = new Map<string, Delivery[]>();
  const inFlight = new Map<string, Delivery[]>();

  // One proxy per delivery, so the Web UI names each pending delivery: event, type and endpoint.
  const deliveries = (summary: string) => proxyActivities<MerchantEventActivities>({
    summary,
    taskQueue: merchantEventTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '15s',
    scheduleToCloseTimeout: settings.retryForMs,
    retry: {
      initialInterval: settings.initialRetryMs,
      backoffCoefficient: 2,
      maximumInterval: settings.maxRetryMs,
      nonRetryableErrorTypes: ['EndpointNotConfigured'],
    },
  });

  const find = (eventId: string) => window.find((logged) => logged.event.id === eventId);
  const isQueuedOrInFlight = (delivery: Delivery) =>
    [queues.get(delivery.endpointId) ?? [], inFlight.get(delivery.endpointId) ?? []].some((list) => list.some((other) => other.event.id === delivery.event.id));
  const enqueue = (delivery: Delivery) => {
    if (isQueuedOrInFlight(delivery)) return;
    const queue = queues.get(delivery.endpointId) ?? [];
    queue.push(delivery);
    queues.set(delivery.endpointId, queue);
  };
  for (const delivery of input.carried?.pending ?? []) enqueue(delivery);

  const append = ({ event, endpointIds }: PublishedEvent) => {
    // Published twice (a publishing activity retried after a crash): the same id is the same event.
    if (find(event.id)) return;
    const logged: LoggedEvent = { cursor: nextCursor, event, endpointIds, deliveries: Object.fromEntries(endpointIds.map((id) => [id, 'pending'])) };
    nextCursor += 1;
    window.push(logged);
    if (window.length > settings.windowSize) window.splice(0, window.length - settings.windowSize);
    for (const endpointId of endpointIds) enqueue({ event, endpointId });
  };
  setHandler(merchantEventPublishedSignal, append);
  setHandler(merchantEventsPublishedSignal, (batch) => batch.forEach(append));

  setHandler(merchantEventsAfterQuery, ({ after, limit }): EventsPage => {
    const newer = window.filter((logged) => logged.cursor > after);
    const page = newer.slice(0, Math.min(Math.max(limit, 1), MAX_PAGE));
    return {
      events: page.map((logged) => ({ ...logged.event, cursor: logged.cursor })),
      nextCursor: page.at(-1)?.cursor ?? after,
      hasMore: newer.length > page.length,
      oldestCursor: window[0]?.cursor,
    };
  });

  setHandler(
    redeliverMerchantEventUpdate,
    (eventId) => {
      const logged = find(eventId) as LoggedEvent;
      for (const endpointId of logged.endpointIds) {
        logged.deliveries[endpointId] = 'pending';
        enqueue({ event: logged.event, endpointId });
      }
      return { ...logged.event, cursor: logged.cursor };
    },
    {
      validator: (eventId) => {
        if (!find(eventId)) throw new Error(`no event ${eventId} in the recent window`);
      },
    },
  );

  async function deliver(delivery: Delivery): Promise<void> {
    const { event } = delivery;
    const logged = find(event.id);
    try {
      await deliveries(`${event.type} ${event.id} to ${delivery.endpointId}`).deliverMerchantEvent({ merchantId, endpointId: delivery.endpointId, event });
      if (logged) logged.deliveries[delivery.endpointId] = 'delivered';
    } catch {
      // Given up after the retry window (or the endpoint was removed): the receiver can still catch up by listing.
      if (logged) logged.deliveries[delivery.endpointId] = 'failed';
    }
  }

  const hasFreeSlot = () =>
    [...queues.entries()].some(([endpointId, queue]) => queue.length > 0 && (inFlight.get(endpointId)?.length ?? 0) < settings.maxInFlightPerEndpoint);
  const historyTooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= settings.continueAsNewAfterEvents;

  while (!historyTooLong()) {
    const pendingCount = [...queues.values(), ...inFlight.values()].reduce((sum, list) => sum + list.length, 0);
    setCurrentDetails(pendingCount === 0 ? `Waiting for events (${window.length} recent)` : `Delivering ${pendingCount} event(s)`);
    await condition(() => hasFreeSlot() || historyTooLong());
    for (const [endpointId, queue] of queues) {
      const running = inFlight.get(endpointId) ?? [];
      inFlight.set(endpointId, running);
      while (queue.length > 0 && running.length < settings.maxInFlightPerEndpoint) {
        const delivery = queue.shift() as Delivery;
        running.push(delivery);
        void deliver(delivery).finally(() => running.splice(running.indexOf(delivery), 1));
      }
    }
  }
  // Deliveries still in flight after a short wait (a receiver retrying) are made again by the next run, with the
  // same webhook-id.
  await condition(() => [...inFlight.values()].every((running) => running.length === 0), '5s');
  await condition(allHandlersFinished);
  const pending = [...inFlight.values(), ...queues.values()].flat();
  const carried = { nextCursor, window, pending };
  if (patched(EVENT_LOG_OWN_QUEUE_PATCH)) {
    const onOwnQueue = makeContinueAsNewFunc<typeof merchantEventLogWorkflow>({ taskQueue: merchantEventTaskQueue(workflowInfo().taskQueue) });
    const bounded = { ...settings, continueAsNewAfterEvents: Math.min(settings.continueAsNewAfterEvents, EVENT_LOG_HISTORY_BOUND) };
    await onOwnQueue({ merchantId, settings: bounded, carried });
  }
  await continueAsNew<typeof merchantEventLogWorkflow>({ merchantId, settings, carried });
}
