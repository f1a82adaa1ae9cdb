import { shareOfKind } from '../../bench/scenarios/scale-out';

describe('bench scale-out: each instance against its kind', () => {
  test("a numbered instance's share is its CPU over all instances of its kind; unnumbered processes have none", () => {
    expect(shareOfKind({ server: 9_000, 'worker-1': 3_000, 'worker-2': 1_000, 'api-1': 500, 'api-2': 1_500, bench: 400 })).toEqual({
      'worker-1': 0.75,
      'worker-2': 0.25,
      'api-1': 0.25,
      'api-2': 0.75,
    });
  });

  test('a kind that used no CPU gets no share (no division by zero)', () => {
    expect(shareOfKind({ 'worker-1': 0, 'worker-2': 0, 'api-1': 2, 'api-2': 2 })).toEqual({ 'api-1': 0.5, 'api-2': 0.5 });
  });
});
