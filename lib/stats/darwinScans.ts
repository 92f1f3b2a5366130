// The anomaly-search report's computations, one function per figure: the pseudo-experiments at
// the chosen point, the median significance against R, and the slides' three mock data sets.
// Pure and seeded, so the page's Web Worker (src/workers/anomaly.ts) and Node give the same
// numbers; sensitivity against exposure is `sensitivityVsExposure` in darwinSearch.ts.

import {bin} from "d3";
import {median} from "../math/robust.js";
import {nullDistribution, pValue, runPseudoExperiments} from "./anomalySearch.js";
import {buildSearch, prepareDarwinSearch, type AnomalyTemplates, type SearchModel, type SearchParams} from "./darwinSearch.js";

/** One bar of a histogram: [x1, x2) holds the fraction y of the series' (weighted) total. */
export interface Bar {
  label: string;
  x1: number;
  x2: number;
  y: number;
}

/**
 * Histogram of `values` (weighted by `weights`, else 1 each) as fractions of the total weight,
 * on d3's nice thresholds for about `thresholds` bins — the bins Plot's binX draws — so a page
 * receives a few hundred bars instead of 10⁴ values to bin on its main thread.
 */
export function fractionBins(values: ArrayLike<number>, weights: ArrayLike<number> | null | undefined, label: string, thresholds = 80): Bar[] {
  const index = Array.from({length: values.length}, (_, i) => i).filter((i) => Number.isFinite(values[i]) && (!weights || weights[i] > 0));
  let total = 0;
  for (const i of index) total += weights ? weights[i] : 1;
  return bin<number, number>().value((i) => values[i]).thresholds(thresholds)(index)
    .map((b) => ({label, x1: b.x0!, x2: b.x1!, y: b.reduce((s, i) => s + (weights ? weights[i] : 1), 0) / total}))
    .filter((b) => b.y > 0);
}

/** Expected counts and the TS histograms of the background species and of the signal (when there is one). */
export function scoreHistograms(t: AnomalyTemplates, params: SearchParams, signalLabel: string): {expected: SearchModel["expected"]; bars: Bar[]} {
  const model = buildSearch(t, params);
  const bars = model.background.flatMap((b) => fractionBins(b.score, b.weight, b.name));
  if (model.expected.wimp > 0) bars.push(...fractionBins(model.signal.score, model.signal.weight, signalLabel));
  return {expected: model.expected, bars};
}

export interface PointResult {
  /** q of the background-only (null) and signal+background pseudo-experiments. */
  qNull: Float64Array;
  qSignal: Float64Array;
  qMedian: number;
  unbinned: {p: number; z: number; extrapolated: boolean};
  binned: {p: number; z: number; extrapolated: boolean};
  expected: SearchModel["expected"];
  /** Histograms of q for the null and the signal experiments. */
  bars: Bar[];
}

/** `nNull` background-only (seed 1) and `nSignal` signal (seed 2) pseudo-experiments at one point. */
export function pseudoExperimentsAt(t: AnomalyTemplates, params: SearchParams, nNull: number, nSignal = 1000): PointResult {
  const {model, prepared} = prepareDarwinSearch(t, params);
  const h0 = runPseudoExperiments(prepared, nNull, 1, 0), h1 = runPseudoExperiments(prepared, nSignal, 2, 1);
  const qMedian = median(h1.qUnbinned);
  return {
    qNull: h0.qUnbinned, qSignal: h1.qUnbinned, qMedian,
    unbinned: pValue(nullDistribution(h0.qUnbinned), qMedian),
    binned: pValue(nullDistribution(h0.qBinned), median(h1.qBinned), 10, "bound"),
    expected: model.expected,
    bars: [...fractionBins(h0.qUnbinned, null, "H₀ (background only)"), ...fractionBins(h1.qUnbinned, null, "signal + background")]
  };
}

/** The R values the report scans. */
export const R_SCAN = [0, 1, 3, 10, 30, 100, 170, 300];

/** Median Z of the anomaly score against R at one point (2,000 null, `nSignal` signal experiments). */
export function zAgainstR(t: AnomalyTemplates, params: SearchParams, Rs: readonly number[] = R_SCAN, opts: {nNull?: number; nSignal?: number; seed?: number} = {}): {R: number; Z: number; wimp: number}[] {
  const nNull = opts.nNull ?? 2000, nSignal = opts.nSignal ?? 300, seed = opts.seed ?? 3;
  return Rs.map((R) => {
    const {prepared, model} = prepareDarwinSearch(t, {...params, R});
    const a = runPseudoExperiments(prepared, nNull, seed, 0), b = runPseudoExperiments(prepared, nSignal, seed + 1, 1);
    return {R, Z: pValue(nullDistribution(a.qUnbinned), median(b.qUnbinned)).z, wimp: model.expected.wimp};
  });
}

/** The slides' mock data sets: WIMPs of 10, 500 and 1000 GeV at σ = 10⁻⁴⁵ cm² and 5 t·yr. */
export function slidesScan(t: AnomalyTemplates, masses_GeV: readonly number[] = [10, 500, 1000]): {R: number; Z: number; mass: string}[] {
  return masses_GeV.flatMap((m) => {
    const points = zAgainstR(t, {R: 0, wimpMass_GeV: m, sigma_cm2: 1e-45, exposure_tonne_yr: 5}, R_SCAN, {nSignal: 200, seed: 5});
    return points.map(({R, Z, wimp}) => ({R, Z, mass: `${m} GeV (${wimp.toFixed(0)} WIMPs)`}));
  });
}
