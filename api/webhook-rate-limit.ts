/**
 * A token bucket per key (a payment reference) in this process: sheds a webhook flood before it reaches Temporal.
 * The payment's own bucket (WebhookHints) is the bound across API replicas; this one keeps each replica cheap.
 * Keys are kept in insertion order and the oldest forgotten past `maxKeys`, so memory stays bounded too.
 */
export class PerKeyRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly refillMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes a token for `key`; false when none is left (the caller answers 429). */
  take(key: string, now = Date.now()): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs);
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens >= 1 ? tokens - 1 : tokens, at: now });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return tokens >= 1;
  }

  /** Seconds until `key` has a token again (for Retry-After). */
  retryAfterSeconds(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * this.refillMs) / 1_000);
  }
}
