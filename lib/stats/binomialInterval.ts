// Clopper–Pearson ("exact") confidence interval of a binomial proportion: the p at which the
// observed k of n is just at the α/2 tail on either side. Used for efficiencies measured by
// counting (injected pulses that survive), where the counts near threshold are small and a
// normal approximation would give intervals outside [0, 1].
import {logFactorial} from "../math/special.js";

/** P(X ≤ k) for X ~ Binomial(n, p), summed from the mode outwards in log space (no underflow at large n). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const lp = Math.log(p), lq = Math.log1p(-p), lnF = logFactorial(n);
  const logTerm = (i: number) => lnF - logFactorial(i) - logFactorial(n - i) + i * lp + (n - i) * lq;
  // Sum the smaller tail for accuracy: P(X ≤ k) or 1 − P(X ≥ k + 1).
  const lower = k < n * p;
  let s = 0;
  if (lower) for (let i = k; i >= 0; i--) { const t = Math.exp(logTerm(i)); s += t; if (t < s * 1e-17) break; }
  else for (let i = k + 1; i <= n; i++) { const t = Math.exp(logTerm(i)); s += t; if (t < s * 1e-17 && i > n * p) break; }
  return lower ? Math.min(1, s) : Math.max(0, 1 - s);
}

/** The p in [0, 1] where the decreasing function f(p) crosses `target` (bisection to 1e-14). */
function solveDecreasing(f: (p: number) => number, target: number): number {
  let lo = 0, hi = 1;
  for (let it = 0; it < 200 && hi - lo > 1e-14; it++) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export interface BinomialInterval {
  k: number;
  n: number;
  /** k / n (NaN for n = 0). */
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Two-sided Clopper–Pearson interval of confidence `cl` (default 68.27 %, "1σ") for k
 * successes in n trials: lower solves P(X ≥ k | p) = α/2, upper solves P(X ≤ k | p) = α/2;
 * lower = 0 for k = 0 and upper = 1 for k = n (so 0 of n: upper = 1 − (α/2)^{1/n}).
 */
export function clopperPearson(k: number, n: number, cl = 0.6826894921370859): BinomialInterval {
  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`clopperPearson: need integers 0 ≤ k ≤ n, got k = ${k}, n = ${n}`);
  if (!(cl > 0 && cl < 1)) throw new RangeError(`clopperPearson: cl must be in (0, 1), got ${cl}`);
  if (n === 0) return {k, n, estimate: NaN, lower: 0, upper: 1};
  const half = (1 - cl) / 2;
  // P(X ≥ k | p) = 1 − P(X ≤ k − 1 | p) rises with p; P(X ≤ k | p) falls with p.
  const lower = k === 0 ? 0 : k === n ? half ** (1 / n) : solveDecreasing((p) => binomialCdf(k - 1, n, p), 1 - half);
  const upper = k === n ? 1 : k === 0 ? 1 - half ** (1 / n) : solveDecreasing((p) => binomialCdf(k, n, p), half);
  return {k, n, estimate: k / n, lower, upper};
}
