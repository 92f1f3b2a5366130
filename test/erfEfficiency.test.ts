// The error-function efficiency fit (lib/stats/erfEfficiency.ts) recovers a known curve from
// pass/fail outcomes, with standard errors that cover it as often as they should.
import {describe, expect, it} from "vitest";
import {Rng} from "../lib/math/random.js";
import {normalCdf} from "../lib/math/special.js";
import {fitErfEfficiency} from "../lib/stats/erfEfficiency.js";

function outcomes(seed: number, n: number, h50: number, w: number) {
  const rng = new Rng(seed);
  const h = Array.from({length: n}, () => rng.uniformIn(0, 15));
  return {h, found: h.map((x) => rng.uniform() < normalCdf((x - h50) / w))};
}

describe("fitErfEfficiency", () => {
  it("recovers the 50 % point and the width of a known curve", () => {
    const {h, found} = outcomes(7, 5_000, 5, 1);
    const fit = fitErfEfficiency(h, found);
    expect(Math.abs(fit.h50 - 5)).toBeLessThan(4 * fit.h50Error);
    expect(Math.abs(fit.width - 1)).toBeLessThan(4 * fit.widthError);
    // 5,000 outcomes, ~1,300 of them within 2 widths: errors of a few hundredths.
    expect(fit.h50Error).toBeGreaterThan(0.01);
    expect(fit.h50Error).toBeLessThan(0.1);
    expect(fit.at(fit.h50)).toBeCloseTo(0.5, 6); // erfc to 1.2e-7
  });

  it("has standard errors that cover the truth about 68 % of the time", () => {
    let covered = 0;
    const trials = 40;
    for (let s = 0; s < trials; s++) {
      const {h, found} = outcomes(100 + s, 400, 5, 1);
      const fit = fitErfEfficiency(h, found);
      if (Math.abs(fit.h50 - 5) < fit.h50Error) covered++;
    }
    // Binomial(40, 0.68): 27.3 ± 2.9; 3σ either side.
    expect(covered).toBeGreaterThan(18);
    expect(covered).toBeLessThan(37);
  });

  it("refuses data with one outcome only, or mismatched lengths", () => {
    expect(() => fitErfEfficiency([1, 2, 3], [true, true, true])).toThrow(/both outcomes/);
    expect(() => fitErfEfficiency([1, 2], [true])).toThrow(/2 heights but 1 outcomes/);
  });
});
