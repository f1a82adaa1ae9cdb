/**
 * Where a sandbox's webhooks go: one URL, or several taken in turn per attempt, as a load balancer in front of several
 * API instances spreads a provider's webhooks (the providers themselves post to one URL).
 */
export class WebhookTargets {
  private urls: readonly string[];
  private turn = 0;

  constructor(urls: string | readonly string[] | undefined) {
    this.urls = toList(urls);
  }

  set(urls: string | readonly string[]): void {
    this.urls = toList(urls);
    this.turn = 0;
  }

  /** The URL for the next attempt (undefined when none is set). */
  next(): string | undefined {
    if (this.urls.length === 0) return undefined;
    const url = this.urls[this.turn % this.urls.length];
    this.turn += 1;
    return url;
  }
}

function toList(urls: string | readonly string[] | undefined): readonly string[] {
  return urls === undefined ? [] : typeof urls === 'string' ? [urls] : [...urls];
}
