// An anomaly-aware likelihood-ratio test whose anomalous component has no fixed shape.
//
// Events of one experiment carry an anomaly score TS. Map each to its background tail
// probability v = S0(TS) = P(TS' > TS | background), S0 the survival function of the
// background density f0 (lib/stats/distributions.ts gridSurvival). Under H0 the v of an
// experiment are a Poisson process of intensity B (the expected background count) on [0, 1].
// H1 adds an anomalous component of unknown shape that is *more anomalous than the
// background*: intensity μ(v) = B + s·h(v), h a density on [0, 1] that does not increase
// with v (equivalently g(TS)/f0(TS) does not decrease with TS), s ≥ 0. Any non-increasing
// μ ≥ B is such a B + s·h, so the extended likelihood is profiled over all of them:
//
//   q = 2 max_{μ ≥ B, μ↓} [ Σ_i ln(μ(v_i)/B) − ∫₀¹ (μ(v) − B) dv ].
//
// With v_(1) ≤ … ≤ v_(n) the maximiser is a step function, μ = μ_i on (v_(i−1), v_(i)]
// (v_(0) = 0), and B beyond v_(n); with widths w_i = v_(i) − v_(i−1) the problem is
// max Σ_i [ln μ_i − μ_i w_i] over μ_1 ≥ … ≥ μ_n ≥ B: a Grenander-type isotonic MLE. Pool
// adjacent violators on the targets 1/w_i with weights w_i gives blocks S of common value
// n_S / w_S (n_S events, w_S their summed width); the bound μ ≥ B clips it (isotonic
// regression under a separable convex loss: the bounded solution is the clipped one, checked
// against brute force in test/monotoneAnomalyLR.test.ts). Then
//
//   q = Σ_blocks with n_S > B·w_S  2 [ n_S ln(n_S / (B w_S)) − n_S + B w_S ],
//
// the one-sided Poisson deviance of each block's count against its background expectation.
// q = 0 when nothing is in excess (an atom of the null distribution). Its null distribution
// depends on B alone (not a χ², nor ½χ²₀ + ½χ²₁: the number of free levels grows with the
// events), so Z comes from null pseudo-experiments, with an exponential tail fitted to
// their top where a signal experiment lies beyond all of them (`tailPValue`).
//
// For reference, `knownShapeLR` is the same extended LR with h fixed in advance (one free
// parameter s ≥ 0): its null tends to ½χ²₀ + ½χ²₁ (Chernoff), as the tests check.

/** Lowest ln v kept: an event e^{−700} beyond the background already gives q ≈ 1400. */
const LN_V_FLOOR = -700;

/** Blocks of the fit, most anomalous first: events, summed width, fitted intensity μ ≥ B. */
export interface MonotoneFit {
  count: Float64Array;
  width: Float64Array;
  mu: Float64Array;
  /** Index (into the sorted input) of each block's first event. */
  start: Int32Array;
  q: number;
}

/** Reusable work arrays for `monotoneLR` in a loop of pseudo-experiments. */
export interface LRScratch {
  count: Float64Array;
  width: Float64Array;
  start: Int32Array;
}

export function lrScratch(n: number): LRScratch {
  return {count: new Float64Array(n), width: new Float64Array(n), start: new Int32Array(n)};
}

/** Pool adjacent violators of a non-increasing intensity on the sorted ln v; returns the number of blocks. */
function pool(lnV: ArrayLike<number>, n: number, s: LRScratch): number {
  let m = 0, prev = 0;
  for (let i = 0; i < n; i++) {
    const lv = lnV[i];
    if (!(lv <= 0) || (i > 0 && lv < lnV[i - 1])) throw new RangeError(`monotoneLR: ln v must be sorted ascending and ≤ 0, got ${lv} at ${i}`);
    const v = Math.exp(Math.max(lv, LN_V_FLOOR));
    let c = 1, w = v - prev, st = i;
    prev = v;
    // Merge while the block before has a lower intensity: c_prev/w_prev ≤ c/w (cross-multiplied, w may be 0).
    while (m > 0 && s.count[m - 1] * w <= c * s.width[m - 1]) {
      m--;
      c += s.count[m];
      w += s.width[m];
      st = s.start[m];
    }
    s.count[m] = c;
    s.width[m] = w;
    s.start[m] = st;
    m++;
  }
  return m;
}

const deviance = (c: number, bw: number) => (c > bw ? 2 * (c * Math.log(c / bw) - c + bw) : 0);

/**
 * q of one experiment from the ln v = ln S0(TS) of its events, sorted ascending (most
 * anomalous first), first `n` used; B the expected background count.
 */
export function monotoneLR(lnV: ArrayLike<number>, n: number, B: number, scratch?: LRScratch): number {
  if (!(B > 0)) throw new RangeError(`monotoneLR: B must be > 0, got ${B}`);
  if (n === 0) return 0;
  const s = scratch && scratch.count.length >= n ? scratch : lrScratch(n);
  const m = pool(lnV, n, s);
  let q = 0;
  for (let k = 0; k < m; k++) q += deviance(s.count[k], B * s.width[k]);
  return q;
}

/** The fitted intensity itself (blocks), for tests and figures. */
export function monotoneFit(lnV: ArrayLike<number>, B: number): MonotoneFit {
  const n = lnV.length, s = lrScratch(Math.max(n, 1));
  const m = n ? pool(lnV, n, s) : 0;
  const mu = new Float64Array(m);
  let q = 0;
  for (let k = 0; k < m; k++) {
    mu[k] = Math.max(B, s.count[k] / s.width[k]);
    q += deviance(s.count[k], B * s.width[k]);
  }
  return {count: s.count.slice(0, m), width: s.width.slice(0, m), mu, start: s.start.slice(0, m), q};
}

/**
 * Extended LR for a signal of known shape, profiled over its strength s ≥ 0:
 * q = 2 max_{s ≥ 0} [−s + Σ ln(1 + s·r_i)], r_i = h(v_i)/B the signal-to-background density
 * ratio per event (per unit of signal count). ŝ solves Σ r_i/(1 + s r_i) = 1 (bisection; the
 * left side falls with s), and ŝ = 0 when Σ r_i ≤ 1.
 */
export function knownShapeLR(r: ArrayLike<number>): {q: number; s: number} {
  const n = r.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!(r[i] >= 0)) throw new RangeError(`knownShapeLR: ratio ${i} is ${r[i]}`);
    sum += r[i];
  }
  if (sum <= 1) return {q: 0, s: 0};
  const score = (s: number) => {
    let d = 0;
    for (let i = 0; i < n; i++) d += r[i] / (1 + s * r[i]);
    return d - 1;
  };
  // Σ r/(1 + s r) < n/s, so the root lies below n.
  let lo = 0, hi = n;
  for (let it = 0; it < 200 && hi - lo > 1e-12 * (1 + hi); it++) {
    const mid = 0.5 * (lo + hi);
    if (score(mid) > 0) lo = mid; else hi = mid;
  }
  const s = 0.5 * (lo + hi);
  let ll = -s;
  for (let i = 0; i < n; i++) ll += Math.log1p(s * r[i]);
  return {q: Math.max(0, 2 * ll), s};
}

/** Number of sorted null values ≥ q, and of values equal to q. */
function countAbove(sorted: Float64Array, q: number): {geq: number; eq: number} {
  const n = sorted.length;
  let lo = 0, hi = n;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] < q) lo = mid + 1; else hi = mid; }
  let lo2 = lo, hi2 = n;
  while (lo2 < hi2) { const mid = (lo2 + hi2) >> 1; if (sorted[mid] <= q) lo2 = mid + 1; else hi2 = mid; }
  return {geq: n - lo, eq: lo2 - lo};
}

/**
 * p-value P(q' ≥ q | H0) from sorted null values; beyond the null sample's reach (fewer than
 * `minTail` values ≥ q) the top `tailFraction` of the null is fitted by an exponential tail,
 * P(q' > x) = (k/N)·e^{−(x − x_k)/θ} with θ the mean excess over the threshold x_k (the
 * peaks-over-threshold form of a χ²-like tail), flagged `extrapolated`.
 */
export function tailPValue(sorted: Float64Array, q: number, minTail = 10, tailFraction = 0.01): {p: number; extrapolated: boolean} {
  const n = sorted.length;
  if (n === 0) throw new RangeError("tailPValue: empty null distribution");
  const {geq} = countAbove(sorted, q);
  if (geq >= minTail) return {p: geq / n, extrapolated: false};
  const k = Math.min(n - 1, Math.max(20, Math.ceil(tailFraction * n)));
  const threshold = sorted[n - k - 1];
  let excess = 0;
  for (let i = n - k; i < n; i++) excess += sorted[i] - threshold;
  const theta = excess / k;
  if (!(theta > 0)) return {p: Math.max(geq, 1) / n, extrapolated: geq < 1};
  return {p: (k / n) * Math.exp(-(q - threshold) / theta), extrapolated: true};
}

/**
 * Randomised p-value P(q' > q) + U·P(q' = q) against sorted null values: exactly uniform
 * under H0 also for statistics with atoms (the LR's q = 0, the binned deviance's discrete
 * values), which is what a KS test of uniformity needs.
 */
export function randomizedPValue(sorted: Float64Array, q: number, u: number): number {
  const {geq, eq} = countAbove(sorted, q);
  return (geq - eq + u * (eq + 1)) / (sorted.length + 1);
}

/**
 * Tail probabilities P(D ≥ d | H0) of the binned Poisson deviance D = 2 Σ (λ − c + c ln(c/λ))
 * for each d in `thresholds`, by importance sampling where plain pseudo-experiments cannot
 * reach (a 5σ tail needs ~10⁷ of them): all bins are drawn from Poisson(τλ_b) with τ picked
 * uniformly from `tilts` (a defensive mixture, τ = 1 included), each experiment weighted by
 * p0/p_mix = 1 / mean_τ [e^{−Λ(τ−1)} τ^C] (Λ = Σλ_b, C = Σc_b). Returns p and its standard error.
 */
export function binnedDevianceTail(lambda: ArrayLike<number>, thresholds: ArrayLike<number>, n: number, rng: {poisson(l: number): number; uniform(): number}, tilts: number[] = [1, 2, 4, 8, 16, 32]): {p: number; se: number}[] {
  let Lambda = 0;
  for (let b = 0; b < lambda.length; b++) Lambda += lambda[b];
  const m = thresholds.length, sum = new Float64Array(m), sum2 = new Float64Array(m);
  const logTilt = tilts.map(Math.log);
  for (let e = 0; e < n; e++) {
    const tau = tilts[Math.min(tilts.length - 1, Math.floor(rng.uniform() * tilts.length))];
    let dev = 0, C = 0;
    for (let b = 0; b < lambda.length; b++) {
      const l = lambda[b], c = rng.poisson(l * tau);
      C += c;
      dev += c > 0 ? l - c + c * Math.log(c / l) : l;
    }
    dev *= 2;
    // ln of mean_τ e^{−Λ(τ−1)} τ^C, by log-sum-exp.
    let mx = -Infinity;
    const terms = tilts.map((t, k) => -Lambda * (t - 1) + C * logTilt[k]);
    for (const x of terms) mx = Math.max(mx, x);
    let s = 0;
    for (const x of terms) s += Math.exp(x - mx);
    const w = Math.exp(-(mx + Math.log(s / tilts.length)));
    for (let k = 0; k < m; k++) if (dev >= thresholds[k]) { sum[k] += w; sum2[k] += w * w; }
  }
  return Array.from(sum, (s, k) => {
    const p = s / n;
    return {p, se: Math.sqrt(Math.max(0, sum2[k] / n - p * p) / n)};
  });
}
