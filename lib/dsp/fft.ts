// Real FFTs of power-of-two length, cached per size.
// Why fft.js: small, dependency-free, well kept, and one of the fastest pure-JS FFTs (radix-4,
// precomputed twiddles and bit reversal); it works on plain indexable arrays, so typed arrays
// serve as its buffers and nothing is allocated per call.
import FFT from "fft.js";
import type {FloatArray} from "../types.js";

interface Plan {
  fft: FFT;
  a: Float64Array;
  b: Float64Array;
  /** cos, sin of 2πk/(2·size) for k < size: the twiddles that unpack a real transform of 2·size. */
  twiddle: Float64Array;
}
const plans = new Map<number, Plan>();

function plan(size: number): Plan {
  let p = plans.get(size);
  if (!p) {
    const twiddle = new Float64Array(2 * size);
    for (let k = 0; k < size; k++) {
      twiddle[2 * k] = Math.cos((Math.PI * k) / size);
      twiddle[2 * k + 1] = Math.sin((Math.PI * k) / size);
    }
    p = {fft: new FFT(size), a: new Float64Array(2 * size), b: new Float64Array(2 * size), twiddle};
    plans.set(size, p);
  }
  return p;
}

function checkSize(n: number): void {
  if (!Number.isInteger(n) || n < 4 || (n & (n - 1)) !== 0) {
    throw new RangeError(`FFT length must be a power of two ≥ 4, got ${n}`);
  }
}

/**
 * Forward real FFT (no scaling): `out[2k], out[2k+1]` = re, im of bin k for k = 0..n/2.
 * `x.length` must be a power of two.
 */
export function rfft(x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = x.length;
  checkSize(n);
  const res = out ?? new Float64Array(n + 2);
  if (res.length < n + 2) throw new RangeError(`rfft output needs ${n + 2} values, got ${res.length}`);
  const p = plan(n);
  p.fft.realTransform(p.a, x);
  for (let i = 0; i < n + 2; i++) res[i] = p.a[i];
  return res;
}

/**
 * Inverse of `rfft` (scaled by 1/n): `spec` holds n/2+1 interleaved bins; the imaginary parts
 * of DC and Nyquist are ignored. Done as one complex FFT of length n/2 (even/odd packing),
 * half the work of a full-length complex inverse.
 */
export function irfft(spec: ArrayLike<number>, n: number, out?: FloatArray): FloatArray {
  checkSize(n);
  if (spec.length < n + 2) throw new RangeError(`irfft needs ${n / 2 + 1} bins (${n + 2} values), got ${spec.length}`);
  const res = out ?? new Float64Array(n);
  if (res.length < n) throw new RangeError(`irfft output needs ${n} values, got ${res.length}`);
  const m = n >> 1;
  const p = plan(m);
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
  p.fft.inverseTransform(p.b, z);
  const zb = p.b;
  for (let j = 0; j < m; j++) {
    res[2 * j] = zb[2 * j];
    res[2 * j + 1] = zb[2 * j + 1];
  }
  return res;
}
