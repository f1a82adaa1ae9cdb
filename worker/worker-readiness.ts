import type { NativeConnection, State, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';

export interface PollingQueue {
  taskQueue: string;
  type: 'workflow' | 'activity';
  state: State;
  /** Temporal lists a poller with this worker's identity on the queue. */
  polling: boolean;
}

export interface WorkerReadiness {
  ready: boolean;
  temporal: 'reachable' | 'unreachable';
  queues: PollingQueue[];
}

const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;

/**
 * `request`, or a rejection once `timeoutMs` have passed. A gRPC deadline alone is not enough: the SDK retries an
 * unavailable server within it, and a probe answered 9 to 10 s after a 3 s deadline (measured through a cut relay).
 */
export function withinMs<T>(timeoutMs: number, request: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([request, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Ready when every worker runs (the SDK's state: not failed, stopping or draining) and Temporal itself lists this
 * process among the pollers of each queue it serves. Temporal's answer proves what the state cannot: that the
 * connection works and the polls arrive on the right namespace and queue names. Each question has `timeoutMs`, so a
 * lost connection answers "not ready" promptly instead of hanging.
 */
export async function checkWorkerReadiness(connection: NativeConnection, workers: Worker[], timeoutMs = 3_000): Promise<WorkerReadiness> {
  const queues = workers.flatMap((worker) => {
    const { options } = worker;
    const types: PollingQueue['type'][] = [
      ...(options.workflowBundle || options.workflowsPath ? ['workflow' as const] : []),
      ...(options.activities.size > 0 ? ['activity' as const] : []),
    ];
    return types.map((type) => ({ worker, type }));
  });
  const deadline = Date.now() + timeoutMs;
  let reachable = true;
  const checked = await Promise.all(
    queues.map(async ({ worker, type }): Promise<PollingQueue> => {
      const { namespace, taskQueue, identity } = worker.options;
      let polling = false;
      try {
        const { pollers } = await withinMs(
          timeoutMs,
          connection.withDeadline(deadline, () =>
            connection.workflowService.describeTaskQueue({
              namespace,
              taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
              taskQueueType: type === 'workflow' ? TASK_QUEUE_TYPE_WORKFLOW : TASK_QUEUE_TYPE_ACTIVITY,
            }),
          ),
        );
        polling = pollers.some((poller) => poller.identity === identity);
      } catch {
        reachable = false;
      }
      return { taskQueue, type, state: worker.getState(), polling };
    }),
  );
  return {
    ready: reachable && checked.every((queue) => queue.state === 'RUNNING' && queue.polling),
    temporal: reachable ? 'reachable' : 'unreachable',
    queues: checked,
  };
}
