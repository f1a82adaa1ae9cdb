import { randomUUID } from 'node:crypto';
import { webhookInboxWorkflow } from '../../workflows/webhook-inbox';
import { ProcessStack } from '../chaos/support/process-stack';

/**
 * The SDK's stack-trace query (the Web UI's Stack Trace tab) costs a promise hook on every promise a workflow creates,
 * ~4 ms of worker CPU per payment, so our patch of @temporalio/worker (patches/) leaves it off unless the worker is
 * started with WORKER_WORKFLOW_STACK_TRACES=on; each workflow thread reads it as it starts. Operators read where a
 * payment waits from its current details instead. Real worker processes: the switch is the process environment.
 */
describe('workflow stack traces', () => {
  /** A worker process with `extraWorkerEnv`; the stack of a waiting workflow on its queue, or why there is none. */
  async function stackShownBy(extraWorkerEnv: NodeJS.ProcessEnv): Promise<string> {
    const stack = await ProcessStack.start({ extraWorkerEnv });
    try {
      await stack.startWorker();
      const handle = await stack.client.workflow.start(webhookInboxWorkflow, { taskQueue: stack.taskQueue, workflowId: `stack-traces-${randomUUID()}` });
      try {
        // The worker's reason is encrypted by our failure converter (the client does not decode a query's failure).
        return await handle.query<string>('__stack_trace').catch((error: unknown) => `failed: ${error instanceof Error ? error.name : String(error)}`);
      } finally {
        await handle.terminate('test over');
      }
    } finally {
      await stack.close();
    }
  }

  test('off by default: the query says so', async () => {
    expect(await stackShownBy({})).toBe('failed: QueryNotRegisteredError');
  });

  test('on with WORKER_WORKFLOW_STACK_TRACES=on: the query shows where the workflow waits', async () => {
    expect(await stackShownBy({ WORKER_WORKFLOW_STACK_TRACES: 'on' })).toContain('webhookInboxWorkflow');
  });
});
