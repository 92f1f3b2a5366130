// Yellin's optimum-interval upper limit (S. Yellin, Phys. Rev. D 66, 032005 (2002)), in the
// cumulative-signal variable (signal uniform on [0, 1]). For each n, x_n is the largest expected
// signal count μ·f_n of an interval holding n events; C_n(x, μ) is the probability that x_n < x
// when the signal alone, of mean μ, is present. The interval whose C_n is largest is the one the
// data say least about the signal: C_max = max_n C_n(x_n, μ). The limit is the μ where the
// observed C_max reaches C̄_max(CL, μ), the CL quantile of C_max in signal-only experiments.
//
// C₀ is analytic (maximumGap.ts); C_n (n ≥ 1) and C̄_max come from a seeded Monte Carlo at
// each μ of a fixed geometric grid, computed when first needed and cached (see docs/limits.md
// for why no table is shipped). Experiments use common random numbers across μ (experiment j
// always draws from the same stream), so the Monte-Carlo noise of the limit is smooth in μ.

import {Rng} from "../math/random.js";
import {maxGapC0, maximumGapLimit, withEnds} from "./maximumGap.js";
import {poissonQuantile} from "./distributions.js";

/** f[n], n = 0..N: the largest fraction of [0, 1] covered by an interval holding exactly n of
 *  the N events (the interval with all N is the whole range, f[N] = 1). */
export function intervalFractions(u: ArrayLike<number>): Float64Array {
  const s = withEnds(u, "intervalFractions");
  return fractionsOfSorted(s, u.length);
}

function fractionsOfSorted(s: Float64Array, N: number): Float64Array {
  const f = new Float64Array(N + 1);
  for (let n = 0; n <= N; n++) {
    let best = 0;
    for (let i = 0; i + n + 1 <= N + 1; i++) {
      const w = s[i + n + 1] - s[i];
      if (w > best) best = w;
    }
    f[n] = best;
  }
  return f;
}

/** μ above which C_n (n ≥ 1) can reach `cl`: where P(N ≥ 2) = 1 − e^{−μ}(1 + μ) = cl. Below it
 *  C_n(x, μ) ≤ P(N > n) < cl for every n ≥ 1, so C̄_max(cl, μ) = cl and the optimum interval
 *  is the maximum gap, exactly. */
export function reductionPoint(cl: number): number {
  let lo = 0, hi = 100;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (1 - Math.exp(-mid) * (1 + mid) < cl) lo = mid;
    else hi = mid;
  }
  return lo;
}


export interface IntervalMonteCarlo {
  mu: number;
  experiments: number;
  /** sorted[n − 1]: the fractions f_n of all experiments, ascending (1 where an experiment has
   *  ≤ n events), for n = 1..sorted.length. */
  sorted: Float64Array[];
  /** C̄_max(cl, μ) for the cl it was made with. */
  cBarMax: number;
  cl: number;
}

/** Lower-bound search: how many of the ascending values are < x. */
function countBelow(a: Float64Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** C_n(μ·f, μ) from a Monte Carlo: C₀ analytic, C_n (n ≥ 1) the fraction of experiments with a
 *  smaller f_n (none beyond the largest n any experiment reached). */
export function cN(mc: IntervalMonteCarlo, n: number, f: number): number {
  if (n === 0) return maxGapC0(mc.mu * f, mc.mu);
  if (n > mc.sorted.length) return 0;
  return countBelow(mc.sorted[n - 1], f) / mc.experiments;
}

/** C_max of one data set (its fractions f[0..N]) against a Monte Carlo at μ. */
export function cMax(mc: IntervalMonteCarlo, f: ArrayLike<number>): number {
  let c = 0;
  for (let n = 0; n < f.length; n++) c = Math.max(c, cN(mc, n, f[n]));
  return c;
}

const MAX_MU = 600;

/** The signal-only Monte Carlo at μ: `experiments` experiments, experiment j drawn from stream
 *  (seed, j): a uniform for its Poisson count, then its events. */
export function intervalMonteCarlo(mu: number, opts: {experiments?: number; seed?: number; cl?: number} = {}): IntervalMonteCarlo {
  const {experiments = 5000, seed = 1, cl = 0.9} = opts;
  if (!(mu > 0 && mu <= MAX_MU)) throw new RangeError(`optimum interval: μ = ${mu} outside (0, ${MAX_MU}] expected events`);
  if (!(experiments >= 10)) throw new RangeError(`optimum interval: ${experiments} experiments is too few`);
  const all: Float64Array[] = new Array(experiments);
  let nMax = 0;
  for (let j = 0; j < experiments; j++) {
    const rng = new Rng(seed, 0x4f49, j);
    const N = poissonQuantile(rng.uniform(), mu);
    const s = new Float64Array(N + 2);
    for (let i = 1; i <= N; i++) s[i] = rng.uniform();
    s[N + 1] = 1;
    s.subarray(1, N + 1).sort();
    all[j] = fractionsOfSorted(s, N);
    nMax = Math.max(nMax, N);
  }
  const sorted: Float64Array[] = [];
  for (let n = 1; n <= nMax; n++) {
    const a = new Float64Array(experiments);
    for (let j = 0; j < experiments; j++) a[j] = n < all[j].length ? all[j][n] : 1;
    sorted.push(a.sort());
  }
  const mc: IntervalMonteCarlo = {mu, experiments, sorted, cBarMax: NaN, cl};
  const cmax = new Float64Array(experiments);
  for (let j = 0; j < experiments; j++) cmax[j] = cMax(mc, all[j]);
  cmax.sort();
  mc.cBarMax = cmax[Math.min(experiments - 1, Math.max(0, Math.ceil(cl * experiments) - 1))];
  return mc;
}

/** Monte Carlos by (μ grid index, experiments, seed, cl), least recently used dropped first
 *  once they hold more than CACHE_BYTES (a limit scan over masses revisits the same few μ). */
const cache = new Map<string, IntervalMonteCarlo>();
const CACHE_BYTES = 256 * 2 ** 20;
let cacheBytes = 0;
const bytesOf = (mc: IntervalMonteCarlo) => mc.sorted.length * mc.experiments * 8;

function cachedMonteCarlo(mu: number, key: string, opts: {experiments: number; seed: number; cl: number}): IntervalMonteCarlo {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const mc = intervalMonteCarlo(mu, opts);
  cache.set(key, mc);
  cacheBytes += bytesOf(mc);
  while (cacheBytes > CACHE_BYTES && cache.size > 1) {
    const [oldest, old] = cache.entries().next().value!;
    cache.delete(oldest);
    cacheBytes -= bytesOf(old);
  }
  return mc;
}

export interface OptimumIntervalOptions {
  cl?: number;
  /** Monte-Carlo experiments per μ (default 5000). */
  experiments?: number;
  seed?: number;
  /** Ratio of neighbouring μ of the grid the Monte Carlos are made at (default 1.03). */
  gridRatio?: number;
}

/** C̄_max(cl, μ) at μ (a Monte Carlo of its own, cached; exact below reductionPoint(cl)). */
export function cBarMax(mu: number, opts: OptimumIntervalOptions = {}): number {
  const {cl = 0.9, experiments = 5000, seed = 1} = opts;
  // Below μ*, C_max > cl only through C₀; its distribution has the atom 1 − e^{−μ} (no event).
  if (mu <= reductionPoint(cl)) return Math.min(cl, 1 - Math.exp(-mu));
  return cachedMonteCarlo(mu, `${mu}|${experiments}|${seed}|${cl}`, {experiments, seed, cl}).cBarMax;
}

export interface OptimumIntervalResult {
  /** Upper limit on the expected number of signal events. */
  mu: number;
  /** The number of events in the optimum interval at the limit (0: the maximum gap). */
  n: number;
  /** Whether the limit came out below the reduction point (then it is the maximum gap's). */
  reducedToMaximumGap: boolean;
}

/**
 * The optimum-interval upper limit on μ for events with cumulative-signal values `u`.
 * Below reductionPoint(cl) the limit is the maximum gap's, exactly; above, h(μ) = C_max(μ) −
 * C̄_max(cl, μ) is evaluated on the grid μ* · r^k (r = gridRatio), bracketed by doubling steps,
 * bisected on grid indices, and its root interpolated linearly between the two grid points.
 */
export function optimumIntervalLimit(u: ArrayLike<number>, opts: OptimumIntervalOptions = {}): OptimumIntervalResult {
  const {cl = 0.9, experiments = 5000, seed = 1, gridRatio = 1.03} = opts;
  if (!(cl > 0 && cl < 1)) throw new RangeError(`optimumIntervalLimit: confidence level ${cl} is not in (0, 1)`);
  if (!(gridRatio > 1)) throw new RangeError(`optimumIntervalLimit: grid ratio ${gridRatio} must be > 1`);
  const f = intervalFractions(u);
  const muStar = reductionPoint(cl);
  const mg = maximumGapLimit(u, cl);
  if (mg <= muStar) return {mu: mg, n: 0, reducedToMaximumGap: true};
  const muAt = (k: number) => muStar * gridRatio ** k;
  const h = (k: number) => {
    const mu = muAt(k);
    const mc = cachedMonteCarlo(mu, `${k}|${gridRatio}|${experiments}|${seed}|${cl}`, {experiments, seed, cl});
    return cMax(mc, f) - mc.cBarMax;
  };
  // h(0) < 0 (C_max there is C₀ < cl since the maximum-gap limit lies above μ*). The first
  // probe is the grid point at the maximum-gap limit or at N + 3√N + 4 (above the Poisson
  // limit of the whole range at CL ≈ C̄_max), whichever is lower: the optimum interval's limit
  // lies usually below both, and Monte Carlos at large μ are the costly ones. From there the
  // bracket widens by doubling steps.
  const N = f.length - 1;
  const kTop = Math.floor(Math.log(MAX_MU / muStar) / Math.log(gridRatio));
  const first = Math.min(mg, N + 3 * Math.sqrt(N) + 4);
  const kMg = Math.min(kTop, Math.max(1, Math.round(Math.log(first / muStar) / Math.log(gridRatio))));
  let lo = 0, hLo = maxGapC0(muStar * f[0], muStar) - cl;
  let hi = kMg, hHi = h(hi);
  if (hHi >= 0) {
    for (let step = 1; hi - step > 0; step *= 2) {
      const k = hi - step, hk = h(k);
      if (hk < 0) { lo = k; hLo = hk; break; }
      hi = k; hHi = hk;
    }
  } else {
    lo = hi; hLo = hHi;
    for (let step = 1; ; step *= 2) {
      if (lo === kTop) throw new RangeError(`optimumIntervalLimit: no limit below μ = ${MAX_MU} expected events`);
      const k = Math.min(kTop, lo + step), hk = h(k);
      if (hk >= 0) { hi = k; hHi = hk; break; }
      lo = k; hLo = hk;
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const hm = h(mid);
    if (hm >= 0) { hi = mid; hHi = hm; }
    else { lo = mid; hLo = hm; }
  }
  const t = hLo / (hLo - hHi);
  const mu = muAt(lo) + t * (muAt(hi) - muAt(lo));
  // The optimum interval at the grid point above the root.
  const mc = cachedMonteCarlo(muAt(hi), `${hi}|${gridRatio}|${experiments}|${seed}|${cl}`, {experiments, seed, cl});
  let n = 0, best = -1;
  for (let k = 0; k < f.length; k++) {
    const c = cN(mc, k, f[k]);
    if (c > best) { best = c; n = k; }
  }
  return {mu, n, reducedToMaximumGap: false};
}
