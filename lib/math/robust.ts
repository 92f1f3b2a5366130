// Robust statistics over typed arrays: median, MAD, quantiles of sorted data, a running median.
// NaN is not filtered here (callers drop non-finite values first); a typed-array sort puts it last.
import {quantileSorted as d3QuantileSorted} from "d3";

/** Median: the middle value, or the mean of the two middle values. */
export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Median absolute deviation from `centre` (the median by default); × 1.4826 for a Gaussian σ. */
export function mad(values: ArrayLike<number>, centre = median(values)): number {
  return median(Float64Array.from(values, (v) => Math.abs(v - centre)));
}

/** Quantile q of ascending `sorted` with linear interpolation (d3's, R-7); NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  return d3QuantileSorted(sorted as ArrayLike<number> as number[], q) ?? NaN;
}

/** Median over a window of k samples around each one; the window shrinks symmetrically at the
 *  ends so that the median stays centred (no bias on a trend). */
export function runningMedian(x: ArrayLike<number>, k: number): Float64Array {
  if (k <= 1) return Float64Array.from(x);
  const half = k >> 1;
  const out = new Float64Array(x.length);
  const buf: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const h = Math.min(half, i, x.length - 1 - i);
    buf.length = 0;
    for (let j = i - h; j <= i + h; j++) buf.push(x[j]);
    buf.sort((a, b) => a - b);
    out[i] = buf[h];
  }
  return out;
}
