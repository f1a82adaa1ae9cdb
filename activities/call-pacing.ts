import type { ProviderAdapter } from './provider-adapter';
import type { ProviderRegistry } from './provider-registry';

/**
 * Spaces calls evenly, with no burst: at most `perSecond` calls start in any one-second window. Temporal's
 * task-queue limit (maxTaskQueueActivitiesPerSecond) caps the rate across all workers but lets a full bucket
 * burst through at once; this pacer smooths what one process sends, so a provider never sees the burst.
 */
export class CallPacer {
  private readonly intervalMs: number;
  private lastRelease = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();

  constructor(perSecond: number) {
    this.intervalMs = 1_000 / perSecond;
  }

  /**
   * Callers go one at a time, each at least one interval after the previous one actually went: spacing is
   * measured from real release times, so a stalled event loop cannot release a backlog all at once.
   */
  wait(): Promise<void> {
    const turn = this.queue.then(async () => {
      const delay = this.lastRelease + this.intervalMs - performance.now();
      if (delay > 0) await new Promise((done) => setTimeout(done, delay));
      this.lastRelease = performance.now();
    });
    this.queue = turn;
    return turn;
  }
}

function paced(adapter: ProviderAdapter, pacer: CallPacer): ProviderAdapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await pacer.wait();
        return (value as (...inner: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * The share of a provider's limit this process paces to. The provider counts calls as they arrive, and delivery (the
 * event loops on both sides, the network) moves each call by milliseconds to tens of them, so calls released exactly
 * 1/limit apart arrived 52 in one second under a limit of 50 (mass-charging test, a drain on a busy machine). A tenth
 * of headroom absorbs ~100 ms of such jitter in any one-second window.
 */
export const PACING_SHARE_OF_LIMIT = 0.9;

/** The registry with each limited provider's calls paced in this process, a little under the provider's limit. */
export function withCallPacing(providers: ProviderRegistry, perSecond: Partial<Record<string, number>> = {}): ProviderRegistry {
  return Object.fromEntries(
    Object.entries(providers).map(([name, adapter]) => {
      const limit = perSecond[name];
      return [name, limit ? paced(adapter, new CallPacer(limit * PACING_SHARE_OF_LIMIT)) : adapter];
    }),
  );
}
