import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { waitUntil } from './wait-until';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The name the payment's provider-event update carries in history (workflows/messages.ts: providerEventUpdate). */
const PROVIDER_EVENT_UPDATE = 'providerEventHint';
const STATUS_CHECK_ACTIVITY = 'fetchProviderStatus';

/** Provider events the payment's validator accepted (a refused one leaves no trace in history). */
export async function acceptedProviderEvents(client: Client, workflowId: string): Promise<number> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return events.filter(isAcceptedProviderEvent).length;
}

/**
 * Waits until the payment has acted on the last provider event it accepted: the status check the event caused has
 * ended and the workflow task that read its answer has completed (or the payment has closed), so a query shows what
 * the payment decided.
 */
export async function waitForProviderEventHandled(client: Client, workflowId: string, timeoutMs = 20_000): Promise<void> {
  let events: HistoryEvent[] = [];
  const seen = () => events.map((event) => temporal.api.enums.v1.EventType[event.eventType ?? 0]).join(', ');
  await waitUntil(() => `${workflowId} to act on its last provider event (history event types: ${seen()})`, async () => {
    events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    return providerEventHandled(events) || undefined;
  }, timeoutMs, 100);
}

function providerEventHandled(events: HistoryEvent[]): boolean {
  const accepted = events.reduce((last, event, index) => (isAcceptedProviderEvent(event) ? index : last), -1);
  if (accepted < 0) return false;
  if (events.slice(accepted).some(closesWorkflow)) return true;
  const scheduled = events.slice(accepted).find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === STATUS_CHECK_ACTIVITY);
  if (!scheduled) return false;
  const ended = events.findIndex((event) => {
    const attributes = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    return String(attributes?.scheduledEventId) === String(scheduled.eventId);
  });
  return ended >= 0 && events.slice(ended).some((event) => event.workflowTaskCompletedEventAttributes);
}

function closesWorkflow(event: HistoryEvent): boolean {
  return !!(event.workflowExecutionCompletedEventAttributes ?? event.workflowExecutionFailedEventAttributes ?? event.workflowExecutionContinuedAsNewEventAttributes);
}

function isAcceptedProviderEvent(event: HistoryEvent): boolean {
  return event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === PROVIDER_EVENT_UPDATE;
}
