import { allHandlersFinished, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { MerchantEventActivities, PublishMerchantEventInput } from '../activities/merchant-event-activities';
import { merchantEventId, type MerchantEvent, type MerchantEventType } from '../domain/merchant-event';
import { merchantEventTaskQueue } from './merchant-event-task-queue';

/** Versions event emission: histories from before it emit nothing. */
export const MERCHANT_EVENTS_PATCH = 'merchant-events';

/**
 * The usual path: a local activity appends the event to the merchant's log (one marker in the history, no extra
 * workflow task). The workflow task waits for it, and so does any answer the task carries (a payment's first outcome,
 * a booking, a cancellation, a refund: an update in flight). While someone waits it is bounded tightly (a signal takes
 * milliseconds) and tried once: a log continuing as new under load holds its signals for ~3 s, and retried attempts of
 * a held call kept answers waiting up to ~3.4 s with a 1 s bound (bench, README). Past the bound the event goes by the
 * slower path.
 */
const appendWhileAnswerWaits = proxyLocalActivities<MerchantEventActivities>({
  startToCloseTimeout: '300ms',
  scheduleToCloseTimeout: '300ms',
  retry: { maximumAttempts: 1 },
});

/**
 * The quick path when nobody waits on the task (a reservation's charge, the payment that makes it, a refund settling
 * in the background): a saturated server answers the log's signal in seconds, not milliseconds (a drain of reservations
 * all due at once missed 300 ms for most charges, each miss an activity and a workflow task more), and the log's ~3 s
 * stall delays no answer. Still bounded, well within the workflow task's timeout.
 */
const appendUnwatched = proxyLocalActivities<MerchantEventActivities>({
  startToCloseTimeout: '5s',
  scheduleToCloseTimeout: '5s',
  retry: { maximumAttempts: 1 },
});

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
    // Any running update handler is an answer waiting (signal handlers here run to completion at once).
    const appendNow = allHandlersFinished() ? appendUnwatched : appendWhileAnswerWaits;
    void appendNow
      .publishMerchantEvent(input)
      .catch(() => appendLater(taskQueue).publishMerchantEvent(input))
      .catch(() => undefined)
      .finally(() => {
        this.inFlight -= 1;
      });
    return true;
  }
}
