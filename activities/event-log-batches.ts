import type { PublishedEvent } from '../workflows/merchant-event-log-types';

/** One signal to a merchant's event log carrying `events` in order; `abort` gives the call up. */
export type SignalEventLog = (events: PublishedEvent[], abort: AbortSignal) => Promise<void>;

/** Events per signal at most: far below the server's payload limit (an event is about 1 KB). */
const MAX_EVENTS_PER_SIGNAL = 100;

interface Waiting {
  published: PublishedEvent;
  abort: AbortSignal;
  settle: (error?: unknown) => void;
  /** Removes the listener that takes the event out of the queue when given up; called when a batch takes it. */
  leaveQueue: () => void;
}

/**
 * Events bound for one log while a signal to it is on its way wait, and go together in the next signal (Nagle's
 * rule): an idle log gets each event at once, a busy one one signal and one workflow task for many events.
 */
export class EventLogBatches {
  /** Per log with a signal on its way: the events waiting for the next one. */
  private readonly waitingByLog = new Map<string, Waiting[]>();

  append(logId: string, published: PublishedEvent, abort: AbortSignal, signal: SignalEventLog): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = { published, abort, settle: (error) => (error === undefined ? resolve() : reject(error)), leaveQueue: () => {} };
      const waiting = this.waitingByLog.get(logId);
      if (!waiting) {
        this.waitingByLog.set(logId, []);
        void this.signalUntilDrained(logId, [entry], signal);
        return;
      }
      waiting.push(entry);
      // Given up while waiting (its attempt timed out): it leaves the queue; the slower path appends it instead.
      const giveUp = () => {
        const index = waiting.indexOf(entry);
        if (index < 0) return;
        waiting.splice(index, 1);
        reject(abort.reason);
      };
      abort.addEventListener('abort', giveUp, { once: true });
      entry.leaveQueue = () => abort.removeEventListener('abort', giveUp);
    });
  }

  private async signalUntilDrained(logId: string, first: Waiting[], signal: SignalEventLog): Promise<void> {
    const waiting = this.waitingByLog.get(logId) as Waiting[];
    for (let batch = first; batch.length > 0; batch = waiting.splice(0, MAX_EVENTS_PER_SIGNAL)) {
      for (const entry of batch) entry.leaveQueue();
      await signalBatch(batch, signal);
    }
    this.waitingByLog.delete(logId);
  }
}

/** One signal for the batch, given up only when every event in it was given up. */
async function signalBatch(batch: Waiting[], signal: SignalEventLog): Promise<void> {
  const giveUp = new AbortController();
  let stillWanted = batch.length;
  const onAbort = () => {
    stillWanted -= 1;
    if (stillWanted === 0) giveUp.abort();
  };
  for (const entry of batch) {
    if (entry.abort.aborted) onAbort();
    else entry.abort.addEventListener('abort', onAbort, { once: true });
  }
  try {
    if (giveUp.signal.aborted) throw giveUp.signal.reason;
    await signal(batch.map((entry) => entry.published), giveUp.signal);
    for (const entry of batch) entry.settle();
  } catch (error) {
    for (const entry of batch) entry.settle(error ?? new Error('the event log signal failed'));
  } finally {
    for (const entry of batch) entry.abort.removeEventListener('abort', onAbort);
  }
}
