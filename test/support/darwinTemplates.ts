// Synthetic scored templates for the DARWIN search tests: ER scores low, NR scores high with a
// large H_B; energies uniform in each range.
import {Rng} from "../../lib/math/random.js";
import type {AnomalyTemplates} from "../../lib/stats/darwinSearch.js";

export function syntheticTemplates(seed: number, n: number): AnomalyTemplates {
  const r = new Rng(seed);
  const mk = (lo: number, hi: number, nll: number, hb: number) => {
    const energy_keV = Float64Array.from({length: n}, () => r.uniformIn(lo, hi));
    return {
      energyRange_keV: [lo, hi] as [number, number], energy_keV,
      energyRec_keVee: Float64Array.from(energy_keV, (e) => (hb > 1 ? 0.2 * e : e)),
      negElbo: Float64Array.from({length: n}, () => r.normal(nll, 2)),
      hB: Float64Array.from({length: n}, () => Math.abs(r.normal(hb, hb / 4)))
    };
  };
  return {er: mk(2, 10, 20, 0.01), nr: mk(3, 60, 30, 4)};
}
