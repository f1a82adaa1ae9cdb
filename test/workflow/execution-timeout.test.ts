import { randomUUID } from 'node:crypto';
import { runInThisContext } from 'node:vm';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { HistoryEvent } from '../../bench/history';
import { historyUntil, startWorkflowTestWorker, type WorkflowTestWorker } from '../support/workflow-test-worker';
import { workflowThreadOptions } from '../../worker/workflow-thread';
import { finishSignal, spinSignal, spinningWorkflow, type SpinPlace } from './support/spinning-workflow';

const EventType = temporal.api.enums.v1.EventType;
/**
 * The SDK's isolate execution timeout (5 s by default), shortened so the spinning thread takes a core for as little as
 * possible while other test files run: the SDK reads `isolateExecutionTimeout` though its public type does not list it.
 */
const EXECUTION_TIMEOUT_MS = 1_000;

/**
 * This process itself, not jest's copy of it. On the main thread the timeouts run in this process, and our patch
 * silences the one deprecation warning of its recovery path (DEP0111) on the `process` it sees: under jest, the copy.
 */
const testProcess = runInThisContext('process') as NodeJS.Process;

/**
 * Workflow code that never yields (a bug) must fail its workflow task after the worker's execution timeout and leave
 * the worker serving every other workflow, wherever the loop is: our patch of @temporalio/worker keeps the SDK's
 * guarantee with one watchdog per activation, and extends it to loops in promise jobs. So too with the workflows on
 * the worker's main thread (WORKER_WORKFLOW_THREAD=main, the SDK's debug mode, which alone would lift the timeout):
 * there the loop holds this test process's thread for the production timeout, 5 s.
 */
describe.each([
  { thread: 'own', options: { isolateExecutionTimeout: EXECUTION_TIMEOUT_MS }, timeoutMs: EXECUTION_TIMEOUT_MS },
  { thread: 'main', options: workflowThreadOptions('main'), timeoutMs: 5_000 },
])('workflow code that never yields, workflows on the $thread thread', ({ options, timeoutMs }) => {
  let testWorker: WorkflowTestWorker;

  const warningsBefore = testProcess.noDeprecation;
  beforeAll(async () => {
    testProcess.noDeprecation = true;
    testWorker = await startWorkflowTestWorker('execution-timeout', {
      workflowsPath: require.resolve('./support/spinning-workflow'),
      ...options,
    });
  }, 60_000);

  afterAll(async () => {
    await testWorker?.stop();
    testProcess.noDeprecation = warningsBefore;
  });

  /** The first failed workflow task's message, once the history shows one (fails after 20 s). */
  async function firstTaskFailure(handle: WorkflowHandle): Promise<string> {
    const isFailedTask = (event: HistoryEvent) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED;
    const events = await historyUntil(handle, (seen) => seen.some(isFailedTask), 20_000);
    return events.find(isFailedTask)?.workflowTaskFailedEventAttributes?.failure?.message ?? '';
  }

  // After an await the loop runs in a promise job; there the stock SDK's timeout aborts the whole worker process ("async
  // hook stack has become corrupted", nodejs/node#38503, temporalio/sdk-typescript#939).
  test.each<SpinPlace>(['signal-handler', 'after-await'])('a loop in the %s fails its task with the execution timeout; the worker goes on', async (place) => {
    const { client, taskQueue } = testWorker;
    const spinning = await client.workflow.start(spinningWorkflow, { taskQueue, workflowId: `spinning-${randomUUID()}` });
    await spinning.signal(spinSignal, place);
    try {
      expect(await firstTaskFailure(spinning)).toBe(`Script execution timed out after ${timeoutMs}ms`);
    } finally {
      await spinning.terminate('test over');
    }
    // Positive control: the same worker still runs a workflow that yields.
    const healthy = await client.workflow.start(spinningWorkflow, { taskQueue, workflowId: `healthy-${randomUUID()}` });
    await healthy.signal(finishSignal);
    expect(await healthy.result()).toBe('finished');
  }, 40_000);
});
