// Three statistics on the same DARWIN pseudo-data, against exposure: the monotone anomaly LR
// (monotoneAnomalyLR.ts), the unbinned goodness-of-fit q = −2 ln L(TS | H0) kept for
// reference, and the binned ER-veto deviance. For each exposure one set of background-only
// experiments is the null of every signal; each signal (WIMPs, and an NR line that no WIMP
// makes) gets its own signal+background experiments, all three statistics computed on each.
// Template scores are smeared by the KDE kernel in every experiment (`smooth`, see
// runPseudoExperiments): the background then follows f0 exactly, with no repeated scores.
// Reported: the median signal experiment's Z, the power at 3σ with a Clopper–Pearson interval,
// and a KS test of the randomised p-values of an independent set of null experiments.
import {median} from "../math/robust.js";
import {Rng} from "../math/random.js";
import {binnedNullDeviance, nullDistribution, prepareSearch, pValue, runPseudoExperiments, zOf, type PreparedSearch, type Species} from "./anomalySearch.js";
import {clopperPearson, type BinomialInterval} from "./binomialInterval.js";
import {buildSearch, DEFAULT_SEARCH, type AnomalyTemplates} from "./darwinSearch.js";
import {ksUniform} from "./distributions.js";
import {binnedDevianceTail, randomizedPValue, tailPValue} from "./monotoneAnomalyLR.js";

export type SignalSpec =
  | {kind: "wimp"; label: string; mass_GeV: number; sigma_cm2: number}
  /** A Gaussian nuclear-recoil line (true energy), `rate` events per t·yr. */
  | {kind: "nr-line"; label: string; energy_keVnr: number; width_keVnr: number; rate_per_tonne_yr: number};

/** The report's signals: three WIMP masses at σ = 10⁻⁴⁷ cm², and an NR line no WIMP spectrum makes. */
export const COMPARISON_SIGNALS: SignalSpec[] = [
  {kind: "wimp", label: "WIMP 20 GeV", mass_GeV: 20, sigma_cm2: 1e-47},
  {kind: "wimp", label: "WIMP 50 GeV", mass_GeV: 50, sigma_cm2: 1e-47},
  {kind: "wimp", label: "WIMP 500 GeV", mass_GeV: 500, sigma_cm2: 1e-47},
  {kind: "nr-line", label: "NR line 20 keVnr", energy_keVnr: 20, width_keVnr: 1, rate_per_tonne_yr: 0.5}
];

export const COMPARISON_EXPOSURES = [0.3, 1, 3, 10, 30, 100, 200];

export type StatisticName = "lr" | "unbinned" | "binned";
export const STATISTICS: {name: StatisticName; label: string}[] = [
  {name: "lr", label: "monotone anomaly LR"},
  {name: "unbinned", label: "unbinned −2 ln L(TS | H₀)"},
  {name: "binned", label: "binned, ER veto"}
];

export interface StatisticResult {
  /** p-value and Z (≥ 0) of the median signal experiment. */
  p: number;
  z: number;
  /** How p was had where fewer than 10 null experiments reach the median: the LR's exponential
   *  tail, the unbinned q's Gaussian, or importance sampling for the binned deviance. */
  extrapolated: boolean;
  /** Signal experiments with p < α (3σ), with a 68 % Clopper–Pearson interval. */
  power: BinomialInterval;
}

export interface ComparisonPoint {
  exposure_tonne_yr: number;
  signal: string;
  expected: {background: number; signal: number};
  lr: StatisticResult;
  unbinned: StatisticResult;
  binned: StatisticResult;
}

export interface NullCheck {
  exposure_tonne_yr: number;
  /** KS p-value of the randomised p-values of `n` independent null experiments, per statistic. */
  ks: {[k in StatisticName]: number};
  n: number;
  /** Fraction of null experiments with q_LR = 0 (the atom of its null distribution). */
  lrZeroFraction: number;
}

export interface ComparisonOptions {
  R?: number;
  nNull?: number;
  nNullBinned?: number;
  nSignal?: number;
  nCheck?: number;
  /** Importance-sampled experiments for the binned deviance's tail. */
  nImportance?: number;
  seed?: number;
  alpha?: number;
}

/** The signal species of one spec at one exposure (NR templates reweighted). */
function signalSpecies(t: AnomalyTemplates, spec: SignalSpec, R: number, exposure: number): Species {
  if (spec.kind === "wimp") return buildSearch(t, {R, wimpMass_GeV: spec.mass_GeV, sigma_cm2: spec.sigma_cm2, exposure_tonne_yr: exposure}).signal;
  const {energy_keVnr: e0, width_keVnr: w} = spec;
  const [lo, hi] = t.nr.energyRange_keV;
  if (e0 - 3 * w < lo || e0 + 3 * w > hi) throw new RangeError(`${spec.label}: the line (±3 widths) lies outside the NR templates' range [${lo}, ${hi}] keVnr`);
  const weight = Float64Array.from(t.nr.energy_keV, (e) => Math.exp(-0.5 * ((e - e0) / w) ** 2));
  const score = Float64Array.from(t.nr.negElbo, (v, i) => v + R * t.nr.hB[i]);
  return {name: spec.label, expected: spec.rate_per_tonne_yr * exposure, score, energy_keVee: t.nr.energyRec_keVee, weight, classicalAcceptance: DEFAULT_SEARCH.nrAcceptance};
}

function result(pValues: {p: number; extrapolated: boolean}, perExperiment: number[], alpha: number): StatisticResult {
  let k = 0;
  for (const p of perExperiment) if (p < alpha) k++;
  return {p: pValues.p, z: Math.max(0, zOf(pValues.p)), extrapolated: pValues.extrapolated, power: clopperPearson(k, perExperiment.length)};
}

/**
 * All three statistics for every (exposure, signal). Null: `nNull` background-only experiments
 * per exposure (the binned deviance's null: `nNullBinned` more, drawn bin by bin — the same
 * distribution); `nSignal` signal experiments per point; `nCheck` further null experiments for
 * the KS check. Median p-values beyond the null sample: exponential tail (LR), Gaussian
 * (unbinned, as the report has always done), importance sampling (binned, `nImportance`).
 */
export function compareStatistics(t: AnomalyTemplates, signals: SignalSpec[], exposures: number[], opts: ComparisonOptions = {}, onPoint?: (msg: string) => void): {points: ComparisonPoint[]; nullChecks: NullCheck[]} {
  const R = opts.R ?? 100, nNull = opts.nNull ?? 10000, nSignal = opts.nSignal ?? 1000, nCheck = opts.nCheck ?? 2000;
  const nNullBinned = opts.nNullBinned ?? Math.max(nNull, 100000), nImportance = opts.nImportance ?? 200000, alpha = opts.alpha ?? 0.0013499, seed = opts.seed ?? 1;
  const points: ComparisonPoint[] = [], nullChecks: NullCheck[] = [];
  exposures.forEach((ex, ie) => {
    const s0 = seed + 1000 * ie;
    // The background is the same for every signal: built once (the WIMP part is not used).
    const background = buildSearch(t, {R, wimpMass_GeV: 50, sigma_cm2: 1e-47, exposure_tonne_yr: ex}).background;
    const prepared: PreparedSearch[] = signals.map((s) => prepareSearch(background, signalSpecies(t, s, R, ex), {energyEdges_keVee: DEFAULT_SEARCH.energyEdges_keVee}));
    const h0 = runPseudoExperiments(prepared[0], nNull, s0, 0, {lr: true, smooth: true});
    const nullLR = Float64Array.from(h0.qLR!).sort(), ndU = nullDistribution(h0.qUnbinned);
    const ndB = nullDistribution(binnedNullDeviance(prepared[0], nNullBinned, s0 + 1));
    // Independent null experiments: their randomised p-values should be uniform.
    const check = runPseudoExperiments(prepared[0], nCheck, s0 + 2, 0, {lr: true, smooth: true});
    const rng = new Rng(s0, 0x4b5);
    const ks = (q: ArrayLike<number>, sorted: Float64Array) => ksUniform(Array.from(q, (x) => randomizedPValue(sorted, x, rng.uniform()))).pValue;
    let zeros = 0;
    for (const q of h0.qLR!) if (q === 0) zeros++;
    nullChecks.push({exposure_tonne_yr: ex, n: nCheck, lrZeroFraction: zeros / nNull, ks: {lr: ks(check.qLR!, nullLR), unbinned: ks(check.qUnbinned, ndU.sorted), binned: ks(check.qBinned, ndB.sorted)}});
    signals.forEach((spec, js) => {
      const h1 = runPseudoExperiments(prepared[js], nSignal, s0 + 3 + js, 1, {lr: true, smooth: true});
      const lrP = (q: number) => tailPValue(nullLR, q);
      const uP = (q: number) => pValue(ndU, q);
      const bP = (q: number) => pValue(ndB, q, 10, "bound");
      // The binned median beyond the plain null's reach: its tail by importance sampling.
      const medB = median(h1.qBinned);
      let pB: {p: number; extrapolated: boolean} = bP(medB);
      if (pB.p * nNullBinned < 10) {
        const is = binnedDevianceTail(prepared[js].lambda0, [medB], nImportance, new Rng(s0 + 7 + js, 0x15), [1, 2, 4, 8, 16, 32, 64, 128, 256])[0];
        // Beyond even the tilted draws' reach: keep the plain null's 1/N bound (a lower bound on Z).
        if (is.p > 0) pB = {p: is.p, extrapolated: true};
      }
      points.push({
        exposure_tonne_yr: ex, signal: spec.label,
        expected: {background: prepared[js].B, signal: prepared[js].signal?.expected ?? 0},
        lr: result(lrP(median(h1.qLR!)), Array.from(h1.qLR!, (q) => lrP(q).p), alpha),
        unbinned: result(uP(median(h1.qUnbinned)), Array.from(h1.qUnbinned, (q) => uP(q).p), alpha),
        binned: result(pB, Array.from(h1.qBinned, (q) => bP(q).p), alpha)
      });
      onPoint?.(`${ex} t·yr, ${spec.label}: Z = ${points.at(-1)!.lr.z.toFixed(2)} (LR), ${points.at(-1)!.unbinned.z.toFixed(2)} (unbinned), ${points.at(-1)!.binned.z.toFixed(2)} (binned)`);
    });
  });
  return {points, nullChecks};
}

/**
 * How far the LR's fitted exponential tail can be trusted: at one exposure, fit it on `nFit`
 * null experiments and compare its p with the empirical fraction of `nBig` independent null
 * experiments at their 10⁻³ and 10⁻⁴ quantiles (for the bench; 10⁵ experiments at 3 t·yr take
 * seconds).
 */
export function lrTailCheck(t: AnomalyTemplates, exposure: number, nFit: number, nBig: number, R = 100, seed = 99): {exposure_tonne_yr: number; nFit: number; nBig: number; at: {q: number; empirical: number; fitted: number; zEmpirical: number; zFitted: number}[]} {
  const background = buildSearch(t, {R, wimpMass_GeV: 50, sigma_cm2: 1e-47, exposure_tonne_yr: exposure}).background;
  const p = prepareSearch(background, null, {energyEdges_keVee: DEFAULT_SEARCH.energyEdges_keVee});
  const fit = Float64Array.from(runPseudoExperiments(p, nFit, seed, 0, {lr: true, smooth: true}).qLR!).sort();
  const big = Float64Array.from(runPseudoExperiments(p, nBig, seed + 1, 0, {lr: true, smooth: true}).qLR!).sort();
  const at = [1e-3, 1e-4].filter((f) => f * nBig >= 10).map((f) => {
    const q = big[Math.floor((1 - f) * nBig)];
    const empirical = tailPValue(big, q, 1).p, fitted = tailPValue(fit, q).p;
    return {q, empirical, fitted, zEmpirical: zOf(empirical), zFitted: zOf(fitted)};
  });
  return {exposure_tonne_yr: exposure, nFit, nBig, at};
}
