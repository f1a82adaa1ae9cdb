import { EventLogBatches, type SignalEventLog } from '../../activities/event-log-batches';
import type { MerchantEvent } from '../../domain/merchant-event';
import type { PublishedEvent } from '../../workflows/merchant-event-log-types';

const LOG = 'merchant-events-merchant1';

const published = (id: string): PublishedEvent => ({ event: { id } as MerchantEvent, endpointIds: [] });

/**
 * Fresh batches with a signal that answers only when the test says so (each call's events, its give-up signal
 * and its answer are recorded), and `append` of an event by id to a log, with its own give-up signal unless given.
 */
function heldBatches() {
  const batches = new EventLogBatches();
  const calls: { ids: string[]; abort: AbortSignal; answer: (error?: Error) => void }[] = [];
  const signal: SignalEventLog = (events, abort) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ ids: events.map((each) => each.event.id), abort, answer: (error) => (error ? reject(error) : resolve()) });
    });
  const append = (id: string, abort = new AbortController().signal, log = LOG) => batches.append(log, published(id), abort, signal);
  return { calls, append };
}

const settled = (promise: Promise<void>) => promise.then(() => 'sent', (error: Error) => `failed: ${error.message}`);
const turn = () => new Promise<void>((done) => setImmediate(done));

describe('events batched per log', () => {
  test('an idle log gets an event at once; events arriving meanwhile go together in the next signal, in order', async () => {
    const { calls, append } = heldBatches();
    const first = append('e1');
    expect(calls.map((call) => call.ids)).toEqual([['e1']]);

    const later = ['e2', 'e3', 'e4'].map((id) => append(id));
    const otherLog = append('x1', undefined, 'merchant-events-merchant2');
    expect(calls.map((call) => call.ids)).toEqual([['e1'], ['x1']]);

    calls[0]!.answer();
    await expect(first).resolves.toBeUndefined();
    await turn();
    expect(calls.map((call) => call.ids)).toEqual([['e1'], ['x1'], ['e2', 'e3', 'e4']]);
    calls[2]!.answer();
    calls[1]!.answer();
    expect(await Promise.all([...later, otherLog].map(settled))).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  test('an event given up while it waits leaves the queue and fails; the rest still go', async () => {
    const { calls, append } = heldBatches();
    void append('e1');
    const givenUp = new AbortController();
    const waitingThenGivenUp = settled(append('e2', givenUp.signal));
    const kept = settled(append('e3'));

    givenUp.abort(new Error('attempt timed out'));
    expect(await waitingThenGivenUp).toBe('failed: attempt timed out');
    calls[0]!.answer();
    await turn();
    expect(calls.map((call) => call.ids)).toEqual([['e1'], ['e3']]);
    calls[1]!.answer();
    expect(await kept).toBe('sent');
  });

  test('a batch in flight is given up only when every event in it is', async () => {
    const { calls, append } = heldBatches();
    void append('e1');
    const attempts = [new AbortController(), new AbortController()];
    const outcomes = ['e2', 'e3'].map((id, index) => settled(append(id, attempts[index]!.signal)));
    calls[0]!.answer();
    await turn();
    const batch = calls[1]!;
    expect(batch.ids).toEqual(['e2', 'e3']);

    attempts[0]!.abort(new Error('attempt timed out'));
    expect(batch.abort.aborted).toBe(false);
    attempts[1]!.abort(new Error('attempt timed out'));
    expect(batch.abort.aborted).toBe(true);
    batch.answer(new Error('signal cancelled'));
    expect(await Promise.all(outcomes)).toEqual(['failed: signal cancelled', 'failed: signal cancelled']);
  });

  test('a failed signal fails every event in its batch; the log takes the next events afresh', async () => {
    const { calls, append } = heldBatches();
    const first = settled(append('e1'));
    calls[0]!.answer(new Error('server unavailable'));
    expect(await first).toBe('failed: server unavailable');
    await turn();
    const next = settled(append('e2'));
    expect(calls.map((call) => call.ids)).toEqual([['e1'], ['e2']]);
    calls[1]!.answer();
    expect(await next).toBe('sent');
  });

  test('at most 100 events go in one signal', async () => {
    const { calls, append } = heldBatches();
    const all = Array.from({ length: 151 }, (_, index) => settled(append(`e${index}`)));
    for (let answered = 0; answered < 3; answered += 1) {
      calls[answered]!.answer();
      await turn();
    }
    expect(calls.map((call) => call.ids.length)).toEqual([1, 100, 50]);
    expect(calls.flatMap((call) => call.ids)).toEqual(Array.from({ length: 151 }, (_, index) => `e${index}`));
    expect(new Set(await Promise.all(all))).toEqual(new Set(['sent']));
  });
});
