// Poisson likelihood upper limit with a known background, by CLs (Read, J. Phys. G 28 (2002)
// 2693; Junk, NIM A 434 (1999) 435), as the comparison for Yellin's methods. The test
// statistic is the extended-likelihood ratio of signal + background to background alone,
//   q(μ) = ln L(μ)/L(0) = Σ_events ln(1 + μ s(x)/b(x)) − μ,
// with s the signal density (normalised to 1) and b the background density (in expected
// events). Binned, x is the bin of an event; unbinned, the cell of a fine grid (the densities
// are tabulated there, so the per-event ratio is exact to the grid's width). CLs = P_μ(q ≤ q_obs)
// / P_0(q ≤ q_obs) from seeded pseudo-experiments, and the limit is the μ where CLs = 1 − CL.
// CLs never under-covers (it divides by CL_b ≤ 1), the reason it is used here: with a known
// background and few events, a plain likelihood-ratio interval can exclude a signal that a
// downward fluctuation of the background fakes away.

import {Rng} from "../math/random.js";
import {aliasDraw, aliasTable, poissonQuantile, type AliasTable} from "./distributions.js";

export interface BinnedModel {
  /** Fraction of the signal in each bin (or fine cell); sums to 1. */
  signal: ArrayLike<number>;
  /** Expected background events in each bin. */
  background: ArrayLike<number>;
}

export interface PoissonLimitOptions {
  cl?: number;
  /** Pseudo-experiments per hypothesis (default 4000). */
  toys?: number;
  seed?: number;
}

export interface PoissonLimitResult {
  /** Upper limit on the expected number of signal events. */
  mu: number;
  /** CL_b of the observation at the limit (how background-like the data look). */
  clb: number;
}

// Where the background vanishes, a signal event is infinitely signal-like; a tiny floor keeps
// the logarithm finite while ordering such events above all others.
const B_FLOOR = 1e-290;


function checkModel(model: BinnedModel, counts: ArrayLike<number>): {B: number} {
  const {signal, background} = model;
  if (signal.length === 0 || signal.length !== background.length || counts.length !== signal.length) {
    throw new RangeError(`poissonLimit: ${signal.length} signal bins, ${background.length} background bins, ${counts.length} observed bins: they must agree and not be empty`);
  }
  let S = 0, B = 0;
  for (let k = 0; k < signal.length; k++) {
    if (!(signal[k] >= 0) || !(background[k] >= 0)) throw new RangeError(`poissonLimit: bin ${k} has signal ${signal[k]}, background ${background[k]}`);
    if (!(counts[k] >= 0) || !Number.isInteger(counts[k])) throw new RangeError(`poissonLimit: bin ${k} has ${counts[k]} observed events`);
    S += signal[k];
    B += background[k];
  }
  if (Math.abs(S - 1) > 1e-6) throw new RangeError(`poissonLimit: signal fractions sum to ${S}, not 1`);
  if (B > 700) throw new RangeError(`poissonLimit: ${B} expected background events; more than 700 is not supported`);
  return {B};
}

/**
 * The CLs upper limit on μ (expected signal events) for `counts` observed in the bins of
 * `model`. Pseudo-experiments use common random numbers across μ (toy t always draws from the
 * streams (seed, t)), so CLs(μ) is a step function without Monte-Carlo jitter between the μ
 * the bisection tries.
 */
export function poissonLimit(model: BinnedModel, counts: ArrayLike<number>, opts: PoissonLimitOptions = {}): PoissonLimitResult {
  const {cl = 0.9, toys = 4000, seed = 1} = opts;
  if (!(cl > 0 && cl < 1)) throw new RangeError(`poissonLimit: confidence level ${cl} is not in (0, 1)`);
  if (!(toys >= 10)) throw new RangeError(`poissonLimit: ${toys} pseudo-experiments is too few`);
  const {B} = checkModel(model, counts);
  const nb = model.signal.length;
  const ratio = new Float64Array(nb);
  for (let k = 0; k < nb; k++) ratio[k] = model.signal[k] / Math.max(model.background[k], B_FLOOR);
  const sigTable = aliasTable(model.signal);
  const bgTable: AliasTable | null = B > 0 ? aliasTable(model.background) : null;

  // Background events of each toy: fixed, since the background does not depend on μ.
  const bgCells: Int32Array[] = [];
  for (let t = 0; t < toys; t++) {
    const rng = new Rng(seed, 0xb6, t);
    const n = poissonQuantile(rng.uniform(), B);
    const cells = new Int32Array(n);
    for (let i = 0; i < n; i++) cells[i] = aliasDraw(bgTable!, rng);
    bgCells.push(cells);
  }
  // ln(1 + μ s/b) of each bin, computed once per μ: toys then only add table entries.
  const logTerm = new Float64Array(nb);
  const q = (mu: number, cells: ArrayLike<number>, weight?: ArrayLike<number>) => {
    let s = -mu;
    for (let i = 0; i < cells.length; i++) s += (weight ? weight[i] : 1) * logTerm[cells[i]];
    return s;
  };
  const obsCells = Int32Array.from({length: nb}, (_, k) => k);
  // CL_{s+b} is averaged over the signal count analytically: toy t's k-th signal event comes
  // from stream (seed, t) whatever μ is, and P(q ≤ q_obs) = Σ_k Poisson(k; μ)·[q_t(k) ≤ q_obs].
  // With no background this makes the zero-event limit exactly −ln(1 − CL). The signal events
  // of each toy are drawn once (a longer prefix of the same stream when a larger μ needs it).
  let sigCells: Int32Array[] = [];
  const ensureSignal = (K: number) => {
    if (sigCells.length && sigCells[0].length >= K) return;
    const length = Math.max(K, 16, 2 * (sigCells[0]?.length ?? 0));
    sigCells = [];
    for (let t = 0; t < toys; t++) {
      const rng = new Rng(seed, 0x5e, t);
      const c = new Int32Array(length);
      for (let i = 0; i < c.length; i++) c[i] = aliasDraw(sigTable, rng);
      sigCells.push(c);
    }
  };
  const cls = (mu: number): {cls: number; clb: number} => {
    for (let k = 0; k < nb; k++) logTerm[k] = Math.log1p(mu * ratio[k]);
    // Tolerance: a toy with the observed counts sums the same logs in another order.
    const qObs = q(mu, obsCells, counts) * (1 + 1e-12) + 1e-9;
    const kMax = poissonQuantile(1 - 1e-10, mu);
    ensureSignal(kMax);
    const pk = new Float64Array(kMax + 1);
    pk[0] = Math.exp(-mu);
    for (let k = 1; k <= kMax; k++) pk[k] = (pk[k - 1] * mu) / k;
    let sb = 0, b = 0;
    for (let t = 0; t < toys; t++) {
      let qt = q(mu, bgCells[t]);
      if (qt <= qObs) b++;
      const c = sigCells[t];
      // q only grows with each signal event added: stop at the first k past q_obs.
      for (let k = 0; k <= kMax; k++) {
        if (k > 0) qt += logTerm[c[k - 1]];
        if (qt > qObs) break;
        sb += pk[k];
      }
    }
    return {cls: b > 0 ? sb / b : 0, clb: b / toys};
  };
  const alpha = 1 - cl;
  // CLs falls with μ; bracket, then bisect to 1e-3 relative (well below the toys' precision).
  let lo = 0, hi = 1;
  while (cls(hi).cls > alpha) {
    lo = hi;
    hi *= 2;
    if (hi > 700) throw new RangeError("poissonLimit: no limit below 700 signal events");
  }
  while (hi - lo > 1e-3 * hi) {
    const mid = 0.5 * (lo + hi);
    if (cls(mid).cls > alpha) lo = mid;
    else hi = mid;
  }
  return {mu: hi, clb: cls(hi).clb};
}
