// Sample moments of a record: two passes (mean, then central sums) so that a large DC level
// does not cancel away the variance.

/** Mean of x[start, end). */
export function meanOf(x: ArrayLike<number>, start = 0, end = x.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += x[i];
  return sum / (end - start);
}

export interface Moments {
  mean: number;
  /** Population variance (divides by n, like numpy's `var`). */
  variance: number;
  /** Sample skewness g1 = m3 / m2^1.5 (scipy's `skew` with bias=True); 0 when m2 is 0. */
  skewness: number;
}

/** Mean, population variance and skewness; pass `mean` when it is already known. */
export function moments(x: ArrayLike<number>, mean = meanOf(x)): Moments {
  const n = x.length;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
  }
  m2 /= n;
  m3 /= n;
  return {mean, variance: m2, skewness: m2 > 0 ? m3 / (m2 * Math.sqrt(m2)) : 0};
}
