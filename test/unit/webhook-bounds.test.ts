import { ApplicationFailure } from '@temporalio/common';
import { PerKeyRateLimit } from '../../api/webhook-rate-limit';
import { HINT_BURST, HINT_REFILL_MS, WebhookHints, WebhookRefusal } from '../../workflows/webhook-hints';

/** What a payment keeps of webhooks, and how many it admits, stays bounded however many are sent. */
describe('webhook bounds', () => {
  const refusalOf = (admit: () => void) => {
    try {
      admit();
      return 'admitted';
    } catch (error) {
      return error instanceof ApplicationFailure ? error.type : String(error);
    }
  };

  test('a payment admits a burst of hints, then one per refill interval of workflow time', () => {
    const start = 1_000_000;
    const hints = new WebhookHints(10, start);
    const waiting = (now: number) => ({ awaited: true, hintPending: false, now });
    let admitted = 0;
    // 20,000 forged events over 60 s of workflow time, each with a new event id and a new claimed payment id.
    for (let index = 0; index < 20_000; index += 1) {
      const now = start + Math.floor((index * 60_000) / 20_000);
      const event = { eventId: `forged-${index}`, status: 'COMPLETE', providerPaymentId: `forged-${index}` };
      if (refusalOf(() => hints.admit(event, waiting(now))) === 'admitted') {
        hints.record(event, now);
        admitted += 1;
      }
    }
    expect(admitted).toBeLessThanOrEqual(HINT_BURST + 60_000 / HINT_REFILL_MS);
    expect(admitted).toBeGreaterThanOrEqual(HINT_BURST + 60_000 / HINT_REFILL_MS - 1);
    expect(hints.claimedPaymentIds).toHaveLength(10);
  });

  test('refusals say why: not awaited, duplicate, coalesced while a hint is pending', () => {
    const hints = new WebhookHints(10, 0);
    const event = { eventId: 'evt-1', status: 'COMPLETE' };
    expect(refusalOf(() => hints.admit(event, { awaited: false, hintPending: false, now: 0 }))).toBe(WebhookRefusal.NotAwaited);
    hints.record(event, 0);
    expect(refusalOf(() => hints.admit(event, { awaited: true, hintPending: false, now: 0 }))).toBe(WebhookRefusal.Duplicate);
    const other = { eventId: 'evt-2', status: 'COMPLETE' };
    expect(refusalOf(() => hints.admit(other, { awaited: true, hintPending: true, now: 0 }))).toBe(WebhookRefusal.Coalesced);
    // A new provider payment id is still taken while a hint is pending: a lost answer may need it.
    expect(refusalOf(() => hints.admit({ ...other, providerPaymentId: 'pay-2' }, { awaited: true, hintPending: true, now: 0 }))).toBe('admitted');
  });

  test('the API limit is per reference, refills over time, and forgets the oldest references past its size', () => {
    const limit = new PerKeyRateLimit(2, 1_000, 3);
    expect([limit.take('a', 0), limit.take('a', 0), limit.take('a', 0)]).toEqual([true, true, false]);
    expect(limit.retryAfterSeconds('a', 0)).toBe(1);
    expect(limit.take('b', 0)).toBe(true);
    expect(limit.take('a', 1_000)).toBe(true);
    for (const key of ['c', 'd', 'e']) limit.take(key, 1_000);
    // "a" was forgotten: it starts again with a full burst (memory stays at 3 references).
    expect([limit.take('a', 1_000), limit.take('a', 1_000)]).toEqual([true, true]);
  });
});
