import type { WorkerOptions } from '@temporalio/worker';

/** Where a worker process runs its workflow code: a thread of its own per workflow worker (the SDK's way), or its main thread. */
export type WorkflowThread = 'own' | 'main';

/** How long one activation may run before the SDK reports a potential deadlock (the SDK's default). */
const ACTIVATION_TIMEOUT = '5s';

/**
 * Worker options that put the workflows on the process's main thread. The SDK does this in its `debugMode` (so a
 * debugger can attach), which also lifts the activation timeout; it is set back here, so a workflow that never yields
 * still fails its task after 5 s instead of holding the process. What it saves is the message to and from the
 * workflow thread for every activation and one V8 isolate per workflow worker (measured in bench/README.md,
 * "Workflows on the worker's main thread"); what it costs is that an activation, a long replay included, holds up the
 * process's activities and probes meanwhile.
 */
export function workflowThreadOptions(thread: WorkflowThread): Partial<WorkerOptions> {
  if (thread === 'own') return {};
  // isolateExecutionTimeout is the SDK's compiled option (not in WorkerOptions' type); Worker.create keeps it as given.
  return { debugMode: true, isolateExecutionTimeout: ACTIVATION_TIMEOUT } as Partial<WorkerOptions>;
}
