/** What the sandbox ledger says of N reservations' charges: how many were charged, and whether any twice. */
export interface ChargeCounts {
  /** Reservations with at least one charge. */
  charged: number;
  /** Reservations with more than one charge: an exactly-once failure. */
  chargedTwice: number;
  /** Every one of the expected reservations charged, none twice. */
  chargedOnce: boolean;
}

/** `references`: the reference of every charge entry in the ledger (one per charge made). */
export function countCharges(references: string[], expected: number): ChargeCounts {
  const perReference = new Map<string, number>();
  for (const reference of references) perReference.set(reference, (perReference.get(reference) ?? 0) + 1);
  const chargedTwice = [...perReference.values()].filter((charges) => charges > 1).length;
  return { charged: perReference.size, chargedTwice, chargedOnce: perReference.size === expected && chargedTwice === 0 };
}

/** "1000 charged, each once" / "872 of 1000 charged when the bench stopped waiting, none twice" / "... 2 TWICE". */
export function describeCharges(counts: Pick<ChargeCounts, 'charged' | 'chargedOnce'> & { chargedTwice?: number }, expected: number): string {
  if (counts.chargedOnce) return `${counts.charged} charged, each once`;
  const twice = counts.chargedTwice === undefined ? 'not checked for double charges' : counts.chargedTwice === 0 ? 'none twice' : `${counts.chargedTwice} charged TWICE`;
  const shortfall = counts.charged < expected ? `${counts.charged} of ${expected} charged when the bench stopped waiting` : `${counts.charged} charged`;
  return `${shortfall}, ${twice}`;
}
