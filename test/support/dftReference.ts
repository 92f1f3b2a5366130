// Independent references for the FFT tests: a naive DFT and a spectral product computed bin by
// bin, so that each transform path is checked against arithmetic it does not share.
import {irfft, rfft, rfftBins} from "../../lib/dsp/fft.js";

/**
 * Largest |naive DFT − X| over `bins` (default: all n/2+1 of a real transform), relative to the
 * largest |naive DFT|; the angle is reduced mod n exactly.
 */
export function naiveDftError(x: ArrayLike<number>, X: ArrayLike<number>, bins: Iterable<number> = Array.from({length: rfftBins(x.length)}, (_, k) => k)): number {
  const n = x.length;
  const cos = Float64Array.from({length: n}, (_, j) => Math.cos((2 * Math.PI * j) / n));
  const sin = Float64Array.from({length: n}, (_, j) => Math.sin((2 * Math.PI * j) / n));
  let err = 0, scale = 0;
  for (const k of bins) {
    let re = 0, im = 0;
    for (let j = 0, a = 0; j < n; j++, a = (a + k) % n) {
      re += x[j] * cos[a];
      im -= x[j] * sin[a];
    }
    err = Math.max(err, Math.hypot(re - X[2 * k], im - X[2 * k + 1]));
    scale = Math.max(scale, Math.hypot(re, im));
  }
  return err / scale;
}

/** irfft(rfft(x)·H) in float64, the product taken bin by bin (DC and an even n's Nyquist real). */
export function filteredReference(x: Float64Array, H: ArrayLike<number>): Float64Array {
  const n = x.length;
  const spec = rfft(x);
  for (let k = 0; k < rfftBins(n); k++) {
    const edge = k === 0 || 2 * k === n;
    const a = spec[2 * k], b = edge ? 0 : spec[2 * k + 1], c = H[2 * k], d = edge ? 0 : H[2 * k + 1];
    spec[2 * k] = a * c - b * d;
    spec[2 * k + 1] = a * d + b * c;
  }
  return irfft(spec, n) as Float64Array;
}
