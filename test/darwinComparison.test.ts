// The three statistics on the same DARWIN pseudo-data (lib/stats/darwinComparison.ts), on the
// synthetic scored templates: the monotone anomaly LR against the binned ER-veto analysis at a
// low and a high exposure, null p-values uniform, power with its binomial interval.
import {describe, expect, it} from "vitest";
import {syntheticTemplates} from "./support/darwinTemplates.js";
import {binnedNullDeviance, nullDistribution, prepareSearch, runPseudoExperiments} from "../lib/stats/anomalySearch.js";
import {buildSearch, DEFAULT_SEARCH} from "../lib/stats/darwinSearch.js";
import {compareStatistics, type SignalSpec} from "../lib/stats/darwinComparison.js";
import {ksUniform} from "../lib/stats/distributions.js";
import {randomizedPValue} from "../lib/stats/monotoneAnomalyLR.js";
import {Rng} from "../lib/math/random.js";

const t = syntheticTemplates(7, 3000);
const WIMP: SignalSpec = {kind: "wimp", label: "WIMP 100 GeV", mass_GeV: 100, sigma_cm2: 3e-48};
const LINE: SignalSpec = {kind: "nr-line", label: "NR line", energy_keVnr: 20, width_keVnr: 1, rate_per_tonne_yr: 0.5};

describe("three statistics against exposure", () => {
  const sizes = {R: 30, nNull: 1500, nSignal: 200, nCheck: 600, nNullBinned: 20000, nImportance: 20000, seed: 3};
  const {points, nullChecks} = compareStatistics(t, [WIMP, LINE], [1, 10], sizes);

  it("the LR is at least the binned analysis for a WIMP at 1 and at 10 t·yr (median Z, within 0.2; power at 3σ beyond its interval)", () => {
    const w = points.filter((p) => p.signal === WIMP.label);
    expect(w.map((p) => p.exposure_tonne_yr)).toEqual([1, 10]);
    for (const p of w) expect(p.lr.z, `${p.exposure_tonne_yr} t·yr`).toBeGreaterThanOrEqual(p.binned.z - 0.2);
    // Measured (seed 3): Z 0.76 vs 0 at 1 t·yr, 3.42 vs 1.99 at 10 t·yr; power 0.63 vs 0.21 there.
    expect(w[1].lr.power.lower).toBeGreaterThan(w[1].binned.power.upper);
    // And the evidence grows with exposure: under one event at 1 t·yr, 4.6 at 10.
    expect(w[0].expected.signal).toBeCloseTo(buildSearch(t, {R: 30, wimpMass_GeV: 100, sigma_cm2: 3e-48, exposure_tonne_yr: 1}).expected.wimp, 12);
    expect(w[1].lr.z).toBeGreaterThan(w[0].lr.z + 2);
  });

  it("power is a count with its Clopper–Pearson interval around it", () => {
    for (const p of points) for (const s of [p.lr, p.unbinned, p.binned]) {
      expect(s.power.n).toBe(200);
      expect(s.power.lower).toBeLessThanOrEqual(s.power.estimate);
      expect(s.power.upper).toBeGreaterThanOrEqual(s.power.estimate);
      expect(Number.isInteger(s.power.k)).toBe(true);
    }
  });

  it("null p-values are uniform for all three statistics (KS on 600 independent null experiments)", () => {
    expect(nullChecks.map((c) => c.exposure_tonne_yr)).toEqual([1, 10]);
    for (const c of nullChecks) for (const [k, v] of Object.entries(c.ks)) expect(v, `${c.exposure_tonne_yr} t·yr ${k}`).toBeGreaterThan(0.001);
  });

  it("the same pseudo-data for all statistics: the unbinned and binned values are those of the plain run on the same seeds", () => {
    // Smearing changes TS but not which templates are drawn nor their energies: the binned
    // deviance of the smeared run equals the unsmeared run's, experiment by experiment.
    const m = buildSearch(t, {R: 30, wimpMass_GeV: 100, sigma_cm2: 3e-48, exposure_tonne_yr: 3});
    const p = prepareSearch(m.background, m.signal, {energyEdges_keVee: DEFAULT_SEARCH.energyEdges_keVee});
    const a = runPseudoExperiments(p, 200, 9, 1, {lr: true, smooth: true}), b = runPseudoExperiments(p, 200, 9, 1);
    expect(a.nEvents).toEqual(b.nEvents);
    expect(a.qBinned).toEqual(b.qBinned);
    expect(a.qUnbinned).not.toEqual(b.qUnbinned);
    expect(b.qLR).toBeUndefined();
  });

  it("the binned null drawn bin by bin (Poisson thinning) has the distribution of the full experiments' binned values", () => {
    const m = buildSearch(t, {R: 30, wimpMass_GeV: 100, sigma_cm2: 3e-48, exposure_tonne_yr: 30});
    const p = prepareSearch(m.background, m.signal, {energyEdges_keVee: DEFAULT_SEARCH.energyEdges_keVee});
    // The binned null by Poisson thinning has the distribution of the full experiments' binned values.
    const full = runPseudoExperiments(p, 3000, 5, 0).qBinned, thin = binnedNullDeviance(p, 20000, 6);
    const nd = nullDistribution(thin), rng = new Rng(1);
    expect(ksUniform(Array.from(full, (q) => randomizedPValue(nd.sorted, q, rng.uniform()))).pValue).toBeGreaterThan(0.001);
  });
});
