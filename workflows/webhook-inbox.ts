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
 * Webhooks that name no payment we know: acknowledged to the provider, kept here for an operator (one inbox
 * per provider, started on the first such event). Continues as new before its history grows large.
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
