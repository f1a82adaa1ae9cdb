import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { MerchantEventActivities, PublishMerchantEventInput } from '../activities/merchant-event-activities';
import { merchantEventId, type MerchantEvent, type MerchantEventType } from '../domain/merchant-event';
import { merchantEventTaskQueue } from './merchant-event-task-queue';
import { quickLocalActivities } from './quick-local-activity';

/** Versions event emission: histories from before it emit nothing. */
export const MERCHANT_EVENTS_PATCH = 'merchant-events';

/** When the quick path failed: an ordinary activity, retried until the log takes the event. */
function appendLater(taskQueue: string) {
  return proxyActivities<MerchantEventActivities>({
    taskQueue: merchantEventTaskQueue(taskQueue),
    startToCloseTimeout: '10s',
    // Bounded: a closing payment waits for its events, and must not wait forever.
    scheduleToCloseTimeout: '1h',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
    summary: 'Publish merchant event (the quick path failed)',
  });
}

/**
 * Publishes the running workflow's events to its merchant's log, fire-and-forget: nothing awaits an event on the
 * way and its failure fails nothing. Only a workflow about to close (or continue as new) waits for `idle`, or an
 * event still on its way would be dropped with the run.
 */
export class MerchantEventPublisher {
  private inFlight = 0;

  /** Nothing is on its way (true at once in histories from before events). */
  get idle(): boolean {
    return this.inFlight === 0;
  }

  /** Returns false (and publishes nothing) in histories from before events existed. */
  emit(merchantId: string, sequence: number, type: MerchantEventType, data: MerchantEvent['data']): boolean {
    if (!patched(MERCHANT_EVENTS_PATCH)) return false;
    const { workflowId, taskQueue } = workflowInfo();
    const input: PublishMerchantEventInput = {
      merchantId,
      taskQueue,
      event: { id: merchantEventId(workflowId, sequence), type, timestamp: new Date().toISOString(), data },
    };
    this.inFlight += 1;
    // The usual path: a local activity appends the event to the log (one marker, no extra workflow task).
    void quickLocalActivities<MerchantEventActivities>()
      .publishMerchantEvent(input)
      .catch(() => appendLater(taskQueue).publishMerchantEvent(input))
      .catch(() => undefined)
      .finally(() => {
        this.inFlight -= 1;
      });
    return true;
  }
}
