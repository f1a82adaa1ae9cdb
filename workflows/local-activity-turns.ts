import { patched } from '@temporalio/workflow';

/** Versions running local activities one at a time: histories from before it ran them side by side. */
export const LOCAL_ACTIVITY_TURNS_PATCH = 'local-activities-one-at-a-time';

/**
 * Per-run state on the global object: workflow modules are shared by every run (no module-level state), while the
 * SDK's reusable context keeps one set of global properties per run.
 */
interface RunGlobals {
  /** Settles when the last local activity scheduled has. */
  lastLocalActivity?: Promise<unknown>;
}
const run = (): RunGlobals => globalThis as RunGlobals;
const settled = (): void => undefined;

/**
 * Schedules a local activity once the one before it has settled (see local-activity-turns-interceptors). A first run
 * resolves side-by-side local activities as each finishes, a replay from their markers together in the order they
 * were scheduled: a command made when one of them resolves (an event's slower path after its quick path failed) then
 * lands elsewhere among the commands and the replay fails (a 25,000-reservation bench: 27% of reservations stuck).
 * One at a time, both resolve them alike.
 */
export function inTurn<T>(schedule: () => Promise<T>): Promise<T> {
  if (!patched(LOCAL_ACTIVITY_TURNS_PATCH)) return schedule();
  const scheduled = (run().lastLocalActivity ?? Promise.resolve()).then(schedule);
  run().lastLocalActivity = scheduled.then(settled, settled);
  return scheduled;
}
