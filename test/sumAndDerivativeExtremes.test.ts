// The feature pass's fused loop (lib/dsp/features.ts sumAndDerivativeExtremes) against the two
// loops it replaced, done apart: the same bits, ties included.
import {describe, expect, it} from "vitest";
import fc from "fast-check";
import {derivativeExtremes, sumAndDerivativeExtremes, type DerivativeExtremes} from "../lib/dsp/features.js";

/** The plain four-accumulator sum the feature pass used before the loops were fused. */
function sumOf(x: Float64Array): number {
  const n4 = x.length - (x.length % 4);
  let a = 0, b = 0, c = 0, d = 0;
  for (let k = 0; k < n4; k += 4) { a += x[k]; b += x[k + 1]; c += x[k + 2]; d += x[k + 3]; }
  for (let k = n4; k < x.length; k++) a += x[k];
  return a + b + (c + d);
}

describe("sumAndDerivativeExtremes", () => {
  it("equals sumOf and derivativeExtremes bit for bit, for every length mod 4 and with ties", () => {
    // Small integers make ties in the differences common (first index must win).
    const values = fc.oneof(fc.integer({min: -3, max: 3}), fc.double({min: -1e3, max: 1e3, noNaN: true}));
    fc.assert(fc.property(fc.array(values, {minLength: 1, maxLength: 40}), (xs) => {
      const x = Float64Array.from(xs);
      const fused: DerivativeExtremes = {max: 0, maxIndex: 0, min: 0, minIndex: 0};
      const sum = sumAndDerivativeExtremes(x, fused);
      expect(Object.is(sum, sumOf(x))).toBe(true);
      expect(fused).toEqual(derivativeExtremes(x));
    }), {numRuns: 2000});
  });

  it("a record with a step: the step's pair, and the record's sum", () => {
    const x = Float64Array.from({length: 11}, (_, i) => (i < 6 ? 1 : 4) - (i === 9 ? 2 : 0));
    const e: DerivativeExtremes = {max: 0, maxIndex: 0, min: 0, minIndex: 0};
    expect(sumAndDerivativeExtremes(x, e)).toBe(6 * 1 + 5 * 4 - 2);
    expect(e).toEqual({max: 3, maxIndex: 5, min: -2, minIndex: 8});
  });
});
