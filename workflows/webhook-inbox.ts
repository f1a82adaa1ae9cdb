import { condition, continueAsNew, defineQuery, defineSignal, setHandler, workflowInfo, allHandlersFinished } from '@temporalio/workflow';

export interface UnmatchedWebhook {
  provider: string;
  eventId: string;
  /** The reference the event named, which matched no payment. */
  reference: string;
  status: string;
  receivedAt: string;
  reason: string;
}

export const unmatchedWebhookSignal = defineSignal<[UnmatchedWebhook]>('unmatchedWebhook');
export const unmatchedWebhooksQuery = defineQuery<UnmatchedWebhook[]>('unmatchedWebhooks');

const KEPT_EVENTS = 500;

/**
 * One inbox per provider and task queue: the inbox runs on the queue of the API that started it, so an inbox shared
 * by two deployments (or two test stacks on one server) would stall once the other's worker is gone.
 */
export function webhookInboxWorkflowId(provider: string, taskQueue: string): string {
  return `webhook-inbox-${provider}-${taskQueue}`;
}

/**
 * Webhooks that name no payment we know: acknowledged to the provider, kept here for an operator (one inbox
 * per provider and task queue, started on the first such event). Continues as new before its history grows large.
 */
export async function webhookInboxWorkflow(kept: UnmatchedWebhook[] = []): Promise<void> {
  const events = [...kept];
  setHandler(unmatchedWebhookSignal, (event) => {
    if (events.some((existing) => existing.eventId === event.eventId)) return;
    events.push(event);
    if (events.length > KEPT_EVENTS) events.splice(0, events.length - KEPT_EVENTS);
  });
  setHandler(unmatchedWebhooksQuery, () => events);
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 2_000);
  await condition(allHandlersFinished);
  await continueAsNew<typeof webhookInboxWorkflow>(events);
}
