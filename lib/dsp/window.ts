// Tapering windows.

const tukeys = new Map<string, Float64Array>();

/**
 * Tukey (tapered cosine) window of n samples, exactly `scipy.signal.windows.tukey(n, alpha)`
 * (symmetric): cosine tapers over alpha/2 of the window at each end, 1 in between. alpha ≤ 0 is
 * rectangular, alpha ≥ 1 a Hann window. Cached per (n, alpha); treat the result as read-only.
 */
export function tukey(n: number, alpha = 0.25): Float64Array {
  const key = `${n}:${alpha}`;
  const hit = tukeys.get(key);
  if (hit) return hit;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`tukey: n must be a positive integer, got ${n}`);
  const w = new Float64Array(n).fill(1);
  if (alpha > 0 && n > 1) {
    const a = Math.min(alpha, 1);
    const width = Math.floor((a * (n - 1)) / 2);
    for (let i = 0; i <= width; i++) w[i] = 0.5 * (1 + Math.cos(Math.PI * (-1 + (2 * i) / a / (n - 1))));
    for (let i = n - width - 1; i < n; i++) w[i] = 0.5 * (1 + Math.cos(Math.PI * (-2 / a + 1 + (2 * i) / a / (n - 1))));
  }
  tukeys.set(key, w);
  return w;
}

/** Σ w², the factor that turns a windowed periodogram back into a density. */
export function windowPower(w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * w[i];
  return s;
}
