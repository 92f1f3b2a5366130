// The anomaly-search report's computations (lib/stats/darwinScans.ts), which its Web Worker
// runs: each equals the same steps done by hand with the report's seeds, and survives the
// structured clone that carries it from the worker to the page.
import {describe, expect, it} from "vitest";
import {syntheticTemplates} from "./support/darwinTemplates.js";
import {median} from "../lib/math/robust.js";
import {nullDistribution, pValue, runPseudoExperiments} from "../lib/stats/anomalySearch.js";
import {buildSearch, prepareDarwinSearch, type AnomalyTemplates} from "../lib/stats/darwinSearch.js";
import {fractionBins, pseudoExperimentsAt, R_SCAN, scoreHistograms, slidesScan, zAgainstR} from "../lib/stats/darwinScans.js";

const templates = (): AnomalyTemplates => syntheticTemplates(7, 3000);

describe("the anomaly report's scans", () => {
  const t = templates();
  const params = {R: 30, wimpMass_GeV: 100, sigma_cm2: 3e-46, exposure_tonne_yr: 1};

  it("pseudo-experiments at a point: seeds 1 (null) and 2 (signal), as the page did them", () => {
    const got = pseudoExperimentsAt(t, params, 1500, 400);
    const {prepared, model} = prepareDarwinSearch(t, params);
    const h0 = runPseudoExperiments(prepared, 1500, 1, 0), h1 = runPseudoExperiments(prepared, 400, 2, 1);
    expect(got.qNull).toEqual(h0.qUnbinned);
    expect(got.qSignal).toEqual(h1.qUnbinned);
    expect(got.qMedian).toBe(median(h1.qUnbinned));
    expect(got.unbinned).toEqual(pValue(nullDistribution(h0.qUnbinned), median(h1.qUnbinned)));
    expect(got.binned).toEqual(pValue(nullDistribution(h0.qBinned), median(h1.qBinned), 10, "bound"));
    expect(got.expected).toEqual(model.expected);
    expect(got.expected.wimp).toBeGreaterThan(0);
    // What the worker posts is what the page reads.
    expect(structuredClone(got)).toEqual(got);
  });

  it("Z against R: seeds 3 and 4 at each R; the classifier term makes the signal stand out", () => {
    const scan = zAgainstR(t, params, [0, 10, 300]);
    expect(scan.map((p) => p.R)).toEqual([0, 10, 300]);
    const {prepared} = prepareDarwinSearch(t, {...params, R: 10});
    const a = runPseudoExperiments(prepared, 2000, 3, 0), b = runPseudoExperiments(prepared, 300, 4, 1);
    expect(scan[1].Z).toBe(pValue(nullDistribution(a.qUnbinned), median(b.qUnbinned)).z);
    expect(scan[2].Z).toBeGreaterThan(scan[0].Z + 1);
    expect(R_SCAN).toEqual([0, 1, 3, 10, 30, 100, 170, 300]);
  });

  it("the slides' mock data sets: 10, 500, 1000 GeV at 10⁻⁴⁵ cm² and 5 t·yr, seeds 5 and 6", () => {
    const scan = slidesScan(t, [500]);
    expect(scan).toHaveLength(R_SCAN.length);
    const {prepared, model} = prepareDarwinSearch(t, {R: 100, wimpMass_GeV: 500, sigma_cm2: 1e-45, exposure_tonne_yr: 5});
    const a = runPseudoExperiments(prepared, 2000, 5, 0), b = runPseudoExperiments(prepared, 200, 6, 1);
    const at100 = scan[R_SCAN.indexOf(100)];
    expect(at100.Z).toBe(pValue(nullDistribution(a.qUnbinned), median(b.qUnbinned)).z);
    expect(at100.mass).toBe(`500 GeV (${model.expected.wimp.toFixed(0)} WIMPs)`);
  });

  it("histograms as fractions on nice thresholds: weights count, zero weights and non-finite values drop out", () => {
    const bars = fractionBins([0.1, 0.2, 0.25, 0.9, NaN, 0.95], [1, 1, 2, 0, 5, 4], "x", 10);
    expect(bars.map((b) => [b.x1, b.x2])).toEqual([[0.1, 0.2], [0.2, 0.3], [0.9, 1]]);
    expect(bars.map((b) => b.y)).toEqual([1 / 8, 3 / 8, 4 / 8]);
    expect(bars.every((b) => b.label === "x")).toBe(true);
    const {expected, bars: ts} = scoreHistograms(t, params, "WIMP 100 GeV");
    expect(expected).toEqual(buildSearch(t, params).expected);
    for (const label of ["ER", "NR background", "WIMP 100 GeV"]) {
      const sum = ts.filter((b) => b.label === label).reduce((s, b) => s + b.y, 0);
      expect(sum, label).toBeCloseTo(1, 12);
    }
  });
});
