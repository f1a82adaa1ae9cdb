/**
 * The money ledger of one sandbox instance: one entry per charge or refund that actually happened. Tests use it
 * to prove exactly-once money movement (a retried request must never add a second charge).
 */

export type LedgerEntryType = 'charge' | 'refund';

export interface LedgerEntry {
  type: LedgerEntryType;
  provider: 'turnstay' | 'trustist';
  /** TurnStay: merchant_reference, else lookup_id. Trustist: the payment's reference. */
  reference: string;
  /** TurnStay lookup_id, Trustist payment id. */
  paymentId: string;
  amountMinor: number;
  currency: string;
  /** ISO-8601 time of the movement. */
  at: string;
}

export interface LedgerFilter {
  reference?: string;
  paymentId?: string;
  type?: LedgerEntryType;
}

export class Ledger {
  private entries: LedgerEntry[] = [];

  constructor(private readonly provider: LedgerEntry['provider']) {}

  charge(entry: Omit<LedgerEntry, 'type' | 'provider' | 'at'>): LedgerEntry {
    return this.record({ ...entry, type: 'charge' });
  }

  refund(entry: Omit<LedgerEntry, 'type' | 'provider' | 'at'>): LedgerEntry {
    return this.record({ ...entry, type: 'refund' });
  }

  list(filter: LedgerFilter = {}): LedgerEntry[] {
    return this.entries.filter(
      (entry) =>
        (filter.reference === undefined || entry.reference === filter.reference) &&
        (filter.paymentId === undefined || entry.paymentId === filter.paymentId) &&
        (filter.type === undefined || entry.type === filter.type),
    );
  }

  /** Net amount (charges minus refunds) for a payment, in minor units. */
  netFor(paymentId: string): number {
    return this.list({ paymentId }).reduce((sum, entry) => sum + (entry.type === 'charge' ? entry.amountMinor : -entry.amountMinor), 0);
  }

  clear(): void {
    this.entries = [];
  }

  private record(entry: Omit<LedgerEntry, 'provider' | 'at'>): LedgerEntry {
    const full: LedgerEntry = { ...entry, provider: this.provider, at: new Date().toISOString() };
    this.entries.push(full);
    return { ...full };
  }
}
