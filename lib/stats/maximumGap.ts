// Yellin's maximum-gap upper limit (S. Yellin, Phys. Rev. D 66, 032005 (2002), eq. 2), in the
// cumulative-signal variable: each event is mapped through the expected signal CDF, so the
// signal is uniform on [0, 1] whatever its spectrum, and a gap between two neighbouring events
// holds μ·(u_{i+1} − u_i) expected signal events. Unknown backgrounds only make gaps smaller,
// so the limit is conservative without any background model.

/** Events' cumulative-signal values checked and sorted, with the ends 0 and 1 added. */
export function withEnds(u: ArrayLike<number>, what = "maximumGap"): Float64Array {
  const s = new Float64Array(u.length + 2);
  for (let i = 0; i < u.length; i++) {
    const v = u[i];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${what}: cumulative-signal value ${i} is ${v}, outside [0, 1]`);
    s[i + 1] = v;
  }
  s[s.length - 1] = 1;
  s.subarray(1, s.length - 1).sort();
  return s;
}

/** The largest gap between neighbouring events (ends included), as a fraction of the signal. */
export function maximumGapFraction(u: ArrayLike<number>): number {
  const s = withEnds(u);
  let g = 0;
  for (let i = 1; i < s.length; i++) g = Math.max(g, s[i] - s[i - 1]);
  return g;
}

/**
 * C₀(x, μ): the probability that the maximum gap is smaller than x when μ signal events are
 * expected (Yellin eq. 2), Σ_{k=0}^{⌊μ/x⌋} e^{−kx}/k! · (kx − μ)^k · (1 + k/(μ − kx)).
 * Written as e^{−kx}/k! · [(kx − μ)^k − k (kx − μ)^{k−1}] so that x = μ (no event at all) has no
 * 0/0: C₀(μ, μ) = 1 − e^{−μ}. Each term is formed in logs. The alternating sum loses digits
 * where x ≪ μ; there C₀ is tiny, and once the terms' absolute sum passes 1e8 (≥ 8 digits lost)
 * 0 is returned: a 200-digit evaluation (mpmath) of gap fractions 0.001–0.05 and μ up to 2·10⁴
 * never found C₀ above 2·10⁻¹³ in that regime, nor above 10⁻³ once the sum passes 10⁶.
 */
export function maxGapC0(x: number, mu: number): number {
  if (!(mu > 0) || !(x >= 0)) throw new RangeError(`maxGapC0: need μ > 0 and x ≥ 0, got x = ${x}, μ = ${mu}`);
  if (x >= mu) return x > mu ? 1 : 1 - Math.exp(-mu);
  if (x === 0) return 0;
  const m = Math.floor(mu / x);
  let sum = 1, abs = 1; // k = 0
  let logFact = 0;
  for (let k = 1; k <= m; k++) {
    logFact += Math.log(k);
    const d = mu - k * x; // ≥ 0; (kx − μ)^k = (−1)^k d^k
    const sign = k % 2 ? -1 : 1;
    const base = -k * x - logFact;
    // (−1)^k d^k − k (−1)^{k−1} d^{k−1} = (−1)^k d^{k−1} (d + k)
    const term = d > 0 ? sign * Math.exp(base + (k - 1) * Math.log(d)) * (d + k) : (k === 1 ? -Math.exp(base) : 0);
    sum += term;
    abs += Math.abs(term);
  }
  if (abs > 1e8) return 0;
  return Math.min(1, Math.max(0, sum));
}

/** Smallest μ in [lo, hi] with f(μ) ≥ target, for f rising through target (bisection to rel. 1e-10). */
export function solveRising(f: (mu: number) => number, target: number, lo: number, hi: number): number {
  let flo = f(lo);
  if (flo >= target) return lo;
  let fhi = f(hi);
  while (fhi < target) {
    lo = hi; flo = fhi;
    hi *= 2;
    if (hi > 1e9) throw new RangeError("solveRising: no root below μ = 1e9");
    fhi = f(hi);
  }
  while (hi - lo > 1e-10 * hi) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The maximum-gap upper limit on μ (expected signal events in the window) at confidence `cl`:
 * the μ where C₀(μ·g, μ) = cl for the observed largest gap fraction g.
 */
export function maximumGapLimit(u: ArrayLike<number>, cl = 0.9): number {
  if (!(cl > 0 && cl < 1)) throw new RangeError(`maximumGapLimit: confidence level ${cl} is not in (0, 1)`);
  const g = maximumGapFraction(u);
  if (!(g > 0)) throw new RangeError("maximumGapLimit: all events at one point, no gap");
  return solveRising((mu) => maxGapC0(mu * g, mu), cl, 1e-6, 10);
}
