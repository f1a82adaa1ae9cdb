import { proxyLocalActivities, type LocalActivityInterfaceFor, type LocalActivityOptions } from '@temporalio/workflow';
import { anAnswerWaitsOnThisTask } from './answers-waiting';

/**
 * While someone waits on the workflow task (an update in flight: a payment's first outcome, a booking, a
 * cancellation, a refund), its local activities hold that answer. A signal takes milliseconds, so the bound is tight
 * and tried once: a log continuing as new under load holds its signals for ~3 s, and retried attempts of a held call
 * kept answers waiting up to ~3.4 s with a 1 s bound (bench/README.md, "The p99 tail at 16 concurrent").
 */
const WHILE_AN_ANSWER_WAITS: LocalActivityOptions = { startToCloseTimeout: '300ms', scheduleToCloseTimeout: '300ms', retry: { maximumAttempts: 1 } };

/**
 * With nobody waiting (a reservation's charge, a refund settling in the background): a saturated server answers in
 * seconds, not milliseconds (a drain of reservations all due at once missed 300 ms for most charges, each miss an
 * activity and a workflow task more). Still bounded, well within the workflow task's timeout.
 */
const UNWATCHED: LocalActivityOptions = { startToCloseTimeout: '5s', scheduleToCloseTimeout: '5s', retry: { maximumAttempts: 1 } };

/**
 * The quick path of a call that has a slower one behind it (an ordinary activity, a command): a local activity in
 * the current workflow task, bounded by who waits on that task (answers-waiting). Local-activity options are not
 * replayed commands: no patch needed.
 */
export function quickLocalActivities<A>(): LocalActivityInterfaceFor<A> {
  return proxyLocalActivities<A>(anAnswerWaitsOnThisTask() ? WHILE_AN_ANSWER_WAITS : UNWATCHED);
}
