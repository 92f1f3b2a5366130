// Small statistics helpers for the anomaly search and the limits: Poisson quantiles, Walker/Vose alias sampling, binomial
// deviates, a smoothed log-density on a grid and the
// one-sample Kolmogorov–Smirnov test against U(0,1). Hand-written because they sit in the
// inner loop of 10⁴ pseudo-experiments (no allocation, typed arrays) and the npm options
// (@stdlib) pull in hundreds of packages for these few functions.
import type {Rng} from "../math/random.js";
import {erfc} from "../math/special.js";

/**
 * Poisson(λ) quantile of u ∈ [0, 1): the smallest k with CDF(k) ≥ u, by summing the terms
 * (λ ≤ 700 keeps e^{−λ} representable). With a uniform u it is a Poisson deviate that is a
 * monotone function of u; the limit codes also use it for the tail bound of a sum.
 */
export function poissonQuantile(u: number, lambda: number): number {
  if (lambda <= 0) return 0;
  let p = Math.exp(-lambda), cdf = p, k = 0;
  while (cdf < u && k < 10 * lambda + 100) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/** Alias table for O(1) draws of an index with probability ∝ weights (Vose 1991). */
export interface AliasTable {
  n: number;
  prob: Float64Array;
  alias: Int32Array;
}

export function aliasTable(weights: ArrayLike<number>): AliasTable {
  const n = weights.length;
  if (n === 0) throw new RangeError("aliasTable: no weights");
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(weights[i] >= 0)) throw new RangeError(`aliasTable: weight ${i} is ${weights[i]}`);
    total += weights[i];
  }
  if (!(total > 0)) throw new RangeError("aliasTable: weights sum to zero");
  const prob = new Float64Array(n), alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small: number[] = [], large: number[] = [];
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i] * n) / total;
    (scaled[i] < 1 ? small : large).push(i);
  }
  while (small.length && large.length) {
    const s = small.pop()!, l = large.pop()!;
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  for (const i of large) { prob[i] = 1; alias[i] = i; }
  for (const i of small) { prob[i] = 1; alias[i] = i; }
  return {n, prob, alias};
}

export function aliasDraw(t: AliasTable, rng: Rng): number {
  const u = rng.uniform() * t.n;
  const i = Math.floor(u);
  return u - i < t.prob[i] ? i : t.alias[i];
}

/** Binomial(n, p) deviate: counts successes by geometric skips, O(n·p) time, exact. */
export function binomialDraw(n: number, p: number, rng: Rng): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomialDraw(n, 1 - p, rng);
  const lq = Math.log1p(-p);
  let k = 0, pos = 0;
  for (;;) {
    pos += Math.floor(Math.log(rng.uniform()) / lq) + 1;
    if (pos > n) return k;
    k++;
  }
}

/** One-sample Kolmogorov–Smirnov test of `values` against U(0,1): statistic D and the
 *  asymptotic p-value (Kolmogorov distribution with Stephens' small-n correction). */
export function ksUniform(values: ArrayLike<number>): {D: number; pValue: number} {
  const x = Float64Array.from(values).sort();
  const n = x.length;
  if (n === 0) throw new RangeError("ksUniform: no values");
  let D = 0;
  for (let i = 0; i < n; i++) {
    const f = Math.min(1, Math.max(0, x[i]));
    D = Math.max(D, (i + 1) / n - f, f - i / n);
  }
  const sn = Math.sqrt(n);
  const lambda = (sn + 0.12 + 0.11 / sn) * D;
  let p = 0;
  for (let j = 1; j <= 100; j++) {
    const term = 2 * (j % 2 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
    p += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return {D, pValue: Math.min(1, Math.max(0, p))};
}

/** A log-density tabulated on a uniform grid (linear interpolation). Outside the grid the
 *  KDE's own Gaussian tail from the extreme sample is used, so that events far beyond the
 *  background get a (very) small but finite, smoothly falling density. */
export interface GridDensity {
  lo: number;
  hi: number;
  logDensity: Float64Array;
  /** Kernel bandwidth and the extreme sample values. */
  bandwidth: number;
  xMin: number;
  xMax: number;
}

/**
 * Weighted Gaussian kernel density of `values` on a grid (binned KDE: histogram, then
 * convolution with the kernel out to ±10 h), bandwidth by Silverman's rule unless given.
 */
export function kdeGrid(values: ArrayLike<number>, weights: ArrayLike<number> | null, opts: {bins?: number; bandwidth?: number} = {}): GridDensity {
  const n = values.length;
  if (n < 2) throw new RangeError("kdeGrid: need at least 2 values");
  const bins = opts.bins ?? 1024;
  let wsum = 0, m = 0, xMin = Infinity, xMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    if (!(w >= 0) || !Number.isFinite(values[i])) throw new RangeError(`kdeGrid: bad value or weight at ${i}`);
    wsum += w;
    m += w * values[i];
    if (w > 0 && values[i] < xMin) xMin = values[i];
    if (w > 0 && values[i] > xMax) xMax = values[i];
  }
  m /= wsum;
  let v = 0, w2 = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    v += w * (values[i] - m) ** 2;
    w2 += w * w;
  }
  const sd = Math.sqrt(v / wsum);
  const nEff = (wsum * wsum) / w2;
  const h = opts.bandwidth ?? Math.max(1e-9, 1.06 * sd * Math.pow(nEff, -0.2));
  const lo = xMin - 6 * h, hi = xMax + 6 * h;
  const dx = (hi - lo) / (bins - 1);
  const hist = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const t = (values[i] - lo) / dx;
    const k = Math.floor(t), f = t - k;
    const w = (weights ? weights[i] : 1) / wsum;
    hist[k] += w * (1 - f);
    if (k + 1 < bins) hist[k + 1] += w * f;
  }
  const half = Math.ceil((10 * h) / dx);
  const kern = new Float64Array(2 * half + 1);
  for (let j = -half; j <= half; j++) kern[j + half] = Math.exp(-0.5 * ((j * dx) / h) ** 2) / (h * Math.sqrt(2 * Math.PI));
  const dens = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    if (hist[k] === 0) continue;
    const a = Math.max(-half, -k), b = Math.min(half, bins - 1 - k);
    for (let j = a; j <= b; j++) dens[k + j] += hist[k] * kern[j + half];
  }
  const logDensity = new Float64Array(bins);
  for (let k = 0; k < bins; k++) logDensity[k] = Math.log(Math.max(dens[k], 1e-300));
  return {lo, hi, logDensity, bandwidth: h, xMin, xMax};
}

export function gridLogDensity(g: GridDensity, x: number): number {
  const L = g.logDensity, nb = L.length, h2 = 2 * g.bandwidth * g.bandwidth;
  if (x > g.hi) return L[nb - 1] - ((x - g.xMax) ** 2 - (g.hi - g.xMax) ** 2) / h2;
  if (x < g.lo) return L[0] - ((x - g.xMin) ** 2 - (g.lo - g.xMin) ** 2) / h2;
  if (!(x === x)) return -Infinity;
  const t = ((x - g.lo) / (g.hi - g.lo)) * (nb - 1);
  const k = Math.min(nb - 2, Math.floor(t)), f = t - k;
  return L[k] * (1 - f) + L[k + 1] * f;
}

/** ln Φc(z) = ln P(N(0,1) > z), finite far into the tail (asymptotic series beyond z = 25,
 *  where erfc underflows; relative error of the series there < 1e-8). */
function logNormalSurvival(z: number): number {
  if (z < 25) return Math.log(0.5 * erfc(z / Math.SQRT2));
  const z2 = z * z;
  return -0.5 * z2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / z2 + 3 / (z2 * z2));
}

/** The survival function S(x) = P(X > x) of a GridDensity, as ln S tabulated on its nodes. */
export interface GridSurvival {
  density: GridDensity;
  /** ln S at the grid nodes, normalised so that S(−∞) = 1. */
  logSurvival: Float64Array;
  /** ln of the normalisation (grid integral + both Gaussian tails). */
  logTotal: number;
}

/**
 * Integrate a GridDensity from the top (trapezoids on the nodes, the Gaussian tails of
 * `gridLogDensity` beyond the grid in closed form), so that S keeps its relative precision
 * where it is tiny: the anomaly LR needs S of events far beyond the background.
 */
export function gridSurvival(g: GridDensity): GridSurvival {
  const L = g.logDensity, nb = L.length, dx = (g.hi - g.lo) / (nb - 1), h = g.bandwidth;
  const root2pi = Math.sqrt(2 * Math.PI);
  // ∫_hi^∞ of exp(L_end − ((x − xMax)² − (hi − xMax)²)/2h²) dx, and the same below lo.
  const tailHi = Math.exp(L[nb - 1] + (g.hi - g.xMax) ** 2 / (2 * h * h)) * h * root2pi * Math.exp(logNormalSurvival((g.hi - g.xMax) / h));
  const tailLo = Math.exp(L[0] + (g.lo - g.xMin) ** 2 / (2 * h * h)) * h * root2pi * Math.exp(logNormalSurvival((g.xMin - g.lo) / h));
  const s = new Float64Array(nb);
  s[nb - 1] = tailHi;
  for (let k = nb - 2; k >= 0; k--) s[k] = s[k + 1] + 0.5 * dx * (Math.exp(L[k]) + Math.exp(L[k + 1]));
  const total = s[0] + tailLo;
  const logSurvival = Float64Array.from(s, (v) => Math.log(v / total));
  return {density: g, logSurvival, logTotal: Math.log(total)};
}

/** ln S(x) of a GridSurvival: linear in ln S between nodes, the closed-form Gaussian tails outside. */
export function gridLogSurvival(gs: GridSurvival, x: number): number {
  const g = gs.density, L = g.logDensity, nb = L.length, h = g.bandwidth, S = gs.logSurvival;
  if (!(x === x)) return NaN;
  if (x >= g.hi) {
    return L[nb - 1] + (g.hi - g.xMax) ** 2 / (2 * h * h) + Math.log(h * Math.sqrt(2 * Math.PI)) + logNormalSurvival((x - g.xMax) / h) - gs.logTotal;
  }
  if (x <= g.lo) {
    const below = Math.exp(L[0] + (g.lo - g.xMin) ** 2 / (2 * h * h) - gs.logTotal) * h * Math.sqrt(2 * Math.PI) * Math.exp(logNormalSurvival((g.xMin - x) / h));
    return Math.log1p(-Math.min(below, 1));
  }
  const t = ((x - g.lo) / (g.hi - g.lo)) * (nb - 1);
  const k = Math.min(nb - 2, Math.floor(t)), f = t - k;
  return S[k] * (1 - f) + S[k + 1] * f;
}
