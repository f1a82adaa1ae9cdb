import fc from 'fast-check';
import { formEncoded, hostileValue, mutated } from '../chaos/support/openapi-fuzz';

/**
 * The fuzzer's mutations insert hostile values into requests. Some of those values are shared constants (`{}`, `[]`),
 * so inserting one without copying could put an object inside itself (a cycle the walker then follows forever) or
 * change the constant for every later run. A CI run of the chaos suite once died of exactly that.
 */
describe('OpenAPI fuzzer mutations', () => {
  const hostileSamples = () => fc.sample(hostileValue, { numRuns: 2_000, seed: 7 }).map((value) => JSON.stringify(value));

  it('never produce a cyclic value and never change the shared hostile constants', () => {
    const before = hostileSamples();
    fc.assert(
      fc.property(mutated(fc.constantFrom<unknown>({}, { card: { number: '4242' } }, [])), (request) => {
        expect(() => JSON.stringify(request)).not.toThrow();
      }),
      { numRuns: 5_000, seed: 42 },
    );
    const after = hostileSamples();
    const changed = before.flatMap((sample, index) => (sample === after[index] ? [] : [index]));
    expect(changed).toEqual([]);
  });

  // A mutation may add a `toString` key holding a non-function; the form routes' bodies must still be sendable
  // (a CI run of the chaos suite once died of String() on such a field).
  it('leave every value form-encodable', () => {
    fc.assert(
      fc.property(mutated(fc.constantFrom<unknown>({}, { cardholderName: 'A', expiry: { month: 1 } })), (request) => {
        expect(() => formEncoded(request)).not.toThrow();
      }),
      { numRuns: 5_000, seed: 42 },
    );
  });
});
