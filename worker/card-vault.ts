import { randomUUID } from 'node:crypto';
import type { CardSubmission } from '../activities/provider-adapter';

/**
 * Card data held in this process's memory only, between the API request that carried it and the activity
 * that sends it to the provider. Entries expire, so a card nobody submitted does not linger.
 */
export class CardVault {
  private readonly entries = new Map<string, { submission: CardSubmission; timer: NodeJS.Timeout }>();

  constructor(private readonly ttlMs = 5 * 60_000) {}

  put(submission: CardSubmission): string {
    const handle = randomUUID();
    const timer = setTimeout(() => this.entries.delete(handle), this.ttlMs);
    timer.unref();
    this.entries.set(handle, { submission, timer });
    return handle;
  }

  get(handle: string): CardSubmission | undefined {
    return this.entries.get(handle)?.submission;
  }

  delete(handle: string): void {
    const entry = this.entries.get(handle);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(handle);
  }

  get size(): number {
    return this.entries.size;
  }
}
