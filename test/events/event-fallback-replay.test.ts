import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { HistoryEvent } from '../../bench/history';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../worker/workflow-bundle-options';
import { merchantEventTaskQueue } from '../../workflows/merchant-event-task-queue';
import { startWorkflowTestWorker, type WorkflowTestWorker } from '../support/workflow-test-worker';
import { eventBesideLocalActivityWorkflow } from './support/event-beside-local-activity-workflow';

const EventType = temporal.api.enums.v1.EventType;
const WORKFLOWS = { workflowsPath: require.resolve('./support/event-beside-local-activity-workflow'), interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } };

/**
 * An event whose quick path fails after another local activity of the same task has answered (a booking under load:
 * its `reservation.scheduled` missed the quick path after the charge's payment was scheduled). A replay resolves both
 * local activities together; the history must replay all the same, or a worker that evicted or restarted the
 * workflow can never run it again.
 */
describe('merchant event slower path beside another local activity', () => {
  let testWorker: WorkflowTestWorker;
  let logWorker: WorkflowTestWorker;

  beforeAll(async () => {
    testWorker = await startWorkflowTestWorker('event-beside-la', {
      ...WORKFLOWS,
      activities: {
        // The log holds the signal past the quick path's bound (5 s with nobody waiting): the quick path times out
        // once the other local activity has answered.
        publishMerchantEvent: (): Promise<void> => new Promise((done) => setTimeout(done, 6_000)),
        answerAtOnce: async (): Promise<void> => undefined,
      },
    });
    // The slower path's queue, where the log takes the event.
    logWorker = await startWorkflowTestWorker('event-beside-la-log', { taskQueue: merchantEventTaskQueue(testWorker.taskQueue), activities: { publishMerchantEvent: async (): Promise<void> => undefined } });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([testWorker?.stop(), logWorker?.stop()]);
  });

  test('replays without non-determinism', async () => {
    const handle = await testWorker.client.workflow.start(eventBesideLocalActivityWorkflow, { taskQueue: testWorker.taskQueue, workflowId: `event-beside-la-${randomUUID()}`, args: ['merchant-test'] });
    await handle.result();
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    // The branch was taken: the quick path failed and the slower path's activity ran.
    expect(events.some((event: HistoryEvent) => event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && event.markerRecordedEventAttributes?.failure)).toBe(true);
    expect(events.some((event: HistoryEvent) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'publishMerchantEvent')).toBe(true);
    await expect(Worker.runReplayHistory(WORKFLOWS, history, handle.workflowId)).resolves.toBeUndefined();
  });
});
