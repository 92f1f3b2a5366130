// Fit of one peak (a mono-energetic line) in a spectrum: a robust unbinned start (iterative
// ±kσ window) refined by a binned Poisson fit of a Gaussian on a flat or linear background.
// Works in any unit (V, TPA, keV): the caller's values decide.
import {invert, solve} from "../math/linalg.js";
import {quantileSorted} from "../math/robust.js";
import {erf} from "../math/special.js";

/** A histogram: `counts[i]` counts values in [edges[i], edges[i+1]). */
export interface Histogram {
  edges: Float64Array;
  centres: Float64Array;
  counts: Float64Array;
  binWidth: number;
}

/** Equal-width histogram of the finite values in [lo, hi). */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): Histogram {
  if (!(hi > lo) || !(bins >= 1)) throw new RangeError(`histogram: need lo < hi and bins ≥ 1, got [${lo}, ${hi}) in ${bins}`);
  const n = Math.floor(bins);
  const w = (hi - lo) / n;
  const counts = new Float64Array(n);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v < hi)) continue;
    counts[Math.min(n - 1, Math.floor((v - lo) / w))]++;
  }
  const edges = Float64Array.from({length: n + 1}, (_, i) => lo + i * w);
  const centres = Float64Array.from({length: n}, (_, i) => lo + (i + 0.5) * w);
  return {edges, centres, counts, binWidth: w};
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(values[i]);
  return Float64Array.from(out).sort();
}

/** Median and robust σ (1.4826·MAD) of the values of sorted `s` within [lo, hi]. */
function robustIn(s: Float64Array, lo: number, hi: number): {median: number; sigma: number; n: number} {
  const inside = s.filter((v) => v >= lo && v <= hi);
  const med = quantileSorted(inside, 0.5);
  const dev = Float64Array.from(inside, (v) => Math.abs(v - med)).sort();
  return {median: med, sigma: 1.4826 * quantileSorted(dev, 0.5), n: inside.length};
}

/**
 * Best-effort location of the most prominent peak: histograms at bin widths from 1/20 to
 * 1/1280 of the central 99 % range; at each bin, the counts of 3 adjacent bins against the
 * background interpolated from side bands 4–8 bins away on *both* sides, scored as a
 * significance (excess/√background). A smooth continuum, even a steep or convex one near
 * threshold, scores low; a line scores high at the bin width that matches its σ.
 */
export function findPeak(values: ArrayLike<number>): {centre: number; width: number} {
  const s = finiteSorted(values);
  const n = s.length;
  if (n < 10) throw new RangeError(`findPeak: need at least 10 finite values, got ${n}`);
  const lo = quantileSorted(s, 0.005);
  const hi = quantileSorted(s, 0.995);
  if (!(hi > lo)) return {centre: lo, width: Math.max(1e-9 * Math.abs(lo), Number.MIN_VALUE)};
  let best = -Infinity;
  let centre = 0.5 * (lo + hi);
  let width = (hi - lo) / 20;
  for (let bins = 20; bins <= 1280; bins *= 2) {
    const h = histogram(s, lo, hi, bins);
    const c = h.counts;
    for (let i = 8; i < bins - 8; i++) {
      const local = c[i - 1] + c[i] + c[i + 1];
      let left = 0, right = 0;
      for (let d = 4; d <= 8; d++) { left += c[i - d]; right += c[i + d]; }
      const bg = (3 * (left + right)) / 10;
      const score = (local - bg) / Math.sqrt(bg + 1);
      if (score > best) { best = score; centre = h.centres[i]; width = h.binWidth; }
    }
  }
  // Widen to the line's σ: median and 1.4826·MAD of the values within ±3σ; a σ too small sees
  // a flat slice of the peak (MAD ≈ 1.5σ ⇒ grows ×2.2), the true σ is a fixed point.
  for (let it = 0; it < 60; it++) {
    const r = robustIn(s, centre - 3 * width, centre + 3 * width);
    if (r.n < 3 || !(r.sigma > 0)) break;
    const next = r.sigma;
    centre = r.median;
    const done = Math.abs(next / width - 1) < 0.01;
    width = next;
    if (done) break;
  }
  return {centre, width};
}

export interface WindowEstimate {
  mean: number;
  sigma: number;
  meanError: number;
  sigmaError: number;
  /** Values inside the final window. */
  n: number;
  iterations: number;
}

/** Variance of a unit Gaussian truncated to ±k: what a ±kσ window sees of σ². */
function truncatedVarianceFactor(k: number): number {
  const phi = Math.exp(-0.5 * k * k) / Math.sqrt(2 * Math.PI);
  const inside = erf(k / Math.SQRT2);
  return 1 - (2 * k * phi) / inside;
}

/**
 * Iterative window estimate: mean and std of the values within ±kσ of the current mean, a flat
 * background subtracted with the side bands [kσ, 2kσ] on both sides, σ corrected for the
 * truncation; repeated until stable. A start for the binned fit, not a final answer.
 */
export function windowEstimate(values: ArrayLike<number>, start: {mean: number; sigma: number}, k = 2.5, maxIterations = 100): WindowEstimate {
  let {mean, sigma} = start;
  const factor = truncatedVarianceFactor(k);
  let n = 0;
  let it = 0;
  for (; it < maxIterations; it++) {
    const half = k * sigma;
    let s0 = 0, s1 = 0, s2 = 0, side = 0;
    for (let i = 0; i < values.length; i++) {
      const d = values[i] - mean;
      const a = Math.abs(d);
      if (a <= half) { s0++; s1 += d; s2 += d * d; }
      else if (a <= 2 * half) side++;
    }
    // Side bands have the window's total width: their count estimates the background in it.
    const bg = Math.min(side, 0.9 * s0);
    n = s0 - bg;
    if (s0 < 3 || n < 3) throw new RangeError(`windowEstimate: fewer than 3 line values within ±${k}σ of ${mean}`);
    const shift = s1 / n;
    const varInside = Math.max((s2 - (bg * half * half) / 3) / n - shift * shift, 1e-300);
    const sd = Math.sqrt(varInside / factor);
    const m = mean + shift;
    // Damped: a background fluctuation must not make σ run away in one step.
    const nextSigma = Math.min(Math.max(sd, 0.5 * sigma), 1.5 * sigma);
    const done = Math.abs(m - mean) < 1e-6 * sigma && Math.abs(nextSigma - sigma) < 1e-6 * sigma;
    mean = m;
    sigma = nextSigma;
    if (done) break;
  }
  return {mean, sigma, meanError: sigma / Math.sqrt(n), sigmaError: sigma / Math.sqrt(2 * Math.max(1, n - 1)), n, iterations: it + 1};
}

export type LineBackground = "none" | "flat" | "linear";

export interface LineFitOptions {
  /** Start of the search; default: findPeak. */
  start?: {mean: number; sigma: number};
  /** Half-width of the fit range in σ of the window estimate (default 5). */
  rangeSigma?: number;
  /** Bins per σ in the binned fit (default 4). */
  binsPerSigma?: number;
  background?: LineBackground;
  /** Window half-width in σ of the iterative start (default 2.5). */
  windowK?: number;
}

export interface LineFit {
  mean: number;
  sigma: number;
  meanError: number;
  sigmaError: number;
  fwhm: number;
  fwhmError: number;
  /** Fitted number of line entries. */
  signal: number;
  /** Background density at the mean, entries per unit of the values. */
  backgroundDensity: number;
  /** Range and histogram of the binned fit, for plotting. */
  range: [number, number];
  histogram: Histogram;
  /** Expected counts per bin of the fitted model, aligned with histogram.counts. */
  model: Float64Array;
  /** Poisson deviance and degrees of freedom of the binned fit. */
  deviance: number;
  ndf: number;
  /** The window estimate the fit started from. */
  window: WindowEstimate;
  /** "binned" normally; "window" when the binned fit failed and the window estimate is reported. */
  method: "binned" | "window";
}

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/** Gaussian (+ background) line fit; values in any unit, the result in the same unit. */
export function fitLine(values: ArrayLike<number>, options: LineFitOptions = {}): LineFit {
  const {rangeSigma = 5, binsPerSigma = 4, background = "flat", windowK = 2.5} = options;
  let start = options.start;
  if (!start) {
    const p = findPeak(values);
    start = {mean: p.centre, sigma: p.width};
  }
  const win = windowEstimate(values, start, windowK);
  const lo = win.mean - rangeSigma * win.sigma;
  const hi = win.mean + rangeSigma * win.sigma;
  const bins = Math.max(10, Math.round(2 * rangeSigma * binsPerSigma));
  const h = histogram(values, lo, hi, bins);
  const x = h.centres;
  const w = h.binWidth;
  const total = h.counts.reduce((a, b) => a + b, 0);
  // Parameters: [signal, mean, sigma, b0 (density at the mean), b1 (slope per unit)].
  const nb = background === "none" ? 0 : background === "flat" ? 1 : 2;
  const edgeDensity = (h.counts.slice(0, 3).reduce((a, b) => a + b, 0) + h.counts.slice(-3).reduce((a, b) => a + b, 0)) / (6 * w);
  const p0 = [Math.max(1, win.n), win.mean, win.sigma, edgeDensity, 0].slice(0, 3 + nb);
  const model = (p: number[], out: Float64Array) => {
    for (let i = 0; i < x.length; i++) {
      const z = (x[i] - p[1]) / p[2];
      let v = (p[0] * w * Math.exp(-0.5 * z * z)) / (p[2] * Math.sqrt(2 * Math.PI));
      if (nb >= 1) v += p[3] * w;
      if (nb >= 2) v += p[4] * (x[i] - win.mean) * w;
      out[i] = v;
    }
    return out;
  };
  const fit = poissonFit(h.counts, model, p0, [1, win.sigma * 1e-4, win.sigma * 1e-4, 1, 1]);
  const mu = model(fit.p, new Float64Array(x.length));
  const ok = fit.converged && fit.p[2] > 0 && fit.p[0] > 0 && fit.p[1] > lo && fit.p[1] < hi && fit.cov.every((r) => r.every(Number.isFinite));
  const base = {range: [lo, hi] as [number, number], histogram: h, model: mu, window: win, deviance: fit.deviance, ndf: Math.max(0, bins - p0.length)};
  if (!ok || total < 5) {
    return {...base, mean: win.mean, sigma: win.sigma, meanError: win.meanError, sigmaError: win.sigmaError, fwhm: FWHM_PER_SIGMA * win.sigma, fwhmError: FWHM_PER_SIGMA * win.sigmaError, signal: win.n, backgroundDensity: 0, method: "window"};
  }
  const sigma = Math.abs(fit.p[2]);
  const sigmaError = Math.sqrt(fit.cov[2][2]);
  return {
    ...base,
    mean: fit.p[1],
    sigma,
    meanError: Math.sqrt(fit.cov[1][1]),
    sigmaError,
    fwhm: FWHM_PER_SIGMA * sigma,
    fwhmError: FWHM_PER_SIGMA * sigmaError,
    signal: fit.p[0],
    backgroundDensity: nb >= 1 ? fit.p[3] : 0,
    method: "binned"
  };
}

/**
 * Maximum-likelihood fit of Poisson counts by Levenberg–Marquardt on the Fisher-scoring normal
 * equations (weights 1/μ, numeric Jacobian). Returns the covariance inv(JᵀWJ) at the optimum.
 * Written here rather than with ml-levenberg-marquardt because we need the covariance.
 */
export function poissonFit(
  counts: Float64Array,
  model: (p: number[], out: Float64Array) => Float64Array,
  p0: number[],
  steps: number[]
): {p: number[]; cov: number[][]; deviance: number; converged: boolean} {
  const n = counts.length;
  const m = p0.length;
  let p = p0.slice();
  const mu = new Float64Array(n);
  const tmp = new Float64Array(n);
  const J = Array.from({length: m}, () => new Float64Array(n));
  const deviance = (q: number[]) => {
    model(q, tmp);
    let d = 0;
    for (let i = 0; i < n; i++) {
      const u = Math.max(tmp[i], 1e-12);
      d += 2 * (u - counts[i] + (counts[i] > 0 ? counts[i] * Math.log(counts[i] / u) : 0));
    }
    return d;
  };
  let dev = deviance(p);
  let lambda = 1e-3;
  let converged = false;
  let A: number[][] = [];
  for (let iter = 0; iter < 200; iter++) {
    model(p, mu);
    for (let j = 0; j < m; j++) {
      const h = steps[j];
      const q = p.slice();
      q[j] += h;
      model(q, tmp);
      for (let i = 0; i < n; i++) J[j][i] = (tmp[i] - mu[i]) / h;
    }
    A = Array.from({length: m}, () => new Array<number>(m).fill(0));
    const g = new Array<number>(m).fill(0);
    for (let i = 0; i < n; i++) {
      const wi = 1 / Math.max(mu[i], 0.5);
      const r = counts[i] - mu[i];
      for (let a = 0; a < m; a++) {
        g[a] += J[a][i] * wi * r;
        for (let b = 0; b <= a; b++) A[a][b] += J[a][i] * wi * J[b][i];
      }
    }
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) A[b][a] = A[a][b];
    let improved = false;
    for (let tries = 0; tries < 20; tries++) {
      const D = A.map((row, a) => row.map((v, b) => (a === b ? v * (1 + lambda) : v)));
      const delta = solve(D, g);
      if (!delta) { lambda *= 10; continue; }
      const q = p.map((v, j) => v + delta[j]);
      q[2] = Math.abs(q[2]);
      const d = deviance(q);
      if (Number.isFinite(d) && d <= dev) {
        const small = delta.every((v, j) => Math.abs(v) < 1e-9 * (Math.abs(p[j]) + steps[j]));
        p = q;
        converged = dev - d < 1e-9 * (1 + dev) || small;
        dev = d;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        break;
      }
      lambda *= 10;
    }
    if (!improved || converged) { converged = true; break; }
  }
  const cov = invert(A) ?? A.map((r) => r.map(() => NaN));
  return {p, cov, deviance: dev, converged};
}
