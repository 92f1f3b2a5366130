// One-sided power spectral densities of records, in V²/Hz.
import {oneSidedWeight, rfft} from "./fft.js";

/** Frequencies of the n/2+1 one-sided bins, in Hz. */
export function psdFrequencies_Hz(n: number, sampleFrequency_Hz: number): Float64Array {
  const f = new Float64Array((n >> 1) + 1);
  for (let k = 0; k < f.length; k++) f[k] = (k * sampleFrequency_Hz) / n;
  return f;
}

const specs = new Map<number, Float64Array>();

/**
 * One-sided periodogram |X_k|²·c_k/(fs·n) with c_k = 2 except at DC and Nyquist, so that
 * Σ psd · fs/n equals the mean square of the record (its variance when it has zero mean).
 * No window and no mean removal: callers decide.
 */
export function periodogram(record: ArrayLike<number>, sampleFrequency_Hz: number, out?: Float64Array): Float64Array {
  const n = record.length;
  let spec = specs.get(n);
  if (!spec) specs.set(n, (spec = new Float64Array(n + 2)));
  rfft(record, spec);
  const h = n >> 1;
  const psd = out ?? new Float64Array(h + 1);
  const scale = 1 / (sampleFrequency_Hz * n);
  for (let k = 0; k <= h; k++) {
    const p = (spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1]) * scale;
    psd[k] = oneSidedWeight(k, n) * p;
  }
  return psd;
}

/** Mean periodogram of equally long records, in V²/Hz. */
export function meanPsd(records: Iterable<ArrayLike<number>>, sampleFrequency_Hz: number): Float64Array {
  let sum: Float64Array | undefined;
  let one: Float64Array | undefined;
  let count = 0;
  for (const r of records) {
    if (!sum) {
      sum = new Float64Array((r.length >> 1) + 1);
      one = new Float64Array(sum.length);
    } else if ((r.length >> 1) + 1 !== sum.length) {
      throw new RangeError(`meanPsd: records differ in length (${r.length})`);
    }
    periodogram(r, sampleFrequency_Hz, one);
    for (let k = 0; k < sum.length; k++) sum[k] += one![k];
    count++;
  }
  if (!sum) throw new RangeError("meanPsd: no records");
  for (let k = 0; k < sum.length; k++) sum[k] /= count;
  return sum;
}
