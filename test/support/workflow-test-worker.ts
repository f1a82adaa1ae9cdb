import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { HistoryEvent } from '../../bench/history';
import { testTemporalAddress } from './payment-stack';
import { waitUntil } from './wait-until';

/** A worker of its own on a task queue of its own, for tests of workflow mechanics on test workflows. */
export interface WorkflowTestWorker {
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * Everything a worker takes but where it connects (its task queue is its own unless named); extra fields pass through
 * (the SDK reads some it does not type).
 */
export type WorkflowTestWorkerOptions = Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue'> & { taskQueue?: string } & Record<string, unknown>;

export async function startWorkflowTestWorker(name: string, options: WorkflowTestWorkerOptions): Promise<WorkflowTestWorker> {
  const { address, namespace } = testTemporalAddress();
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const taskQueue = options.taskQueue ?? `${name}-${randomUUID()}`;
  const worker = await Worker.create({ ...options, connection, namespace, taskQueue });
  const running = worker.run();
  return {
    client,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
    },
  };
}

/** The workflow's history once `done` holds (it fails after `timeoutMs`). */
export async function historyUntil(handle: WorkflowHandle, done: (events: HistoryEvent[]) => boolean, timeoutMs: number): Promise<HistoryEvent[]> {
  return waitUntil(`workflow ${handle.workflowId}'s history to hold the expected events`, async () => {
    const events = (await handle.fetchHistory()).events ?? [];
    return done(events) ? events : undefined;
  }, timeoutMs, 100);
}
