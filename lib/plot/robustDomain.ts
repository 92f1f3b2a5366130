// Axis domains that show the bulk of the data: a few records with rise times of 140–210 ms
// must not squash 200 pulses at 1.5 ms into one pixel row. The bulk is the central 90 % (the
// 5 % and 95 % quantiles); the domain reaches `reach` bulk widths beyond it on each side, cut to
// the data's extent, so a real tail (saturated pulses at 3 V beside a bulk below 1 V) stays
// inside while values a hundred times off do not. Values beyond the domain are counted, and the
// figure draws them clamped at the edge and marked (rasterScatter's `clamp`).

import {quickselect} from "d3";

export type AxisType = "linear" | "log";

/**
 * The p-quantile of `t` as d3.quantileSorted gives it on the sorted values (linear between the
 * order statistics around (n − 1)·p), found by quickselect in O(n) rather than a sort: 200,000
 * values per axis on every first render. Reorders `t`.
 */
function selectQuantile(t: Float64Array, p: number, min: number, max: number): number {
  const n = t.length;
  if (p <= 0 || n < 2) return min;
  if (p >= 1) return max;
  const i = (n - 1) * p, i0 = Math.floor(i);
  // d3 reads any array-like; its types ask for an Array.
  quickselect(t as unknown as number[], i0);
  let v0 = -Infinity, v1 = Infinity;
  for (let k = 0; k <= i0; ++k) if (t[k] > v0) v0 = t[k];
  for (let k = i0 + 1; k < n; ++k) if (t[k] < v1) v1 = t[k];
  return i0 + 1 < n ? v0 + (v1 - v0) * (i - i0) : v0;
}

export interface RobustDomainOptions {
  /** Lower and upper quantile of the bulk (default 5 % and 95 %); [0, 1] gives the full extent. */
  quantiles?: [number, number];
  /** How far the domain reaches beyond the bulk on each side, in bulk widths (default 2). */
  reach?: number;
  /** Margin added on both sides, as a fraction of the domain's width (default 0.03). */
  pad?: number;
  /** "log": computed on log10 of the positive values; non-positive values count as below. */
  type?: AxisType;
}

export interface RobustDomain {
  domain: [number, number];
  /** How many finite values lie below / above the domain (drawn clamped at its edge). */
  below: number;
  above: number;
}

/**
 * The domain of `values` (NaN and ±Infinity ignored) for an axis of `type`, robust to a few
 * outliers. Falls back to [0, 1] (linear) or [0.1, 10] (log) when there is nothing to show, and
 * widens a single value to a visible interval.
 */
export function robustDomain(values: ArrayLike<number>, options: RobustDomainOptions = {}): RobustDomain {
  const {quantiles: [qLo, qHi] = [0.05, 0.95], reach = 2, pad = 0.03, type = "linear"} = options;
  if (!(qLo >= 0 && qLo < qHi && qHi <= 1)) throw new RangeError(`robustDomain: quantiles must satisfy 0 ≤ lo < hi ≤ 1, got [${qLo}, ${qHi}]`);
  const log = type === "log";
  const kept = new Float64Array(values.length);
  let m = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    if (Number.isFinite(v) && (!log || v > 0)) {
      const u = log ? Math.log10(v) : v;
      kept[m++] = u;
      if (u < min) min = u;
      if (u > max) max = u;
    }
  }
  const t = kept.subarray(0, m);
  const back = (u: number) => (log ? 10 ** u : u);
  let lo: number, hi: number;
  if (t.length === 0) {
    [lo, hi] = log ? [-1, 1] : [0, 1];
  } else {
    const [bLo, bHi] = [selectQuantile(t, qLo, min, max), selectQuantile(t, qHi, min, max)];
    // A bulk of one repeated value has no width: measure the reach on the full extent then.
    const span = bHi - bLo || max - min;
    lo = Math.max(min, bLo - reach * span);
    hi = Math.min(max, bHi + reach * span);
    if (lo === hi) {
      const half = log ? 0.5 : 0.5 * (Math.abs(lo) || 1);
      [lo, hi] = [lo - half, hi + half];
    } else {
      const d = (hi - lo) * pad;
      [lo, hi] = [lo - d, hi + d];
    }
  }
  const domain: [number, number] = [back(lo), back(hi)];
  let below = 0, above = 0;
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < domain[0] || (log && v <= 0)) ++below;
    else if (v > domain[1]) ++above;
  }
  return {domain, below, above};
}
