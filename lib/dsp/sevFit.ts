// Per-record SEV fit (cait `apply_sev_fit`): record ≈ h·SEV(t − Δt) + baseline polynomial
// (order 0–3, cait's default cubic), least squares over the whole record at full resolution.
//
// For a given shift δ the height and the polynomial are linear, and with an orthonormal
// polynomial basis Q_j (Gram–Schmidt on the record grid) they have a closed form from a few
// inner products:
//   pr_j = ⟨Q_j, r⟩, g_j(δ) = ⟨Q_j, s_δ⟩, c(δ) = ⟨r, s_δ⟩, ss = ⟨s, s⟩
//   h = (c − Σ g_j pr_j)/(ss − Σ g_j²),  χ² = ⟨r,r⟩ − Σ pr_j² − h·(c − Σ g_j pr_j).
// The shifted SEV s_δ is the circular, band-limited (Fourier) shift of the sampled SEV, so
// c(δ) for every integer δ is one inverse FFT of the cross-spectrum R·conj(S), and at a
// fractional δ a single O(n) sum over that spectrum. g_j(δ) does not depend on the record: it
// is tabulated once per SEV on the integer lags with its first two derivatives, and
// interpolated between them by a quintic (gAt). The shift is the best integer lag in ±maxShift,
// refined by Newton's steps (newtonShift; Brent's method to 1e-4 sample where they cannot be
// trusted); these only locate δ, and may use float32 transforms. At δ, h and χ²
// come from inner products with the shifted SEV itself, in float64 (taken with the interpolated
// g, the RMS of big pulses was off by up to 1.2e-5 relative). Cost per record: three FFTs of
// length L (PFFFT: record, correlation, shifted SEV), two O(L) passes and about 1.7 O(L/2) sums
// (Newton's steps). With PFFFT no JS loop copies a transform's input or output: the passes write
// PFFFT's input buffer themselves (RealTransforms.input), the cross-spectrum is multiplied in
// wasm (correlateInput), and spectra and outputs are read in the heap (≈ 240 → 200 µs per fit of
// 16384 samples; 400 µs before these and Newton's steps, bench/record-kernels.ts). For float32
// records the two passes run in wasm SIMD (sevFitKernel.ts: ≈ 177 → 157 µs per fit).
//
// Truncated fit (saturated pulses): only samples whose value above the baseline (mean of the
// first L/8) is below `truncationLevel_V` count. The mask depends on the record, so such
// records take a slower direct path (masked normal equations per lag: coarse lags, then every
// lag near the best, then Brent's method with a Fourier-shifted SEV); records that never reach
// the level take the fast path, which is then the same fit.

import {solve} from "../math/linalg.js";
import {chunkRecord, type EventChunk, type RecordLayout} from "../types.js";
import {irfft, rfft} from "./fft.js";
import type {RealTransforms} from "./fastRealFft.js";
import {firstPass, lagSums as spectrumLagSums, phaseRamp as spectrumPhaseRamp, secondPass, type FirstPassSums} from "./sevFitKernel.js";
import {brentMax} from "../math/brentMax.js";
import {baselineOffset} from "./baseline.js";

export interface SevFitOptions {
  /** Order of the baseline polynomial, 0–3 (default 3, cait's cubic). */
  baselineOrder?: number;
  /** Largest onset shift searched, ms (default 5 ms). */
  maxShift_ms?: number;
  /**
   * The records' transforms (lib/dsp/fastRealFft.ts; PFFFT for batch fits, float32, ≈ 4× faster
   * than lib/dsp/fft.ts, the default): the record's spectrum, the correlation and the shifted SEV.
   * They locate the shift; the fit at that shift is computed in float64 (see fitRecord).
   */
  transforms?: RealTransforms;
}

/** Everything about one SEV that every record's fit reuses. */
export interface SevFitPlan {
  layout: RecordLayout;
  n: number;
  order: number;
  maxLag: number;
  sev: Float64Array;
  /** rfft of the SEV. */
  S: Float64Array;
  /** ⟨s, s⟩. */
  ss: number;
  /** Orthonormal polynomial basis on the grid, Q[j] of degree j. */
  Q: Float64Array[];
  /** M padded with zeros to 4 × 4, for the fit's loops (written once, for the cubic). */
  M4: Float64Array;
  /** Q_j = Σ_p M[j][p]·x^p with x = 2i/(L−1) − 1. */
  M: number[][];
  /** g[j][lag + maxLag + 2] = ⟨Q_j, s_lag⟩ for lag in −maxLag−2 … maxLag+2. */
  g: Float64Array[];
  /** Its first and second derivatives in the lag, exact (band-limited), on the same lags. */
  g1: Float64Array[];
  g2: Float64Array[];
  /** den[lag + maxLag + 2] = ss − Σ_j g_j(lag)²: the fit's denominator at each integer lag. */
  den: Float64Array;
  /** The records' transforms when not lib/dsp/fft.ts's. */
  transforms?: RealTransforms;
  /** conj(S) kept in the transforms' heap for their correlateInput (PFFFT). */
  kept?: number;
}

export interface SevFitResult {
  /** h: the record's pulse height in units of the SEV (V for a SEV of maximum 1). */
  height_V: number;
  /** Δt: shift of the SEV that fits best, ms (positive = later). */
  onsetShift_ms: number;
  /** sqrt(mean squared residual over the samples used), V. */
  rms_V: number;
  /** Baseline polynomial b_p in powers of x = 2i/(L−1) − 1 (x ∈ [−1, 1] across the record), V. */
  baseline_V: Float64Array;
  /** Whether the truncated (masked) fit was used. */
  truncated: boolean;
  /** Samples that entered the fit. */
  samplesUsed: number;
}

/** Orthonormal polynomials of degree 0…order on x_i = 2i/(L−1) − 1, with their monomial coefficients. */
function orthonormalPolynomials(L: number, order: number): {Q: Float64Array[]; M: number[][]} {
  const Q: Float64Array[] = [];
  const M: number[][] = [];
  for (let p = 0; p <= order; p++) {
    const v = new Float64Array(L);
    for (let i = 0; i < L; i++) v[i] = (L > 1 ? (2 * i) / (L - 1) - 1 : 0) ** p;
    const m = new Array(order + 1).fill(0);
    m[p] = 1;
    // Gram–Schmidt twice ("twice is enough") for orthogonality to rounding.
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < Q.length; j++) {
        let d = 0;
        for (let i = 0; i < L; i++) d += v[i] * Q[j][i];
        for (let i = 0; i < L; i++) v[i] -= d * Q[j][i];
        for (let q = 0; q <= order; q++) m[q] -= d * M[j][q];
      }
    }
    let nn = 0;
    for (let i = 0; i < L; i++) nn += v[i] * v[i];
    const inv = 1 / Math.sqrt(nn);
    for (let i = 0; i < L; i++) v[i] *= inv;
    for (let q = 0; q <= order; q++) m[q] *= inv;
    Q.push(v);
    M.push(m);
  }
  return {Q, M};
}

/** Cross-spectrum A·conj(B) into `out` (rfft layout). */
function crossSpectrum(A: Float64Array, B: Float64Array, out: Float64Array): Float64Array {
  for (let k = 0; k < out.length; k += 2) {
    const ar = A[k], ai = A[k + 1], br = B[k], bi = B[k + 1];
    out[k] = ar * br + ai * bi;
    out[k + 1] = ai * br - ar * bi;
  }
  return out;
}

/** Prepares the fit of records against `sev` (any scale; heights are in units of its maximum = 1 if normalised). */
export function prepareSevFit(sev: ArrayLike<number>, layout: RecordLayout, options: SevFitOptions = {}): SevFitPlan {
  const n = layout.recordLength;
  if (sev.length !== n) throw new RangeError(`SEV has ${sev.length} samples, layout says ${n}`);
  const order = options.baselineOrder ?? 3;
  if (!Number.isInteger(order) || order < 0 || order > 3) throw new RangeError(`baseline order must be 0–3, got ${order}`);
  const maxLag = Math.max(1, Math.min(Math.floor(n / 2) - 4, Math.round(((options.maxShift_ms ?? 5) * layout.sampleFrequency_Hz) / 1000)));
  const s = Float64Array.from(sev);
  const S = rfft(s);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += s[i] * s[i];
  const {Q, M} = orthonormalPolynomials(n, order);
  const X = new Float64Array(n + 2), D = new Float64Array(n + 2);
  const table = (c: ArrayLike<number>) => {
    const t = new Float64Array(2 * maxLag + 5);
    for (let lag = -maxLag - 2; lag <= maxLag + 2; lag++) t[lag + maxLag + 2] = c[(lag + n) % n];
    return t;
  };
  const g: Float64Array[] = [], g1: Float64Array[] = [], g2: Float64Array[] = [];
  for (const q of Q) {
    crossSpectrum(rfft(q), S, X);
    g.push(table(irfft(X, n)));
    // d/dδ of Σ X_k e^{iω_k δ}: X_k·iω_k, and X_k·(−ω_k²), ω_k = 2πk/n.
    for (let k = 0; 2 * k < X.length; k++) {
      const w = (2 * Math.PI * k) / n;
      D[2 * k] = -w * X[2 * k + 1];
      D[2 * k + 1] = w * X[2 * k];
    }
    g1.push(table(irfft(D, n)));
    for (let k = 0; 2 * k < X.length; k++) {
      const w2 = ((2 * Math.PI * k) / n) ** 2;
      D[2 * k] = -w2 * X[2 * k];
      D[2 * k + 1] = -w2 * X[2 * k + 1];
    }
    g2.push(table(irfft(D, n)));
  }
  const den = new Float64Array(2 * maxLag + 5).map((_, t) => {
    let d = ss;
    for (let j = 0; j <= order; j++) d -= g[j][t] * g[j][t];
    return d;
  });
  const {transforms} = options;
  if (transforms && transforms.n !== n) throw new RangeError(`transforms of length ${transforms.n} for records of ${n} samples`);
  const M4 = new Float64Array(16);
  for (let j = 0; j <= order; j++) for (let p = 0; p <= order; p++) M4[4 * j + p] = M[j][p];
  const kept = transforms?.keepSpectrum?.(S);
  return {layout, n, order, maxLag, sev: s, S, ss, Q, M4, M, g, g1, g2, den, transforms, kept};
}

/**
 * g_j at real lag δ and its first two derivatives, into out[3j…3j+2]: the quintic through the
 * values and exact derivatives at the neighbouring lags (Hermite). Its derivatives are continuous
 * across the lags, so that Newton's steps (newtonShift) see no kinks; a 4-point Lagrange cubic of
 * the values alone had them at every lag, where a false optimum could stop the steps.
 */
function gAt(plan: SevFitPlan, delta: number, out: Float64Array): void {
  const {g, g1, g2, maxLag, order} = plan;
  const x = delta + maxLag + 2;
  const i = Math.min(Math.max(Math.floor(x), 0), g[0].length - 2);
  const u = x - i;
  for (let j = 0; j <= order; j++) {
    const f0 = g[j][i], df = g[j][i + 1] - f0, d0 = g1[j][i], d1 = g1[j][i + 1], s0 = g2[j][i], s1 = g2[j][i + 1];
    const a3 = 10 * df - 6 * d0 - 4 * d1 - (3 * s0 - s1) / 2;
    const a4 = -15 * df + 8 * d0 + 7 * d1 + (3 * s0 - 2 * s1) / 2;
    const a5 = 6 * df - 3 * (d0 + d1) - (s0 - s1) / 2;
    const a2 = s0 / 2;
    out[3 * j] = f0 + u * (d0 + u * (a2 + u * (a3 + u * (a4 + u * a5))));
    out[3 * j + 1] = d0 + u * (2 * a2 + u * (3 * a3 + u * (4 * a4 + u * 5 * a5)));
    out[3 * j + 2] = 2 * a2 + u * (6 * a3 + u * (12 * a4 + u * 20 * a5));
  }
}

const gScratch = new Float64Array(12);
const firstSums: FirstPassSums = {offset: 0, rr: 0, m0: 0, m1: 0, m2: 0, m3: 0};
const secondSums = new Float64Array(6);

// Scratch for the fast path (single-threaded JS: one set per length suffices).
let scratchN = 0;
let recSpec = new Float64Array(0), crossSpec = new Float64Array(0), corr = new Float64Array(0), centered = new Float64Array(0);
let shiftSpec = new Float64Array(0), shifted = new Float64Array(0);

function toMonomials(plan: SevFitPlan, a: ArrayLike<number>): Float64Array {
  const b = new Float64Array(plan.order + 1);
  for (let j = 0; j <= plan.order; j++) for (let p = 0; p <= plan.order; p++) b[p] += a[j] * plan.M[j][p];
  return b;
}

/** ⟨Q_j, v⟩ for j ≤ order from the moments m_p = ⟨x^p, v⟩. */
function project(plan: SevFitPlan, m0: number, m1: number, m2: number, m3: number): Float64Array {
  const {M4, order} = plan;
  const out = new Float64Array(order + 1);
  for (let j = 0; j <= order; j++) out[j] = M4[4 * j] * m0 + M4[4 * j + 1] * m1 + M4[4 * j + 2] * m2 + M4[4 * j + 3] * m3;
  return out;
}

/**
 * lib/dsp/standardEvent.ts `spectralValueAt` (the value at real lag δ of the sequence whose
 * one-sided spectrum is X) and its first two derivatives in δ, in one pass over X, into
 * out[0..2]: Σ Re(X_k e^{iθ_k}), and from θ_k' = 2πk/n the sums of k·Im and k²·Re. e^{iwk} for
 * odd and even k are two interleaved recurrences, each stepped by e^{2iw}: twice as fast as one
 * recurrence whose every step waits for the last (measured 10.6 vs 19.9 µs at n = 16384), equal
 * to rounding. The SEV's alignment keeps the single one, so that the SEV (and the OF built on it)
 * does not move by a rounding-flipped comparison.
 */
function valueAtLag2(X: Float64Array | Float32Array, n: number, delta: number, dc: number, nyq: number, out: Float64Array): void {
  const m = n >> 1;
  const w = (2 * Math.PI * delta) / n;
  const cr = Math.cos(w), ci = Math.sin(w), c2r = Math.cos(2 * w), c2i = Math.sin(2 * w);
  const last = n & 1 ? m + 1 : m;
  // PFFFT's float32 spectrum: the same pass in wasm SIMD (sevFitKernel.ts, the same sums to the bit).
  if (X instanceof Float32Array && 2 * last <= X.length) spectrumLagSums(X, last, cr, ci, c2r, c2i, lagPass);
  else lagSumsReference(X, last, cr, ci, c2r, c2i, lagPass);
  const s0 = lagPass[0], s1 = lagPass[1], s2 = lagPass[2], t0 = lagPass[3], t1 = lagPass[4], t2 = lagPass[5];
  const q = (2 * Math.PI) / n;
  if (n & 1) nyq = 0;
  out[0] = (dc + 2 * (s0 + t0) + nyq * Math.cos(Math.PI * delta)) / n;
  out[1] = (-2 * q * (s1 + t1) - nyq * Math.PI * Math.sin(Math.PI * delta)) / n;
  out[2] = (-2 * q * q * (s2 + t2) - nyq * Math.PI * Math.PI * Math.cos(Math.PI * delta)) / n;
}

/**
 * valueAtLag2's pass over bins 1 … last − 1 of X: the odd bins' phasor e^{iθ_k} starts at (cr, ci),
 * the even bins' at (c2r, c2i), both advance by (c2r, c2i). Into out[0..5]: Σ Re, Σ k·Im, Σ k²·Re
 * over the odd bins, then the same over the even ones. The reference for sevFitKernel.ts's lagSums.
 */
export function lagSumsReference(X: ArrayLike<number>, last: number, cr: number, ci: number, c2r: number, c2i: number, out: Float64Array): void {
  let ar = cr, ai = ci, br = c2r, bi = c2i;
  let s0 = 0, s1 = 0, s2 = 0, t0 = 0, t1 = 0, t2 = 0;
  let k = 1;
  for (; k + 1 < last; k += 2) {
    const xr = X[2 * k], xi = X[2 * k + 1], yr = X[2 * k + 2], yi = X[2 * k + 3];
    const re = xr * ar - xi * ai, im = xr * ai + xi * ar;
    const re2 = yr * br - yi * bi, im2 = yr * bi + yi * br;
    s0 += re;
    s1 += k * im;
    s2 += k * k * re;
    const k2 = k + 1;
    t0 += re2;
    t1 += k2 * im2;
    t2 += k2 * k2 * re2;
    const t = ar * c2r - ai * c2i;
    ai = ar * c2i + ai * c2r;
    ar = t;
    const u = br * c2r - bi * c2i;
    bi = br * c2i + bi * c2r;
    br = u;
  }
  if (k < last) {
    const re = X[2 * k] * ar - X[2 * k + 1] * ai, im = X[2 * k] * ai + X[2 * k + 1] * ar;
    s0 += re;
    s1 += k * im;
    s2 += k * k * re;
  }
  out[0] = s0; out[1] = s1; out[2] = s2; out[3] = t0; out[4] = t1; out[5] = t2;
}

const lagSums = new Float64Array(3);
const lagPass = new Float64Array(6);

/**
 * The shift between lags lo and hi where the score c(δ) − Σ g_j(δ)·pr_j, squared over
 * ss − Σ g_j(δ)², is largest, by Newton's method on its logarithm: from the vertex of the
 * parabola through the three best integer lags, one pass over X per step giving c, c′ and c″
 * (valueAtLag2), g_j and its derivatives from the same quintic as the score (gAt).
 * The point a step leads to is accepted once the step is ≤ 1e-2 sample: 1.7 passes on average
 * where Brent's method to 1e-4 took 7.8 evaluations. The convergence is quadratic, and the shift
 * is then as close to the float64 least squares' χ² minimum as with steps of ≤ 1e-3 (159 pulses:
 * median 3.5e-6 against 3.2e-6 sample, 95 % 1.2e-4 against 1.1e-4): the float32 spectra, not
 * the steps, set that distance.
 * Undefined where Newton's method cannot be trusted (a negative best correlation, a minimum,
 * a step out of [lo, hi], no convergence in 5 steps): the caller then takes Brent's method.
 */
function newtonShift(plan: SevFitPlan, X: Float64Array | Float32Array, dc: number, nyq: number, pr: Float64Array, best: number, fLo: number, fBest: number, fHi: number, lo: number, hi: number): number | undefined {
  const {n, order, ss} = plan;
  const curvature = fLo - 2 * fBest + fHi;
  let d = curvature < 0 ? best + (0.5 * (fLo - fHi)) / curvature : best;
  d = Math.min(hi, Math.max(lo, d));
  for (let step = 0; step < 5; step++) {
    valueAtLag2(X, n, d, dc, nyq, lagSums);
    let num = lagSums[0], num1 = lagSums[1], num2 = lagSums[2], den = ss, den1 = 0, den2 = 0;
    gAt(plan, d, gScratch);
    for (let j = 0; j <= order; j++) {
      const gj = gScratch[3 * j], g1 = gScratch[3 * j + 1], g2 = gScratch[3 * j + 2];
      num -= gj * pr[j];
      num1 -= g1 * pr[j];
      num2 -= g2 * pr[j];
      den -= gj * gj;
      den1 -= 2 * gj * g1;
      den2 -= 2 * (g1 * g1 + gj * g2);
    }
    if (!(num > 0 && den > 0)) return undefined;
    // G = 2 ln num − ln den: the same maximum as num²/den.
    const a1 = num1 / num, b1 = den1 / den;
    const G1 = 2 * a1 - b1, G2 = 2 * (num2 / num - a1 * a1) - (den2 / den - b1 * b1);
    if (!(G2 < 0)) return undefined;
    const next = d - G1 / G2;
    if (!(next >= lo && next <= hi)) return undefined;
    if (Math.abs(next - d) <= 1e-2) return next;
    d = next;
  }
  return undefined;
}

/**
 * phaseRamp's spectrum (n even) written straight into `packed`, in RealTransforms.input's packed
 * order; its loop in WebAssembly (sevFitKernel.ts phaseRamp, the same values to the bit) when
 * `wasm`, else phaseRampReference's.
 */
function phaseRampPacked(S: Float64Array, n: number, d: number, packed: Float32Array, wasm: boolean): void {
  const w = (-2 * Math.PI * d) / n;
  const cr = Math.cos(w), ci = Math.sin(w), c2r = Math.cos(2 * w), c2i = Math.sin(2 * w);
  // DC (its phase 1) and Nyquist are real in the packed order: taken outside the loop.
  packed[0] = S[0];
  if (wasm) spectrumPhaseRamp(S, n, cr, ci, c2r, c2i, packed);
  else phaseRampReference(S, n, cr, ci, c2r, c2i, packed);
  // The Nyquist bin's phase e^{−iπd}, exactly.
  packed[1] = S[n] * Math.cos(Math.PI * d);
}

/**
 * phaseRampPacked's loop: packed[2k], packed[2k + 1] = S_k·e^{ikw} for k in [1, n/2), the
 * phases of odd and even k two interleaved recurrences stepped by e^{2iw} (c2) from e^{iw} (c)
 * and e^{2iw}, as in valueAtLag2 (one waits on the last step's multiply).
 */
export function phaseRampReference(S: Float64Array, n: number, cr: number, ci: number, c2r: number, c2i: number, packed: Float32Array): void {
  const half = n >> 1;
  let zr = cr, zi = ci, yr = c2r, yi = c2i;
  let k = 1;
  for (; k + 1 < half; k += 2) {
    const sr = S[2 * k], si = S[2 * k + 1], tr = S[2 * k + 2], ti = S[2 * k + 3];
    packed[2 * k] = sr * zr - si * zi;
    packed[2 * k + 1] = sr * zi + si * zr;
    packed[2 * k + 2] = tr * yr - ti * yi;
    packed[2 * k + 3] = tr * yi + ti * yr;
    const t = zr * c2r - zi * c2i;
    zi = zr * c2i + zi * c2r;
    zr = t;
    const u = yr * c2r - yi * c2i;
    yi = yr * c2i + yi * c2r;
    yr = u;
  }
  if (k < half) {
    packed[2 * k] = S[2 * k] * zr - S[2 * k + 1] * zi;
    packed[2 * k + 1] = S[2 * k] * zi + S[2 * k + 1] * zr;
  }
}

/** Spectrum S into `out` times e^{−2πikd/n} (the shift by d samples), the phase by a rotation recurrence. */
function phaseRamp(S: Float64Array, n: number, d: number, out: Float64Array): Float64Array {
  const w = (-2 * Math.PI * d) / n;
  const cr = Math.cos(w), ci = Math.sin(w);
  let zr = 1, zi = 0;
  for (let k = 0; k <= n >> 1; k++) {
    const sr = S[2 * k], si = S[2 * k + 1];
    out[2 * k] = sr * zr - si * zi;
    out[2 * k + 1] = sr * zi + si * zr;
    const t = zr * cr - zi * ci;
    zi = zr * ci + zi * cr;
    zr = t;
  }
  out[n + 1] = 0;
  return out;
}

/** Fits one record; see the module comment. */
export function fitRecord(plan: SevFitPlan, record: ArrayLike<number>, options: {truncationLevel_V?: number} = {}): SevFitResult {
  const {n, Q, maxLag, ss, order} = plan;
  if (record.length !== n) throw new RangeError(`record has ${record.length} samples, SEV ${n}`);
  if (options.truncationLevel_V !== undefined) {
    const level = baselineOffset(record, n) + options.truncationLevel_V;
    let over = 0;
    // A non-finite sample is refused here as in the fast path (+∞ would pass for a saturated
    // sample, left out of the fit; NaN and −∞ would enter the masked fit).
    for (let i = 0; i < n; i++) {
      const v = record[i];
      if (v - v !== 0) throw new RangeError("record holds a non-finite sample");
      if (v >= level) over++;
    }
    if (over > 0) return fitTruncated(plan, record, level, n - over);
  }
  if (scratchN !== n) {
    scratchN = n;
    recSpec = new Float64Array(n + 2);
    crossSpec = new Float64Array(n + 2);
    corr = new Float64Array(n);
    centered = new Float64Array(n);
    shiftSpec = new Float64Array(n + 2);
    shifted = new Float64Array(n);
  }
  const r = centered;
  // Projections on the polynomials, ⟨Q_j, r⟩ = Σ_p M_jp·⟨x^p, r⟩, and ⟨r, r⟩ in one pass with
  // x computed, not read: Q's four stored arrays would make it memory-bound.
  const step = n > 1 ? 2 / (n - 1) : 0;
  // With PFFFT the loops write the transforms' input themselves: the very float32 values that
  // rfft/irfft would copy there from r and the spectra, one pass over them fewer each.
  const {transforms} = plan;
  const fused = transforms?.input && transforms.correlateInput && transforms.inverseOfInput && plan.kept !== undefined ? transforms : undefined;
  // r is kept only for the other transforms' input; the last loop computes record[i] − o again.
  const sink = fused ? fused.input!() : r;
  // The fit is that of r − o for the record's baseline o (the mean of its first L/8), o added
  // back to the polynomial at the end: the same fit, and rounding is relative to the pulse, not
  // to a large DC offset.
  // With PFFFT and a float32 record both passes over the samples run in wasm (sevFitKernel.ts:
  // SIMD, the sums in four lanes; the loops below are its reference, equal to rounding).
  const wasm = fused !== undefined && record instanceof Float32Array;
  if (wasm) firstPass(record, sink as Float32Array, firstSums);
  const o = wasm ? firstSums.offset : baselineOffset(record, n);
  let rr = 0, m0 = 0, m1 = 0, m2 = 0, m3 = 0;
  if (wasm) ({rr, m0, m1, m2, m3} = firstSums);
  else for (let i = 0; i < n; i++) {
    const v = record[i] - o;
    sink[i] = v;
    rr += v * v;
    const x = i * step - 1, xv = x * v, xxv = x * xv;
    m0 += v;
    m1 += xv;
    m2 += xxv;
    m3 += x * xxv;
  }
  if (!Number.isFinite(rr)) throw new RangeError("record holds a non-finite sample");
  const pr = project(plan, m0, m1, m2, m3);
  let prpr = 0;
  for (let j = 0; j <= order; j++) prpr += pr[j] * pr[j];

  // Locating the shift: the record's spectrum, the correlation at every integer lag and its
  // value between lags come from the (float32, with PFFFT) transforms; they only rank and
  // locate. The fit at the shift found is computed in float64 below.
  // With PFFFT the cross-spectrum R·conj(S) is multiplied in wasm (float32) and read in the heap
  // in its packed order (DC and Nyquist first; bins 1…n/2−1 where rfft has them), and of the
  // correlation only the lags searched (and one beyond) are copied out.
  let X: Float64Array | Float32Array, dc: number, nyq: number, c: Float64Array;
  if (fused) {
    const {spectrum, inverse: h} = fused.correlateInput!(plan.kept!);
    X = spectrum;
    dc = spectrum[0];
    nyq = spectrum[1];
    const scale = 1 / n;
    for (let lag = -maxLag - 1; lag <= maxLag + 1; lag++) {
      const i = (lag + n) % n;
      corr[i] = h[i] * scale;
    }
    c = corr;
  } else {
    const R = transforms ? transforms.rfft(r, recSpec) : rfft(r, recSpec);
    X = crossSpectrum(R, plan.S, crossSpec);
    dc = X[0];
    nyq = X[n];
    c = transforms ? transforms.irfft(X, corr) : (irfft(X, n, corr) as Float64Array);
  }
  // num·|num|/den: the χ² reduction, signed so that negative pulses are not preferred.
  const score = (cv: number, d: number): number => {
    let num = cv, den = ss;
    gAt(plan, d, gScratch);
    for (let j = 0; j <= order; j++) {
      const gj = gScratch[3 * j];
      num -= gj * pr[j];
      den -= gj * gj;
    }
    return (num * Math.abs(num)) / den;
  };
  // Every integer lag: score() inlined over the tabulated g and the record-independent denominators.
  let bestLag = 0, bestV = -Infinity;
  const {g, den: denAt} = plan;
  const atLag = (lag: number) => {
    const t = lag + maxLag + 2;
    let num = c[(lag + n) % n];
    for (let j = 0; j <= order; j++) num -= g[j][t] * pr[j];
    return (num * Math.abs(num)) / denAt[t];
  };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const v = atLag(lag);
    if (v > bestV) { bestV = v; bestLag = lag; }
  }
  // Between the neighbouring lags, starting from the parabola through the three best; never
  // beyond the lags searched (a record whose best shift is there is fitted at the limit).
  const f = (d: number) => {
    valueAtLag2(X, n, d, dc, nyq, lagSums);
    return score(lagSums[0], d);
  };
  const lo = Math.max(-maxLag, bestLag - 1), hi = Math.min(maxLag, bestLag + 1);
  const fLo = atLag(bestLag - 1), fHi = atLag(bestLag + 1);
  const atLimit = (bestLag === -maxLag && fLo > bestV) || (bestLag === maxLag && fHi > bestV);
  const delta = atLimit ? bestLag : (newtonShift(plan, X, dc, nyq, pr, bestLag, fLo, bestV, fHi, lo, hi) ?? brentMax(f, lo, hi, 1e-4, {x: bestLag, w: bestLag - 1, fw: fLo, v: bestLag + 1, fv: fHi}).x);

  // The fit at δ, in float64 against the SEV shifted there (s̃: its Fourier shift, through the
  // same transform): h, the polynomial and χ² = ‖r⊥‖² − ⟨r⊥, s̃⊥⟩²/‖s̃⊥‖² (⊥: orthogonal to the
  // polynomials) from inner products with s̃ itself, so that χ² is exactly that of the fit of s̃.
  // χ² is a small difference of large sums for a big pulse: had ⟨r, s̃⟩ been taken from the
  // float32 spectrum, its rounding (1e-7) would reach the RMS as 1e-7·SNR²; s̃'s own rounding
  // only changes the template by 1e-7 of its norm.
  // With PFFFT s̃ is read in the heap (n·s̃ there, unscaled), not copied out first.
  let sd: Float64Array | Float32Array, sdScale = 1;
  if (fused) {
    phaseRampPacked(plan.S, n, delta, fused.input!(), wasm);
    sd = fused.inverseOfInput!();
    sdScale = 1 / n;
  } else sd = transforms ? transforms.irfft(phaseRamp(plan.S, n, delta, shiftSpec), shifted) : (irfft(phaseRamp(plan.S, n, delta, shiftSpec), n, shifted) as Float64Array);
  let rs = 0, sq = 0;
  m0 = m1 = m2 = m3 = 0;
  if (wasm) {
    secondPass(sd as Float32Array, o, sdScale, secondSums);
    const t = secondSums;
    rs = t[0]; sq = t[1]; m0 = t[2]; m1 = t[3]; m2 = t[4]; m3 = t[5];
  } else for (let i = 0; i < n; i++) {
    const v = sd[i] * sdScale;
    rs += (record[i] - o) * v;
    sq += v * v;
    const x = i * step - 1, xv = x * v, xxv = x * xv;
    m0 += v;
    m1 += xv;
    m2 += xxv;
    m3 += x * xxv;
  }
  const gs = project(plan, m0, m1, m2, m3);
  let num = rs, den = sq;
  for (let j = 0; j <= order; j++) {
    num -= gs[j] * pr[j];
    den -= gs[j] * gs[j];
  }
  const h = num / den;
  const chi2 = rr - prpr - h * num;
  const a = new Float64Array(order + 1);
  for (let j = 0; j <= order; j++) a[j] = pr[j] - h * gs[j];
  const baseline = toMonomials(plan, a);
  baseline[0] += o;
  return {
    height_V: h,
    onsetShift_ms: (delta * 1000) / plan.layout.sampleFrequency_Hz,
    rms_V: Math.sqrt(Math.max(chi2, 0) / n),
    baseline_V: baseline,
    truncated: false,
    samplesUsed: n
  };
}

/** Masked least squares of record against shifted SEV `sd` + polynomial, over samples with record < level. */
function maskedSolve(plan: SevFitPlan, record: ArrayLike<number>, level: number, sd: (i: number) => number): {x: Float64Array; chi2: number} | undefined {
  const {n, Q, order} = plan;
  const m = order + 2;
  const A = Array.from({length: m}, () => new Float64Array(m));
  const b = new Float64Array(m);
  let rr = 0;
  const basis = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const r = record[i];
    if (r >= level) continue;
    basis[0] = sd(i);
    for (let j = 0; j <= order; j++) basis[j + 1] = Q[j][i];
    rr += r * r;
    for (let p = 0; p < m; p++) {
      const bp = basis[p];
      b[p] += bp * r;
      for (let q = p; q < m; q++) A[p][q] += bp * basis[q];
    }
  }
  for (let p = 0; p < m; p++) for (let q = 0; q < p; q++) A[p][q] = A[q][p];
  const x = solve(A, b);
  if (!x) return undefined;
  let xb = 0;
  for (let p = 0; p < m; p++) xb += x[p] * b[p];
  return {x, chi2: rr - xb};
}

function fitTruncated(plan: SevFitPlan, record: ArrayLike<number>, level: number, used: number): SevFitResult {
  const {n, maxLag, sev} = plan;
  if (used < plan.order + 3) throw new RangeError(`truncated fit: only ${used} samples below the truncation level`);
  const chiAtLag = (lag: number) => {
    const res = maskedSolve(plan, record, level, (i) => sev[(i - lag + n) % n]);
    return res ? -res.chi2 : -Infinity;
  };
  // Coarse lags, then every lag around the best coarse one.
  const step = Math.max(1, Math.floor(maxLag / 16));
  let best = 0, bestV = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag += step) {
    const v = chiAtLag(lag);
    if (v > bestV) { bestV = v; best = lag; }
  }
  const lo = Math.max(-maxLag, best - step), hi = Math.min(maxLag, best + step);
  for (let lag = lo; lag <= hi; lag++) {
    const v = chiAtLag(lag);
    if (v > bestV) { bestV = v; best = lag; }
  }
  // Fourier-shifted SEV at fractional lags.
  const shifted = new Float64Array(n);
  const spec = new Float64Array(n + 2);
  const shiftSev = (d: number) => shiftedSev(plan, d, spec, shifted);
  const at = (d: number) => {
    const sd = shiftSev(d);
    return maskedSolve(plan, record, level, (i) => sd[i]);
  };
  const delta = brentMax((d) => {
    const r = at(d);
    return r ? -r.chi2 : -Infinity;
  }, best - 1, best + 1, 1e-3).x;
  const res = at(delta);
  if (!res) throw new RangeError("truncated fit is singular");
  return {
    height_V: res.x[0],
    onsetShift_ms: (delta * 1000) / plan.layout.sampleFrequency_Hz,
    rms_V: Math.sqrt(Math.max(res.chi2, 0) / used),
    baseline_V: toMonomials(plan, res.x.subarray(1)),
    truncated: true,
    samplesUsed: used
  };
}

/** The SEV shifted by `d` samples (a phase ramp on its spectrum), into `out`; `spec` is scratch (n + 2). */
function shiftedSev(plan: SevFitPlan, d: number, spec: Float64Array, out: Float64Array): Float64Array {
  const {n} = plan;
  const w = (-2 * Math.PI * d) / n;
  for (let k = 0; k <= n / 2; k++) {
    const cr = Math.cos(w * k), ci = Math.sin(w * k);
    spec[2 * k] = plan.S[2 * k] * cr - plan.S[2 * k + 1] * ci;
    spec[2 * k + 1] = plan.S[2 * k] * ci + plan.S[2 * k + 1] * cr;
  }
  spec[n + 1] = 0;
  return irfft(spec, n, out) as Float64Array;
}

/** The fitted curve h·s_δ + baseline on the record grid (for plots). */
export function sevFitCurve(plan: SevFitPlan, fit: SevFitResult): Float64Array {
  const {n} = plan;
  const d = (fit.onsetShift_ms * plan.layout.sampleFrequency_Hz) / 1000;
  const out = shiftedSev(plan, d, new Float64Array(n + 2), new Float64Array(n));
  const b = fit.baseline_V;
  for (let i = 0; i < n; i++) {
    const x = n > 1 ? (2 * i) / (n - 1) - 1 : 0;
    let p = 0;
    for (let k = b.length - 1; k >= 0; k--) p = p * x + b[k];
    out[i] = fit.height_V * out[i] + p;
  }
  return out;
}

export const SEV_FIT_COLUMNS = [
  {name: "fit_height_V", unit: "V", description: "Height of the SEV fitted to the record (SEV normalised to maximum 1), cait sev_fit_par[0]"},
  {name: "fit_onset_shift_ms", unit: "ms", description: "Shift of the fitted SEV against the SEV's own position, cait sev_fit_par[1]"},
  {name: "fit_rms_V", unit: "V", description: "RMS of the fit residual over the samples used (truncated fits: samples below the truncation level)"}
] as const;

/** The SEV-fit columns of one chunk, event-major rows like lib/dsp/features.ts: row = i·nChannels + c. */
export interface SevFitColumns {
  rows: number;
  event: Int32Array;
  channel: Int32Array;
  fit_height_V: Float64Array;
  fit_onset_shift_ms: Float64Array;
  fit_rms_V: Float64Array;
}

/**
 * SEV fit of every record of a chunk. `sevPerChannel[c]` is channel c's SEV (or a prepared
 * plan); `truncationLevel_V` (one value, or one per channel; undefined = never truncate).
 */
export function sevFitFeatures(
  chunk: EventChunk,
  sevPerChannel: ReadonlyArray<ArrayLike<number> | SevFitPlan>,
  layout: RecordLayout,
  options: SevFitOptions & {truncationLevel_V?: number | ReadonlyArray<number | undefined>} = {}
): SevFitColumns {
  const {count, nChannels} = chunk;
  if (sevPerChannel.length !== nChannels) throw new RangeError(`${sevPerChannel.length} SEVs for ${nChannels} channels`);
  const plans = sevPerChannel.map((s) => ("S" in s && "Q" in s ? (s as SevFitPlan) : prepareSevFit(s as ArrayLike<number>, layout, options)));
  const rows = count * nChannels;
  const t: SevFitColumns = {
    rows,
    event: new Int32Array(rows),
    channel: new Int32Array(rows),
    fit_height_V: new Float64Array(rows),
    fit_onset_shift_ms: new Float64Array(rows),
    fit_rms_V: new Float64Array(rows)
  };
  const lv = options.truncationLevel_V;
  for (let c = 0; c < nChannels; c++) {
    const level = typeof lv === "number" ? lv : lv?.[c];
    for (let i = 0; i < count; i++) {
      const row = i * nChannels + c;
      let fit: SevFitResult;
      try {
        fit = fitRecord(plans[c], chunkRecord(chunk, c, i), {truncationLevel_V: level});
      } catch (e) {
        throw new Error(`${chunk.group} event ${chunk.start + i}, channel ${c}: ${(e as Error).message}`);
      }
      t.event[row] = chunk.start + i;
      t.channel[row] = c;
      t.fit_height_V[row] = fit.height_V;
      t.fit_onset_shift_ms[row] = fit.onsetShift_ms;
      t.fit_rms_V[row] = fit.rms_V;
    }
  }
  return t;
}
