import { condition } from '@temporalio/workflow';
import type { CardOffer, VaultCardSource } from './payment-types';

/**
 * Cards offered to a payment whose own card was lost before the provider saw it (the API process that held it
 * died, or dropped it after a lost start answer). A repeated request (same body, same Idempotency-Key, so the
 * same fingerprint) offers the card it carries, held in the vault of the process that received it; the
 * payment submits that one instead. Only vault handles travel here, never card data.
 */
export class CardHandover {
  private offered?: VaultCardSource;
  private readonly tried = new Set<string>();
  handovers = 0;

  constructor(
    private readonly requestFingerprint: string | undefined,
    firstCard: VaultCardSource | undefined,
  ) {
    if (firstCard) this.tried.add(firstCard.handle);
  }

  /** Keeps the latest offer from a request identical to the one that created the payment. */
  offer(offer: CardOffer | undefined): void {
    if (!offer?.cardSource || offer.requestFingerprint === undefined || offer.requestFingerprint !== this.requestFingerprint) return;
    if (this.tried.has(offer.cardSource.handle)) return;
    this.offered = offer.cardSource;
  }

  /** The card to submit next: one offered already, or the first offered within `windowMs`. */
  async take(windowMs: number): Promise<VaultCardSource | undefined> {
    if (!this.offered && windowMs > 0) await condition(() => this.offered !== undefined, windowMs, { summary: 'Wait for a repeated request to hand its card over' });
    const card = this.offered;
    this.offered = undefined;
    if (card) {
      this.tried.add(card.handle);
      this.handovers += 1;
    }
    return card;
  }
}
