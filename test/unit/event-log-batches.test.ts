import { EventLogBatches, type SignalEventLog } from '../../activities/event-log-batches';
import type { MerchantEvent } from '../../domain/merchant-event';
import type { PublishedEvent } from '../../workflows/merchant-event-log-types';

const LOG = 'merchant-events-merchant1';

const published = (id: string): PublishedEvent => ({ event: { id } as MerchantEvent, endpointIds: [] });

/** A signal that answers only when the test says so, recording each call's events and its give-up signal. */
function heldSignals() {
  const calls: { ids: string[]; abort: AbortSignal; answer: (error?: Error) => void }[] = [];
  const signal: SignalEventLog = (events, abort) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ ids: events.map((each) => each.event.id), abort, answer: (error) => (error ? reject(error) : resolve()) });
    });
  return { calls, signal };
}

const settled = (promise: Promise<void>) => promise.then(() => 'sent', (error: Error) => `failed: ${error.message}`);
const turn = () => new Promise<void>((done) => setImmediate(done));

describe('events batched per log', () => {
  test('an idle log gets an event at once; events arriving meanwhile go together in the next signal, in order', async () => {
    const batches = new EventLogBatches();
    const { calls, signal } = heldSignals();
    const first = batches.append(LOG, published('e1'), new AbortController().signal, signal);
    expect(calls.map((call) => call.ids)).toEqual([['e1']]);

    const later = ['e2', 'e3', 'e4'].map((id) => batches.append(LOG, published(id), new AbortController().signal, signal));
    const otherLog = batches.append('merchant-events-merchant2', published('x1'), new AbortController().signal, signal);
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
    const batches = new EventLogBatches();
    const { calls, signal } = heldSignals();
    void batches.append(LOG, published('e1'), new AbortController().signal, signal);
    const givenUp = new AbortController();
    const waitingThenGivenUp = settled(batches.append(LOG, published('e2'), givenUp.signal, signal));
    const kept = settled(batches.append(LOG, published('e3'), new AbortController().signal, signal));

    givenUp.abort(new Error('attempt timed out'));
    expect(await waitingThenGivenUp).toBe('failed: attempt timed out');
    calls[0]!.answer();
    await turn();
    expect(calls.map((call) => call.ids)).toEqual([['e1'], ['e3']]);
    calls[1]!.answer();
    expect(await kept).toBe('sent');
  });

  test('a batch in flight is given up only when every event in it is', async () => {
    const batches = new EventLogBatches();
    const { calls, signal } = heldSignals();
    void batches.append(LOG, published('e1'), new AbortController().signal, signal);
    const attempts = [new AbortController(), new AbortController()];
    const outcomes = ['e2', 'e3'].map((id, index) => settled(batches.append(LOG, published(id), attempts[index]!.signal, signal)));
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
    const batches = new EventLogBatches();
    const { calls, signal } = heldSignals();
    const first = settled(batches.append(LOG, published('e1'), new AbortController().signal, signal));
    calls[0]!.answer(new Error('server unavailable'));
    expect(await first).toBe('failed: server unavailable');
    await turn();
    const next = settled(batches.append(LOG, published('e2'), new AbortController().signal, signal));
    expect(calls.map((call) => call.ids)).toEqual([['e1'], ['e2']]);
    calls[1]!.answer();
    expect(await next).toBe('sent');
  });

  test('at most 100 events go in one signal', async () => {
    const batches = new EventLogBatches();
    const { calls, signal } = heldSignals();
    const all = Array.from({ length: 151 }, (_, index) => settled(batches.append(LOG, published(`e${index}`), new AbortController().signal, signal)));
    for (let answered = 0; answered < 3; answered += 1) {
      calls[answered]!.answer();
      await turn();
    }
    expect(calls.map((call) => call.ids.length)).toEqual([1, 100, 50]);
    expect(calls.flatMap((call) => call.ids)).toEqual(Array.from({ length: 151 }, (_, index) => `e${index}`));
    expect(new Set(await Promise.all(all))).toEqual(new Set(['sent']));
  });
});
