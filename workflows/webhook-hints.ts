import { ApplicationFailure } from '@temporalio/workflow';
import type { ProviderEventSignal } from './payment-types';

/** Why a webhook was not admitted (ApplicationFailure types, so the API answers by type). */
export const WebhookRefusal = {
  /** The payment waits for no webhook (finished, or not yet at the provider): nothing to learn from one. */
  NotAwaited: 'WebhookNotAwaited',
  Duplicate: 'WebhookDuplicate',
  /** A hint is already waiting to be acted on, and this event names no new provider payment id. */
  Coalesced: 'WebhookCoalesced',
  /** Too many hints lately: the provider should deliver again later (429). */
  Throttled: 'WebhookThrottled',
} as const;

/** Hints at once, then one more per HINT_REFILL_MS of workflow time: bounds the history a webhook flood can write. */
export const HINT_BURST = 5;
export const HINT_REFILL_MS = 5_000;
/** Event ids remembered for deduplication (oldest forgotten first); the API drops most repeats before they come. */
const REMEMBERED_EVENT_IDS = 100;

/**
 * Provider webhooks are only hints (the status endpoint is the authority), and Trustist's are unsigned, so anyone
 * with the URL can send them. This keeps what a payment remembers of them bounded and admits them from a token
 * bucket in workflow time, so a flood of forged events writes a bounded history and status checks at a bounded rate.
 */
export class WebhookHints {
  private readonly seenEventIds = new Set<string>();
  /** Provider payment ids named by webhooks, in arrival order; claims only, until the status endpoint confirms one. */
  readonly claimedPaymentIds: string[] = [];
  private tokens = HINT_BURST;
  private tokensAt: number;

  constructor(
    private readonly maxClaimedIds: number,
    now: number,
  ) {
    this.tokensAt = now;
  }

  /** Update validator: throws (the update is rejected and leaves no trace in history) unless the event is admitted. */
  admit(event: ProviderEventSignal, state: { awaited: boolean; hintPending: boolean; now: number }): void {
    if (!state.awaited) throw refusal('the payment is not waiting for a provider event', WebhookRefusal.NotAwaited);
    if (this.seenEventIds.has(event.eventId)) throw refusal('this event was received already', WebhookRefusal.Duplicate);
    if (state.hintPending && !this.namesNewId(event)) throw refusal('a provider event is already being acted on', WebhookRefusal.Coalesced);
    if (this.available(state.now) < 1) throw refusal('too many provider events for this payment; deliver again later', WebhookRefusal.Throttled);
  }

  /** Remembers an event (admitted update, or a signal from an API of an earlier version). */
  record(event: ProviderEventSignal, now: number): void {
    this.tokens = this.available(now) - 1;
    this.tokensAt = now;
    this.seenEventIds.add(event.eventId);
    if (this.seenEventIds.size > REMEMBERED_EVENT_IDS) this.seenEventIds.delete(this.seenEventIds.values().next().value as string);
    if (this.namesNewId(event)) this.claimedPaymentIds.push(event.providerPaymentId as string);
  }

  hasSeen(eventId: string): boolean {
    return this.seenEventIds.has(eventId);
  }

  private namesNewId(event: ProviderEventSignal): boolean {
    return !!event.providerPaymentId && this.claimedPaymentIds.length < this.maxClaimedIds && !this.claimedPaymentIds.includes(event.providerPaymentId);
  }

  private available(now: number): number {
    return Math.min(HINT_BURST, this.tokens + Math.max(0, now - this.tokensAt) / HINT_REFILL_MS);
  }
}

function refusal(message: string, type: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true });
}
