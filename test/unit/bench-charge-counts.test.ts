import { countCharges, describeCharges } from '../../bench/charge-counts';

describe('bench: reservations charged once, from the ledger', () => {
  test('every reservation charged once', () => {
    const counts = countCharges(['r1', 'r2', 'r3'], 3);
    expect(counts).toEqual({ charged: 3, chargedTwice: 0, chargedOnce: true });
    expect(describeCharges(counts, 3)).toBe('3 charged, each once');
  });

  // The cluster drain of 2026-12-02T11-47-00 stopped waiting with 872 of 1,000 charged and was reported "NOT each once".
  test('a drain cut short by the deadline is a shortfall, not a double charge', () => {
    const counts = countCharges(['r1', 'r2'], 3);
    expect(counts).toEqual({ charged: 2, chargedTwice: 0, chargedOnce: false });
    expect(describeCharges(counts, 3)).toBe('2 of 3 charged when the bench stopped waiting, none twice');
  });

  test('a reservation charged twice is named as such, also when all were charged', () => {
    const counts = countCharges(['r1', 'r2', 'r2', 'r3'], 3);
    expect(counts).toEqual({ charged: 3, chargedTwice: 1, chargedOnce: false });
    expect(describeCharges(counts, 3)).toBe('3 charged, 1 charged TWICE');
  });

  test('older results without the double-charge count say so', () => {
    expect(describeCharges({ charged: 872, chargedOnce: false }, 1_000)).toBe('872 of 1000 charged when the bench stopped waiting, not checked for double charges');
  });
});
