import { condition, defineSignal, setHandler } from '@temporalio/workflow';

/** Where the workflow code never yields: in a signal handler, or in the workflow's body after an `await`. */
export type SpinPlace = 'signal-handler' | 'after-await';

export const spinSignal = defineSignal<[SpinPlace]>('spin');
export const finishSignal = defineSignal('finish');

/** A stand-in for a workflow bug: a loop that never yields. */
function spinForever(): void {
  for (;;) {
    // Never yields: only the worker's execution timeout can end this activation.
  }
}

/** Waits for `spin` (loops where it says) or `finish` (ends). */
export async function spinningWorkflow(): Promise<string> {
  let spinAfterAwait = false;
  let finished = false;
  setHandler(spinSignal, (place) => {
    if (place === 'signal-handler') spinForever();
    spinAfterAwait = true;
  });
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => spinAfterAwait || finished);
  if (spinAfterAwait) spinForever();
  return 'finished';
}
