// Real FFTs of any length n ≥ 2, float64, cached per size.
//
// Powers of two: fft.js — small, dependency-free, well kept, one of the fastest pure-JS FFTs
// (radix-4, precomputed twiddles and bit reversal); it works on plain indexable arrays, so typed
// arrays serve as its buffers and nothing is allocated per call. This path is unchanged from
// the power-of-two-only version (results bit-identical).
//
// Other lengths (6250 = 2·5⁵, 10000, 3·2¹⁰, primes …) need a float64 transform of any size. The
// installed mixed-radix library, @echogarden/kissfft-wasm, computes in float32 (≈ 1e-7 relative,
// measured) and loads asynchronously, while this module is the synchronous float64 reference
// (SEV, NPS, filter design, comparisons with cait); so, hand-written:
//  - lengths whose prime factors are ≤ 61: Stockham mixed-radix stages (lib/dsp/fftMixedRadix.ts);
//  - others (large prime factors): Bluestein's chirp-z algorithm, a DFT of any length m as a
//    circular convolution of length M = 2^⌈log₂(2m−1)⌉ done with fft.js (4 transforms of M).
// Both keep float64 accuracy (≈ 1e-15 relative; test/anyLength.test.ts against a naive DFT).
// Even n is packed into a complex transform of n/2 (the same even/odd packing as irfft),
// halving the cost.
//
// Layout for every n: `rfft` returns bins k = 0..⌊n/2⌋ interleaved re, im (2·⌊n/2⌋ + 2 values;
// allocating n + 2 always suffices). For even n the last bin is Nyquist (real); for odd n there
// is no Nyquist bin and every bin but DC stands for itself and its conjugate: see
// `oneSidedWeight`.
import FFT from "fft.js";
import type {FloatArray} from "../types.js";
import {mixedRadixPlan} from "./fftMixedRadix.js";

/** Number of one-sided bins of a real transform of length n: ⌊n/2⌋ + 1. */
export function rfftBins(n: number): number {
  return (n >> 1) + 1;
}

/**
 * How many bins of the full n-point spectrum bin k of the one-sided spectrum stands for: 1 for
 * DC and (even n) Nyquist, 2 otherwise. Σ_k weight·|X_k|² = Σ_full |X|² (Parseval).
 */
export function oneSidedWeight(k: number, n: number): number {
  return k === 0 || 2 * k === n ? 1 : 2;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** A complex DFT of length m on interleaved re, im arrays; `inverse` is scaled by 1/m. */
interface ComplexPlan {
  forward(out: Float64Array, data: Float64Array): void;
  inverse(out: Float64Array, data: Float64Array): void;
}

const fftJs = new Map<number, FFT>();
function fftJsOf(m: number): FFT {
  let f = fftJs.get(m);
  if (!f) fftJs.set(m, (f = new FFT(m)));
  return f;
}

/**
 * Bluestein: with w_j = e^{−iπj²/m}, e^{−2πijk/m} = w_j·w_k·conj(w_{k−j}), so
 * X_k = w_k · Σ_j (x_j w_j)·conj(w_{k−j}): a convolution with the chirp conj(w), circular in M ≥ 2m − 1.
 */
function bluestein(m: number): ComplexPlan {
  let M = 2;
  while (M < 2 * m - 1) M <<= 1;
  const f = fftJsOf(M);
  // The chirp, with j² reduced mod 2m first so the angle stays exact for large j.
  const w = new Float64Array(2 * m);
  for (let j = 0; j < m; j++) {
    const a = (Math.PI * ((j * j) % (2 * m))) / m;
    w[2 * j] = Math.cos(a);
    w[2 * j + 1] = -Math.sin(a);
  }
  // B = FFT_M(b), b_l = conj(w_|l|) at l and M − l.
  const b = new Float64Array(2 * M);
  for (let j = 0; j < m; j++) {
    b[2 * j] = w[2 * j];
    b[2 * j + 1] = -w[2 * j + 1];
    if (j > 0) {
      b[2 * (M - j)] = w[2 * j];
      b[2 * (M - j) + 1] = -w[2 * j + 1];
    }
  }
  const B = new Float64Array(2 * M);
  f.transform(B, b);
  const u = new Float64Array(2 * M), v = new Float64Array(2 * M);
  /** out = DFT(data) (sign −1) or, with conj, m·IDFT(data) via conj(DFT(conj data)). */
  function run(out: Float64Array, data: Float64Array, conj: number, scale: number): void {
    u.fill(0);
    for (let j = 0; j < m; j++) {
      const xr = data[2 * j], xi = conj * data[2 * j + 1], wr = w[2 * j], wi = w[2 * j + 1];
      u[2 * j] = xr * wr - xi * wi;
      u[2 * j + 1] = xr * wi + xi * wr;
    }
    f.transform(v, u);
    for (let i = 0; i < M; i++) {
      const ar = v[2 * i], ai = v[2 * i + 1], br = B[2 * i], bi = B[2 * i + 1];
      v[2 * i] = ar * br - ai * bi;
      v[2 * i + 1] = ar * bi + ai * br;
    }
    f.inverseTransform(u, v);
    for (let k = 0; k < m; k++) {
      const cr = u[2 * k], ci = u[2 * k + 1], wr = w[2 * k], wi = w[2 * k + 1];
      out[2 * k] = (cr * wr - ci * wi) * scale;
      out[2 * k + 1] = conj * (cr * wi + ci * wr) * scale;
    }
  }
  return {
    forward: (out, data) => run(out, data, 1, 1),
    inverse: (out, data) => run(out, data, -1, 1 / m)
  };
}

const complexPlans = new Map<number, ComplexPlan>();
function complexPlan(m: number): ComplexPlan {
  let p = complexPlans.get(m);
  if (!p) {
    if (isPowerOfTwo(m) && m >= 2) {
      const f = fftJsOf(m);
      p = {forward: (out, data) => f.transform(out, data), inverse: (out, data) => f.inverseTransform(out, data)};
    } else {
      p = mixedRadixPlan(m) ?? bluestein(m);
    }
    complexPlans.set(m, p);
  }
  return p;
}

interface Plan {
  a: Float64Array;
  b: Float64Array;
  /** cos, sin of 2πk/n for k < n/2 (even n): the twiddles that (un)pack a real transform of n from a complex one of n/2. */
  twiddle: Float64Array;
}
const plans = new Map<number, Plan>();

/** Buffers and twiddles of a real transform of length n. */
function plan(n: number): Plan {
  let p = plans.get(n);
  if (!p) {
    const m = n >> 1;
    const even = (n & 1) === 0;
    const twiddle = new Float64Array(even ? n : 0);
    for (let k = 0; even && k < m; k++) {
      twiddle[2 * k] = Math.cos((Math.PI * k) / m);
      twiddle[2 * k + 1] = Math.sin((Math.PI * k) / m);
    }
    // Even n: complex buffers of n/2; odd n: of n (a plain complex transform of real data).
    const c = even ? n : 2 * n;
    p = {a: new Float64Array(c), b: new Float64Array(c), twiddle};
    plans.set(n, p);
  }
  return p;
}

function checkSize(n: number): void {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`FFT length must be an integer ≥ 2, got ${n}`);
}

/**
 * Forward real FFT (no scaling): `out[2k], out[2k+1]` = re, im of bin k for k = 0..⌊n/2⌋
 * (n = x.length, any integer ≥ 2; `out` needs 2·⌊n/2⌋ + 2 values, n + 2 always suffices).
 */
export function rfft(x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = x.length;
  checkSize(n);
  const bins = rfftBins(n);
  const res = out ?? new Float64Array(n + 2);
  if (res.length < 2 * bins) throw new RangeError(`rfft output needs ${2 * bins} values, got ${res.length}`);
  if (isPowerOfTwo(n) && n >= 4) {
    const f = fftJsOf(n);
    const a = pow2Scratch(n);
    f.realTransform(a, x);
    for (let i = 0; i < n + 2; i++) res[i] = a[i];
    return res;
  }
  const p = plan(n);
  if (n & 1) {
    const z = p.a;
    for (let j = 0; j < n; j++) {
      z[2 * j] = x[j];
      z[2 * j + 1] = 0;
    }
    complexPlan(n).forward(p.b, z);
    for (let i = 0; i < 2 * bins; i++) res[i] = p.b[i];
    return res;
  }
  // Even n: Z = DFT_m(x[2j] + i·x[2j+1]); X_k = E_k + e^{−2πik/n}·O_k with
  // E_k = (Z_k + conj Z_{m−k})/2, O_k = (Z_k − conj Z_{m−k})/(2i).
  const m = n >> 1;
  const z = p.a;
  for (let j = 0; j < m; j++) {
    z[2 * j] = x[2 * j];
    z[2 * j + 1] = x[2 * j + 1];
  }
  complexPlan(m).forward(p.b, z);
  const Z = p.b, tw = p.twiddle;
  for (let k = 0; k <= m; k++) {
    const k1 = k === m ? 0 : k, k2 = k === 0 ? 0 : m - k;
    const ar = Z[2 * k1], ai = Z[2 * k1 + 1], br = Z[2 * k2], bi = -Z[2 * k2 + 1];
    const er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);
    // O = (A − B)/(2i) = (ai − bi)/2 − i(ar − br)/2
    const or = 0.5 * (ai - bi), oi = -0.5 * (ar - br);
    const c = k === m ? -1 : tw[2 * k], s = k === m ? 0 : -tw[2 * k + 1];
    res[2 * k] = er + or * c - oi * s;
    res[2 * k + 1] = ei + or * s + oi * c;
  }
  return res;
}

const pow2Scratches = new Map<number, Float64Array>();
function pow2Scratch(n: number): Float64Array {
  let a = pow2Scratches.get(n);
  if (!a) pow2Scratches.set(n, (a = new Float64Array(2 * n)));
  return a;
}

/**
 * Inverse of `rfft` (scaled by 1/n): `spec` holds ⌊n/2⌋+1 interleaved bins; the imaginary parts
 * of DC and (even n) Nyquist are ignored. Even n: one complex transform of length n/2
 * (even/odd packing), half the work of a full-length complex inverse.
 */
export function irfft(spec: ArrayLike<number>, n: number, out?: FloatArray): FloatArray {
  checkSize(n);
  const bins = rfftBins(n);
  if (spec.length < 2 * bins) throw new RangeError(`irfft needs ${bins} bins (${2 * bins} values), got ${spec.length}`);
  const res = out ?? new Float64Array(n);
  if (res.length < n) throw new RangeError(`irfft output needs ${n} values, got ${res.length}`);
  const p = plan(n);
  if (n & 1) {
    // Odd n: the full Hermitian spectrum, one complex inverse of length n, real part.
    const z = p.a;
    z[0] = spec[0];
    z[1] = 0;
    for (let k = 1; k < bins; k++) {
      z[2 * k] = z[2 * (n - k)] = spec[2 * k];
      z[2 * k + 1] = spec[2 * k + 1];
      z[2 * (n - k) + 1] = -spec[2 * k + 1];
    }
    complexPlan(n).inverse(p.b, z);
    for (let j = 0; j < n; j++) res[j] = p.b[2 * j];
    return res;
  }
  const m = n >> 1;
  const z = p.a;
  // E[k] = (X[k] + conj X[m−k])/2, O[k] = (X[k] − conj X[m−k])·e^{+2πik/n}/2, Z[k] = E[k] + i·O[k].
  const tw = p.twiddle;
  for (let k = 0; k < m; k++) {
    const xr = spec[2 * k], xi = k === 0 ? 0 : spec[2 * k + 1];
    const yr = spec[2 * (m - k)], yi = k === 0 ? 0 : -spec[2 * (m - k) + 1];
    const er = 0.5 * (xr + yr), ei = 0.5 * (xi + yi);
    const dr = 0.5 * (xr - yr), di = 0.5 * (xi - yi);
    const c = tw[2 * k], s = tw[2 * k + 1];
    const or = dr * c - di * s, oi = dr * s + di * c;
    z[2 * k] = er - oi;
    z[2 * k + 1] = ei + or;
  }
  complexPlan(m).inverse(p.b, z);
  const zb = p.b;
  for (let j = 0; j < m; j++) {
    res[2 * j] = zb[2 * j];
    res[2 * j + 1] = zb[2 * j + 1];
  }
  return res;
}
