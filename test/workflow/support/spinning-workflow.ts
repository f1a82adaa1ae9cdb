import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const spinSignal = defineSignal('spin');
export const finishSignal = defineSignal('finish');

/** Waits for `spin` (a stand-in for a workflow bug: a handler that never yields) or `finish` (ends). */
export async function spinningWorkflow(): Promise<string> {
  let finished = false;
  setHandler(spinSignal, () => {
    for (;;) {
      // Never yields: only the worker's execution timeout can end this activation.
    }
  });
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return 'finished';
}
