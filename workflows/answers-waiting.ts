import { allHandlersFinished, workflowInfo } from '@temporalio/workflow';

/**
 * Per-run state on the global object: workflow modules are shared by every run (no module-level state), while the
 * SDK's reusable context keeps one set of global properties per run.
 */
interface RunGlobals {
  /** The history length of the last workflow task that took an update. */
  updateTakenInTask?: number;
}
const run = (): RunGlobals => globalThis as RunGlobals;

/** Called for every update the workflow takes (see answers-waiting-interceptors). */
export function noteUpdateTaken(): void {
  run().updateTakenInTask = workflowInfo().historyLength;
}

/**
 * Whether someone waits for the current workflow task to complete: an update handler still running, or an update
 * taken in this task. A handler that answers at once (a provider's webhook) is finished, yet its answer leaves only
 * with the task. Every activation of one task sees the same history length.
 */
export function anAnswerWaitsOnThisTask(): boolean {
  return !allHandlersFinished() || run().updateTakenInTask === workflowInfo().historyLength;
}
