import { activityInfo, ApplicationFailure, Context } from '@temporalio/activity';
import { TypedSearchAttributes } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import { merchantEventLogId, type MerchantEvent } from '../domain/merchant-event';
import type { MerchantEndpoints } from '../infra/merchant-endpoints-config';
import type { DeliverySettings, MerchantEventLogInput, PublishedEvent } from '../workflows/merchant-event-log-types';
import { merchantEventTaskQueue } from '../workflows/merchant-event-task-queue';
import { merchantEventPublishedSignal, merchantEventsPublishedSignal } from '../workflows/messages';
import { EventLogBatches, type SignalEventLog } from './event-log-batches';
import { MerchantIdKey } from '../workflows/search-attributes';

export interface PublishMerchantEventInput {
  merchantId: string;
  event: MerchantEvent;
  /** The task queue of the publishing workflow: the merchant's event log runs on its merchant-event queue. */
  taskQueue: string;
}

export interface DeliverMerchantEventInput {
  merchantId: string;
  endpointId: string;
  event: MerchantEvent;
}

/** Why a delivery stops retrying at once: the endpoint is no longer configured for this merchant. */
export const EndpointNotConfigured = 'EndpointNotConfigured';

/** How long one delivery attempt may take; a slow receiver only holds its own endpoint's slots. */
export const DELIVERY_ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * Publishing (from the payment's and reservation's workflows) and delivering merchant events. Endpoint URLs and
 * secrets stay in the worker's configuration: the workflows name endpoints by id only.
 */
export function createMerchantEventActivities(endpoints: MerchantEndpoints, settings: DeliverySettings) {
  const batches = new EventLogBatches();
  const endpointIdsOf = (merchantId: string) => (Object.hasOwn(endpoints, merchantId) ? (endpoints[merchantId] ?? []) : []).map((endpoint) => endpoint.id);
  return {
    /**
     * Appends the event to its merchant's log (starting the log if needed), together with the events this process
     * publishes to the same log meanwhile; the log dedupes by event id.
     */
    async publishMerchantEvent({ merchantId, event, taskQueue }: PublishMerchantEventInput): Promise<void> {
      const input: MerchantEventLogInput = { merchantId, settings };
      const workflowId = merchantEventLogId(merchantId, taskQueue);
      const { client, cancellationSignal } = Context.current();
      // Give up the call when Temporal cancels the attempt (its timeout): a signal held by a log continuing as new
      // would otherwise run on for seconds after the event went by the slower path.
      const signalLog: SignalEventLog = (events, abort) => client.withAbortSignal(abort, async () => {
        await client.workflow.signalWithStart('merchantEventLogWorkflow', {
          workflowId,
          // Its own queue and worker: a log evicted from a cache shared with thousands of reservations replays its
          // whole history for every event (seconds each), stalling the payments' workflow thread.
          taskQueue: merchantEventTaskQueue(taskQueue),
          args: [input],
          // One event alone goes as before, so logs on workers of the previous release take it too.
          ...(events.length === 1
            ? { signal: merchantEventPublishedSignal, signalArgs: [events[0] as PublishedEvent] }
            : { signal: merchantEventsPublishedSignal, signalArgs: [events] }),
          typedSearchAttributes: new TypedSearchAttributes([{ key: MerchantIdKey, value: merchantId }]),
          staticSummary: `Event log and deliveries of merchant ${merchantId}`,
        });
      });
      await batches.append(workflowId, { event, endpointIds: endpointIdsOf(merchantId) }, cancellationSignal, signalLog);
    },

    /** One signed POST to one endpoint; anything but a 2xx is retried by Temporal on the log's backoff. */
    async deliverMerchantEvent({ merchantId, endpointId, event }: DeliverMerchantEventInput): Promise<{ status: number }> {
      const endpoint = Object.hasOwn(endpoints, merchantId) ? endpoints[merchantId]?.find((candidate) => candidate.id === endpointId) : undefined;
      if (!endpoint) throw ApplicationFailure.nonRetryable(`endpoint ${endpointId} is no longer configured for merchant ${merchantId}`, EndpointNotConfigured);
      const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
      // Signed at each attempt: receivers reject old timestamps, and retries run for days.
      const sentAt = new Date();
      const signature = new Webhook(endpoint.secret).sign(event.id, sentAt, body);
      let response: Response;
      try {
        response = await fetch(endpoint.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': event.id,
            'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            'webhook-signature': signature,
            'user-agent': 'durable-payments-events/1',
          },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_ATTEMPT_TIMEOUT_MS), Context.current().cancellationSignal]),
          redirect: 'manual',
        });
      } catch (error) {
        throw ApplicationFailure.retryable(`endpoint ${endpointId} unreachable (attempt ${activityInfo().attempt}): ${networkReason(error)}`, 'EndpointUnreachable');
      }
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status > 299) {
        throw ApplicationFailure.retryable(`endpoint ${endpointId} answered ${response.status} (attempt ${activityInfo().attempt})`, 'EndpointRejected');
      }
      return { status: response.status };
    },
  };
}

export type MerchantEventActivities = ReturnType<typeof createMerchantEventActivities>;

/** The failure's kind only (timeout, refused): the receiver's answer body never reaches the history. */
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${DELIVERY_ATTEMPT_TIMEOUT_MS} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code ?? (error instanceof Error ? error.name : 'unknown error');
}
