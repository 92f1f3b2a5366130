// The monotone anomaly LR (lib/stats/monotoneAnomalyLR.ts): the isotonic fit against closed
// forms and brute force, its null distribution, the Chernoff limit of the known-shape LR, the
// tail extrapolation and the survival function of the background density it rests on.
import {describe, expect, it} from "vitest";
import {Rng} from "../lib/math/random.js";
import {normalCdf} from "../lib/math/special.js";
import {gridLogSurvival, gridSurvival, kdeGrid, ksUniform} from "../lib/stats/distributions.js";
import {knownShapeLR, monotoneFit, monotoneLR, randomizedPValue, tailPValue} from "../lib/stats/monotoneAnomalyLR.js";

/** One H0 experiment: Poisson(B) uniforms on [0, 1], returned as sorted ln v. */
function nullExperiment(rng: Rng, B: number): Float64Array {
  const n = rng.poisson(B);
  return Float64Array.from({length: n}, () => Math.log(rng.uniform())).sort();
}

/** The objective Σ ln(μ(v_i)/B) − ∫(μ − B) of a non-increasing μ ≥ B, its integral given exactly. */
function objective(mu: (v: number) => number, excessIntegral: number, v: number[], B: number): number {
  let ll = 0;
  for (const x of v) ll += Math.log(mu(x) / B);
  return ll - excessIntegral;
}

/** A step function: level[k] on (cuts[k−1], cuts[k]] (cuts[−1] = 0), B beyond the last cut; and ∫(μ − B). */
function steps(cuts: ArrayLike<number>, levels: ArrayLike<number>, B: number): {mu: (x: number) => number; integral: number} {
  let integral = 0;
  for (let k = 0; k < cuts.length; k++) integral += (levels[k] - B) * (cuts[k] - (k ? cuts[k - 1] : 0));
  return {mu: (x) => { for (let k = 0; k < cuts.length; k++) if (x <= cuts[k]) return levels[k]; return B; }, integral};
}

describe("the isotonic fit", () => {
  it("one event at v: q = 2[ln(1/(Bv)) − 1 + Bv] when Bv < 1, else 0", () => {
    for (const [B, v] of [[2, 0.1], [10, 0.01], [0.5, 0.7], [3, 0.5]]) {
      const want = B * v < 1 ? 2 * (Math.log(1 / (B * v)) - 1 + B * v) : 0;
      expect(monotoneLR([Math.log(v)], 1, B)).toBeCloseTo(want, 12);
    }
    expect(monotoneLR([], 0, 5)).toBe(0);
  });

  it("two events: pooled when the second gap is wider, each its own level otherwise", () => {
    // v = 0.1, 0.15: widths 0.1, 0.05 → levels 10 and 20 violate the order → one block 2/0.15.
    const pooled = monotoneFit([Math.log(0.1), Math.log(0.15)], 1);
    expect(Array.from(pooled.count)).toEqual([2]);
    expect(pooled.mu[0]).toBeCloseTo(2 / 0.15, 12);
    expect(pooled.q).toBeCloseTo(2 * (2 * Math.log(2 / 0.15) - 2 + 0.15), 12);
    // v = 0.05, 0.5: levels 20 ≥ 1/0.45, kept apart; with B = 3 the second is clipped to B.
    const apart = monotoneFit([Math.log(0.05), Math.log(0.5)], 3);
    expect(Array.from(apart.count)).toEqual([1, 1]);
    expect(apart.mu[0]).toBeCloseTo(20, 12);
    expect(apart.mu[1]).toBe(3);
    expect(apart.q).toBeCloseTo(2 * (Math.log(20 / 3) - 1 + 3 * 0.05), 12);
  });

  it("the fit beats every other non-increasing μ ≥ B (brute force over steps and smooth shapes)", () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 6; trial++) {
      const B = [0.5, 2, 5][trial % 3];
      const v = Array.from({length: 3 + trial}, () => rng.uniform() ** 2).sort((a, b) => a - b);
      const fit = monotoneFit(v.map(Math.log), B);
      // The fitted step function and its objective, computed independently of the fit's q.
      const edges: number[] = [];
      for (let k = 0; k < fit.start.length; k++) edges.push(v[fit.start[k] + fit.count[k] - 1]);
      const fitted = steps(edges, fit.mu, B);
      const best = objective(fitted.mu, fitted.integral, v, B);
      expect(2 * best).toBeCloseTo(fit.q, 10);
      // Random non-increasing step functions ≥ B (jumps anywhere) and smooth decreasing ones.
      for (let r = 0; r < 300; r++) {
        const cuts = Array.from({length: 1 + (r % 5)}, () => rng.uniform()).sort((a, b) => a - b);
        const levels = cuts.map(() => B + 30 * rng.uniform() ** 3).sort((a, b) => b - a);
        const st = steps(cuts, levels, B);
        expect(objective(st.mu, st.integral, v, B)).toBeLessThanOrEqual(best + 1e-12);
        const a = 40 * rng.uniform(), c = 1 + 20 * rng.uniform();
        expect(objective((x) => B + a * Math.exp(-c * x), (a * (1 - Math.exp(-c))) / c, v, B)).toBeLessThanOrEqual(best + 1e-12);
      }
      // Moving one block's level or one block edge (kept ordered and ≥ B) lowers the objective: a maximum.
      for (let k = 0; k < fit.mu.length; k++) {
        for (const f of [0.97, 1.03]) {
          const mu = Float64Array.from(fit.mu);
          mu[k] = Math.max(B, mu[k] * f);
          if ((k > 0 && mu[k] > mu[k - 1]) || (k + 1 < mu.length && mu[k] < mu[k + 1])) continue;
          const st = steps(edges, mu, B);
          expect(objective(st.mu, st.integral, v, B)).toBeLessThanOrEqual(best + 1e-12);
          const moved = edges.map((e, j) => (j === k ? e * f : e));
          if (moved.every((e, j) => j === 0 || e > moved[j - 1])) {
            const sm = steps(moved, fit.mu, B);
            expect(objective(sm.mu, sm.integral, v, B)).toBeLessThanOrEqual(best + 1e-12);
          }
        }
      }
    }
  });

  it("rejects unsorted or impossible input", () => {
    expect(() => monotoneLR([Math.log(0.5), Math.log(0.1)], 2, 1)).toThrow(/sorted/);
    expect(() => monotoneLR([0.1], 1, 1)).toThrow(/≤ 0/);
    expect(() => monotoneLR([-1], 1, 0)).toThrow(/B must be > 0/);
  });
});

describe("null distributions", () => {
  it("the known-shape LR tends to ½χ²₀ + ½χ²₁ (Chernoff) at B = 400", () => {
    // h(v) = 2(1 − v), a fixed density on [0, 1]; r_i = h(v_i)/B.
    const rng = new Rng(11), B = 400, n = 4000;
    let zero = 0, above = 0;
    for (let e = 0; e < n; e++) {
      const k = rng.poisson(B);
      const r = Float64Array.from({length: k}, () => (2 * (1 - rng.uniform())) / B);
      const {q} = knownShapeLR(r);
      if (q === 0) zero++;
      if (q > 2.705543) above++; // ½·P(χ²₁ > 2.7055) = 0.05
    }
    const se = (p: number) => Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(zero / n - 0.5)).toBeLessThan(3 * se(0.5) + 0.01);
    expect(Math.abs(above / n - 0.05)).toBeLessThan(3 * se(0.05) + 0.005);
  });

  it("the monotone LR's null is not ½χ²₀ + ½χ²₁: more free levels, heavier than it, but with an exponential tail", () => {
    const rng = new Rng(12), B = 50, n = 20000;
    const q = Float64Array.from({length: n}, () => { const l = nullExperiment(rng, B); return monotoneLR(l, l.length, B); }).sort();
    const frac = (c: number) => q.filter((x) => x > c).length / n;
    expect(frac(0)).toBeGreaterThan(0.6); // ½χ²₀ + ½χ²₁ would give 0.5
    expect(frac(2.705543)).toBeGreaterThan(0.15); // it would give 0.05
    // Tail fitted on the first 2,000 (top 1 %) predicts the 1e-3 exceedance of the other 18,000.
    const train = Float64Array.from(q.filter((_, i) => i % 10 === 0)).sort();
    const test = Float64Array.from(q.filter((_, i) => i % 10 !== 0)).sort();
    const x = test[Math.floor(test.length * 0.999)];
    const pred = tailPValue(train, x, 1000);
    expect(pred.extrapolated).toBe(true);
    expect(pred.p).toBeGreaterThan(0.4e-3);
    expect(pred.p).toBeLessThan(2.5e-3);
  });

  it("randomised p-values of H0 experiments are uniform (KS), with the atom at q = 0; a signal's are not", () => {
    const rng = new Rng(13), B = 30;
    const qs = (m: number, signal: number) => Float64Array.from({length: m}, () => {
      const l = nullExperiment(rng, B);
      const extra = Float64Array.from({length: rng.poisson(signal)}, () => Math.log(0.05 * rng.uniform()));
      const all = Float64Array.from([...l, ...extra]).sort();
      return monotoneLR(all, all.length, B);
    });
    const nullQ = qs(5000, 0).sort();
    const p = Array.from(qs(2000, 0), (q) => randomizedPValue(nullQ, q, rng.uniform()));
    expect(ksUniform(p).pValue).toBeGreaterThan(0.01);
    const ps = Array.from(qs(500, 4), (q) => randomizedPValue(nullQ, q, rng.uniform()));
    expect(ksUniform(ps).pValue).toBeLessThan(1e-6);
  });

  it("tailPValue is the empirical fraction where the null reaches, and decreasing beyond", () => {
    const sorted = Float64Array.from({length: 1000}, (_, i) => i / 100);
    expect(tailPValue(sorted, 5)).toEqual({p: 0.5, extrapolated: false});
    const a = tailPValue(sorted, 12), b = tailPValue(sorted, 14);
    expect(a.extrapolated && b.extrapolated).toBe(true);
    expect(b.p).toBeLessThan(a.p);
    // Exponential excess of mean θ over the threshold x_k: p = (k/N) e^{−(x − x_k)/θ}.
    const k = 20, thr = sorted[1000 - k - 1], theta = (Array.from(sorted.slice(1000 - k)).reduce((s, v) => s + v, 0) - k * thr) / k;
    expect(a.p).toBeCloseTo((k / 1000) * Math.exp(-(12 - thr) / theta), 14);
    expect(randomizedPValue(Float64Array.from([0, 0, 0, 1]), 0, 0.5)).toBeCloseTo((1 + 0.5 * 4) / 5, 14);
  });
});

describe("the background survival function", () => {
  it("S0 of a Gaussian KDE equals the normal tail, deep into it", () => {
    const rng = new Rng(21);
    const x = Float64Array.from({length: 40000}, () => rng.normal(0, 1));
    const g = kdeGrid(x, null);
    const s = gridSurvival(g), h = g.bandwidth, sd = Math.sqrt(1 + h * h);
    for (const t of [-2, 0, 1, 2.5]) expect(Math.exp(gridLogSurvival(s, t))).toBeCloseTo(1 - normalCdf(t / sd), 2);
    // Far beyond the samples: finite, falling like the kernel's Gaussian tail.
    const a = gridLogSurvival(s, g.xMax + 20 * h), b = gridLogSurvival(s, g.xMax + 40 * h);
    expect(Number.isFinite(b)).toBe(true);
    expect(a - b).toBeGreaterThan(0.5 * (40 ** 2 - 20 ** 2) * 0.99);
    // Continuous across the grid's upper edge, and ln S ≤ 0, non-increasing along the grid.
    expect(gridLogSurvival(s, g.hi - 1e-9)).toBeCloseTo(gridLogSurvival(s, g.hi + 1e-9), 6);
    for (let k = 1; k < s.logSurvival.length; k++) expect(s.logSurvival[k]).toBeLessThanOrEqual(s.logSurvival[k - 1]);
    expect(gridLogSurvival(s, g.lo - 5)).toBeLessThanOrEqual(0);
    expect(gridLogSurvival(s, g.lo - 5)).toBeGreaterThan(-1e-12);
  });
});

describe("the binned deviance's tail by importance sampling", () => {
  it("agrees with plain pseudo-experiments where they reach, and reaches far beyond", async () => {
    const {binnedDevianceTail} = await import("../lib/stats/monotoneAnomalyLR.js");
    const lambda = [0.05, 0.1, 0.3, 0.2, 0.02, 0.4];
    const rng = new Rng(31), n = 200000;
    const dev = Float64Array.from({length: n}, () => {
      let d = 0;
      for (const l of lambda) { const c = rng.poisson(l); d += c > 0 ? l - c + c * Math.log(c / l) : l; }
      return 2 * d;
    }).sort();
    const d1 = dev[Math.floor(0.99 * n)], d2 = dev[Math.floor(0.999 * n)];
    const [a, b, far] = binnedDevianceTail(lambda, [d1, d2, 40], 100000, new Rng(32));
    const plain = (d: number) => dev.filter((x) => x >= d).length / n;
    expect(Math.abs(a.p - plain(d1))).toBeLessThan(4 * Math.hypot(a.se, Math.sqrt(plain(d1) / n)));
    expect(Math.abs(b.p - plain(d2))).toBeLessThan(4 * Math.hypot(b.se, Math.sqrt(plain(d2) / n)));
    // D ≥ 40: none of 200,000 plain experiments; importance sampling gives a p with < 20 % error.
    expect(plain(40)).toBe(0);
    expect(far.p).toBeGreaterThan(0);
    expect(far.p).toBeLessThan(1e-5);
    expect(far.se / far.p).toBeLessThan(0.2);
  });
});
