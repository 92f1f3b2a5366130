// The leading-baseline mean that record preparations subtract: one loop, summed in order, so that
// the SEV, the NPS, the SEV fit and the optimum filter remove the same value to the bit.

/** Mean of x[0, m) (m ≥ 1), summed in order. */
export function leadingMean(x: ArrayLike<number>, m: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) s += x[i];
  return s / m;
}

/** cait's baseline length in a record of n samples: the first ⌊n/8⌋, at least one. */
export const baselineSamples = (n: number): number => Math.max(1, n >> 3);

/** cait's baseline: the mean of the first baselineSamples(n) samples of a record of n. */
export function baselineOffset(x: ArrayLike<number>, n = x.length): number {
  return leadingMean(x, baselineSamples(n));
}
