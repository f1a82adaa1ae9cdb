import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { eventMs, type HistoryEvent } from '../../bench/history';
import { historyUntil, startWorkflowTestWorker, type WorkflowTestWorker } from '../support/workflow-test-worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../worker/workflow-bundle-options';
import { noteUpdate, publishAndAnswerUpdate, publishOneEventWorkflow, type Waiting } from './support/one-event-workflow';

const EventType = temporal.api.enums.v1.EventType;

/**
 * The payment's answer waits for its event's quick path (a local activity in the answering workflow task). A log
 * that holds its signals (it does for ~3 s while continuing as new under load) must hold that task only briefly:
 * the event then goes by the queued activity. With nobody waiting (a reservation's charge) the quick path may take
 * seconds, which saves the slower path's activity and workflow task when the server is saturated.
 */
describe('merchant event append bound', () => {
  let testWorker: WorkflowTestWorker;

  beforeAll(async () => {
    testWorker = await startWorkflowTestWorker('append-bound', {
      workflowsPath: require.resolve('./support/one-event-workflow'),
      interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
      // A signal the server holds for 3 s (a log continuing as new under load), and a call that does not give up when
      // its attempt times out: the SDK then retries the attempt once per startToClose, holding the task ~1.2 s at 3.
      activities: { publishMerchantEvent: (): Promise<void> => new Promise((done) => setTimeout(done, 3_000)) },
    });
  }, 60_000);

  afterAll(async () => {
    await testWorker?.stop();
  });

  function start(waiting: Waiting): Promise<WorkflowHandle> {
    const { client, taskQueue } = testWorker;
    return client.workflow.start(publishOneEventWorkflow, { taskQueue, workflowId: `append-bound-${randomUUID()}`, args: ['merchant-test', waiting] });
  }

  /** The publishing workflow's history once `done` holds (30 s at most); the workflow is ended either way. */
  function historyThenEnd(handle: WorkflowHandle, done: (events: HistoryEvent[]) => boolean): Promise<HistoryEvent[]> {
    return historyUntil(handle, done, 30_000).finally(() => handle.terminate('test over').catch(() => undefined));
  }

  function firstTask(events: HistoryEvent[]): { heldMs: number; quickPathFailed: boolean; slowPathScheduled: string | undefined } {
    const started = events.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const completed = events.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const scheduled = events.find((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    return {
      heldMs: eventMs(completed as HistoryEvent) - eventMs(started as HistoryEvent),
      quickPathFailed: events.some((event) => event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && event.markerRecordedEventAttributes?.failure),
      slowPathScheduled: scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined,
    };
  }

  test('with an answer waiting, a log that does not answer holds the publishing workflow task well under a second', async () => {
    const handle = await start('running-handler');
    void handle.executeUpdate(publishAndAnswerUpdate).catch(() => undefined);
    // The slower path's activity is scheduled once the quick path gave up (nothing runs it here).
    const task = firstTask(await historyThenEnd(handle, (events) => events.some((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)));
    expect(task.slowPathScheduled).toBe('publishMerchantEvent');
    expect(task.quickPathFailed).toBe(true);
    expect(task.heldMs).toBeLessThan(1_000);
  });

  test('an update answered at once (a webhook) waits for its task all the same: the quick path keeps the tight bound', async () => {
    const handle = await start('finished-handler');
    void handle.executeUpdate(noteUpdate).catch(() => undefined);
    const ended = [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED];
    const events = await historyThenEnd(handle, (seen) => seen.some((event) => ended.includes(event.eventType as number)));
    // The task that took the update is the one that published (the first task may only have started the workflow).
    const accepted = events.findIndex((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    const typesBeforeAccepted = events.slice(0, accepted).map((event) => event.eventType);
    const taskScheduled = typesBeforeAccepted.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    const task = firstTask(events.slice(taskScheduled));
    expect(task.slowPathScheduled).toBe('publishMerchantEvent');
    expect(task.quickPathFailed).toBe(true);
    expect(task.heldMs).toBeLessThan(1_000);
  });

  test('with nobody waiting, the quick path waits out a log held for seconds: no activity, no workflow task more', async () => {
    const handle = await start('nobody');
    const ended = [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED];
    const events = await historyThenEnd(handle, (seen) => seen.some((event) => ended.includes(event.eventType as number)));
    const task = firstTask(events);
    expect(events.some((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)).toBe(true);
    expect(task.slowPathScheduled).toBeUndefined();
    expect(task.quickPathFailed).toBe(false);
    expect(task.heldMs).toBeGreaterThanOrEqual(2_500);
  });
});
