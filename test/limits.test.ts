// Exclusion limits (lib/stats/maximumGap.ts, optimumInterval.ts, poissonLimit.ts, wimpLimit.ts;
// `pulsebook limit`). Reference: S. Yellin, "Finding an upper limit in the presence of an
// unknown background", Phys. Rev. D 66, 032005 (2002): eq. 2 (C₀), the optimum-interval
// construction (C_n, C_max, C̄_max), and its statement that with no event both methods give
// the Poisson limit −ln(1 − CL) = 2.303 at 90 %.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {Rng} from "../lib/math/random.js";
import {maxGapC0, maximumGapFraction, maximumGapLimit} from "../lib/stats/maximumGap.js";
import {cBarMax, cN, intervalFractions, intervalMonteCarlo, optimumIntervalLimit, reductionPoint} from "../lib/stats/optimumInterval.js";
import {poissonLimit} from "../lib/stats/poissonLimit.js";
import {cumulativeSignal, signalOnGrid, TARGETS, wimpLimits, type LimitSetup} from "../lib/stats/wimpLimit.js";
import {aliasDraw, aliasTable} from "../lib/stats/distributions.js";
import {encodeParquet, readParquet, readParquetMetadata} from "../data-loaders/io/parquet.js";
import {readFileSync} from "node:fs";
import {parseMasses, readEfficiency} from "../data-loaders/limit.js";
import {runMain} from "./support/cli.js";

const POISSON_90 = -Math.log(0.1); // 2.302585…

/** n sorted-or-not uniforms on [0, 1] (signal in the cumulative variable) from rng. */
function uniforms(rng: Rng, n: number): Float64Array {
  return Float64Array.from({length: n}, () => rng.uniform());
}

/** Poisson CDF P(N ≤ n | λ). */
function poissonCdf(n: number, lambda: number): number {
  let p = Math.exp(-lambda), s = p;
  for (let k = 1; k <= n; k++) { p *= lambda / k; s += p; }
  return s;
}

/** |p̂ − p| within `z` binomial standard errors of n trials. */
function withinBinomial(pHat: number, p: number, n: number, z = 4): boolean {
  return Math.abs(pHat - p) <= z * Math.sqrt(Math.max(p * (1 - p), 1 / n) / n);
}

describe("zero events (Yellin: both methods give 2.303 at 90 %)", () => {
  it("maximum gap, optimum interval and Poisson CLs without background all give −ln 0.1", () => {
    expect(maximumGapLimit([], 0.9)).toBeCloseTo(POISSON_90, 9);
    const oi = optimumIntervalLimit([], {cl: 0.9});
    expect(oi.mu).toBeCloseTo(POISSON_90, 9);
    expect(oi.reducedToMaximumGap).toBe(true);
    expect(poissonLimit({signal: [1], background: [0]}, [0]).mu).toBeCloseTo(POISSON_90, 3);
    // Other confidence levels: −ln(1 − CL).
    expect(maximumGapLimit([], 0.95)).toBeCloseTo(-Math.log(0.05), 9);
    expect(maximumGapLimit([], 0.5)).toBeCloseTo(Math.log(2), 9);
  });
});

describe("maximum gap: C₀(x, μ)", () => {
  it("has the limits of a probability: C₀(μ, μ) = 1 − e^{−μ}, C₀ → 0 for small x, rising in x", () => {
    for (const mu of [0.5, 2, 7.3]) expect(maxGapC0(mu, mu)).toBeCloseTo(1 - Math.exp(-mu), 12);
    expect(maxGapC0(0.2, 20)).toBeLessThan(1e-6);
    let prev = 0;
    for (let x = 0.5; x <= 10; x += 0.5) {
      const c = maxGapC0(x, 10);
      expect(c).toBeGreaterThanOrEqual(prev - 1e-12);
      prev = c;
    }
  });

  it("agrees with a Monte Carlo of the largest gap between Poisson-many uniform events", () => {
    const rng = new Rng(2002, 32005);
    const trials = 20000;
    for (const [x, mu] of [[1, 3], [2, 5], [2.7, 8], [4, 15], [6, 40]]) {
      let below = 0;
      for (let t = 0; t < trials; t++) {
        const n = rng.poisson(mu);
        if (mu * maximumGapFraction(uniforms(rng, n)) < x) below++;
      }
      const c0 = maxGapC0(x, mu);
      expect(c0).toBeGreaterThan(0.02);
      expect(withinBinomial(below / trials, c0, trials), `x = ${x}, μ = ${mu}: MC ${below / trials} vs C₀ ${c0}`).toBe(true);
    }
  });

  it("keeps its digits where the alternating sum is long (200-digit mpmath evaluations of eq. 2)", () => {
    // Reference values from the same series summed with mpmath at 200 digits.
    expect(maxGapC0(3, 50)).toBeCloseTo(0.058386041258752, 12);
    expect(maxGapC0(8, 800)).toBeCloseTo(0.765875921827499, 12);
    expect(maxGapC0(20, 3000)).toBeCloseTo(0.999993855719675, 12);
    // Deep in the cancelling regime C₀ is below 1e-12: 0, not round-off.
    expect(maxGapC0(1, 2000)).toBe(0);
    // 1000 evenly spaced events: the largest gap is 1/1000 of the signal, the limit ≫ 1000.
    const u = Float64Array.from({length: 1000}, (_, i) => (i + 0.5) / 1000);
    const mu = maximumGapLimit(u);
    expect(mu).toBeGreaterThan(1000);
    expect(maxGapC0(mu / 1000, mu)).toBeCloseTo(0.9, 8);
  });

  it("solves C₀(μ·g, μ) = CL for the observed largest gap g", () => {
    const u = [0.1, 0.35, 0.4, 0.9];
    const mu = maximumGapLimit(u);
    expect(maximumGapFraction(u)).toBeCloseTo(0.5, 12);
    expect(maxGapC0(mu * 0.5, mu)).toBeCloseTo(0.9, 8);
    // An event inside the largest gap shrinks it: the limit rises.
    expect(maximumGapLimit([...u, 0.6])).toBeGreaterThan(mu);
  });
});

describe("optimum interval", () => {
  it("finds the largest interval holding n events", () => {
    const f = intervalFractions([0.9, 0.1, 0.35, 0.4]);
    // Gaps 0.1, 0.25, 0.05, 0.5, 0.1 between 0, 0.1, 0.35, 0.4, 0.9, 1.
    // n = 1: 0.4 → 1 holds only 0.9; n = 2: 0.1 → 0.9 holds 0.35 and 0.4; n = 3: 0 → 0.9.
    [0.5, 0.6, 0.8, 0.9, 1].forEach((want, n) => expect(f[n]).toBeCloseTo(want, 12));
  });

  it("reduces to the maximum gap below μ* where P(N ≥ 2) = CL (C̄_max = CL exactly there)", () => {
    // C_n(x, μ) ≤ P(N > n) for n ≥ 1, which is < 0.9 for μ < 3.8897: only C₀ can reach CL.
    const muStar = reductionPoint(0.9);
    expect(1 - Math.exp(-muStar) * (1 + muStar)).toBeCloseTo(0.9, 10);
    expect(muStar).toBeCloseTo(3.8897, 3);
    for (const mu of [2.6, 3.5]) {
      const mc = intervalMonteCarlo(mu, {experiments: 20000, seed: 5});
      // The 0.9 quantile of C_max is that of C₀, which is uniform below its atom 1 − e^{−μ}
      // (no event at all): 0.9 within MC error …
      expect(Math.abs(mc.cBarMax - 0.9)).toBeLessThan(0.006);
    }
    // … and below μ = 2.303 the atom itself: C_max never reaches 0.9.
    expect(intervalMonteCarlo(1.5, {experiments: 4000}).cBarMax).toBeCloseTo(1 - Math.exp(-1.5), 12);
    // A data set whose limit lies below μ*: optimum interval = maximum gap.
    const u = [0.02, 0.05, 0.97];
    expect(maximumGapLimit(u)).toBeLessThan(muStar);
    expect(optimumIntervalLimit(u).mu).toBe(maximumGapLimit(u));
  });

  it("has the C_n atoms of experiments with ≤ n events: C_n(μ, μ) = P(N > n)", () => {
    const mu = 8, mc = intervalMonteCarlo(mu, {experiments: 20000, seed: 3});
    for (const n of [1, 3, 6, 9, 12]) {
      const want = 1 - poissonCdf(n, mu);
      expect(withinBinomial(cN(mc, n, 1), want, 20000), `n = ${n}`).toBe(true);
    }
  });

  it("has C̄_max(0.9, μ) rising above 0.9 beyond μ* (Yellin's Fig. of C̄_max), seeded and reproducible", () => {
    const a = cBarMax(10, {experiments: 4000, seed: 11});
    expect(a).toBe(intervalMonteCarlo(10, {experiments: 4000, seed: 11}).cBarMax);
    const c5 = cBarMax(5, {experiments: 4000}), c10 = cBarMax(10, {experiments: 4000}), c30 = cBarMax(30, {experiments: 4000});
    expect(c5).toBeGreaterThan(0.9);
    expect(c10).toBeGreaterThan(c5);
    expect(c30).toBeGreaterThan(c10);
    expect(c30).toBeLessThan(1);
  });

  it("gives a lower limit than the maximum gap when events fill the signal region evenly", () => {
    const u = Float64Array.from({length: 12}, (_, i) => (i + 0.5) / 12);
    const oi = optimumIntervalLimit(u, {experiments: 2000}).mu, mg = maximumGapLimit(u);
    expect(oi).toBeLessThan(mg);
    // … but not below the Poisson limit for 12 events seen and no background (17.8).
    expect(oi).toBeGreaterThan(17.8);
  });
});

describe("coverage of the 90 % limits (pseudo-experiments)", () => {
  it("maximum gap and optimum interval cover the true μ in 90 % of signal-only experiments", () => {
    const muTrue = 6, trials = 500;
    const rng = new Rng(77);
    let mg = 0, oi = 0;
    for (let t = 0; t < trials; t++) {
      const u = uniforms(rng, rng.poisson(muTrue));
      if (maximumGapLimit(u) >= muTrue) mg++;
      if (optimumIntervalLimit(u, {experiments: 2000, gridRatio: 1.05}).mu >= muTrue) oi++;
    }
    // Both are exact constructions: coverage 90 % within the binomial error (3σ = 0.040).
    expect(withinBinomial(mg / trials, 0.9, trials, 3), `maximum gap covers ${mg / trials}`).toBe(true);
    expect(withinBinomial(oi / trials, 0.9, trials, 3), `optimum interval covers ${oi / trials}`).toBe(true);
  });

  it("CLs with a known background covers at least 90 %", () => {
    const signal = [0.4, 0.3, 0.15, 0.1, 0.05], background = [0.5, 0.5, 1, 1.5, 2];
    const muTrue = 4, trials = 300, rng = new Rng(91);
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const counts = signal.map((s, k) => rng.poisson(muTrue * s + background[k]));
      if (poissonLimit({signal, background}, counts, {toys: 1000, seed: 3}).mu >= muTrue) covered++;
    }
    expect(covered / trials).toBeGreaterThanOrEqual(0.9 - 3 * Math.sqrt(0.09 / trials));
  });

  it("the whole WIMP chain (energies → cumulative signal → maximum gap) covers with an unknown background", () => {
    const setup: LimitSetup = {target: TARGETS.CaWO4, exposure_kg_day: 10, window_keV: [0.1, 20], cells: 600};
    const {edges, cell, total} = signalOnGrid(10, setup);
    const table = aliasTable(cell), rng = new Rng(4242);
    const muTrue = 5, trials = 400;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const E: number[] = [];
      for (let i = rng.poisson(muTrue); i > 0; i--) {
        const k = aliasDraw(table, rng);
        E.push(edges[k] * (edges[k + 1] / edges[k]) ** rng.uniform());
      }
      // Background the method is not told about: flat, 2 events on average.
      for (let i = rng.poisson(2); i > 0; i--) E.push(rng.uniformIn(0.1, 20));
      if (maximumGapLimit(cumulativeSignal(E, edges, cell, total)) >= muTrue) covered++;
    }
    expect(covered / trials).toBeGreaterThanOrEqual(0.9 - 3 * Math.sqrt(0.09 / trials));
  });
});

describe("Poisson CLs", () => {
  it("one bin: CLs = P(n ≤ n_obs | s + b) / P(n ≤ n_obs | b) = 0.1 at the limit", () => {
    for (const [n, b] of [[3, 3], [0, 2], [5, 1.5]]) {
      const got = poissonLimit({signal: [1], background: [b]}, [n], {toys: 8000}).mu;
      // The analytic CLs limit, by bisection on the Poisson CDF.
      let lo = 0, hi = 30;
      for (let i = 0; i < 100; i++) {
        const mid = (lo + hi) / 2;
        if (poissonCdf(n, mid + b) / poissonCdf(n, b) > 0.1) lo = mid; else hi = mid;
      }
      expect(Math.abs(got - lo) / lo, `n = ${n}, b = ${b}: ${got} vs ${lo}`).toBeLessThan(0.03);
    }
  });

  it("no background: the classical Poisson limit for n events (n = 3: 6.681)", () => {
    expect(poissonLimit({signal: [0.5, 0.5], background: [0, 0]}, [1, 2]).mu).toBeCloseTo(6.681, 2);
  });

  it("uses the shape: events where the background dominates weaken the limit less than signal-like ones", () => {
    const model = {signal: [0.9, 0.1], background: [0.2, 5]};
    const bgLike = poissonLimit(model, [0, 5]).mu, sigLike = poissonLimit(model, [2, 3]).mu;
    expect(sigLike).toBeGreaterThan(bgLike);
  });

  it("refuses a model whose signal does not sum to 1", () => {
    expect(() => poissonLimit({signal: [0.5, 0.2], background: [1, 1]}, [0, 0])).toThrow(/sum to 0.7/);
  });
});

describe("WIMP cross-section limit", () => {
  const setup: LimitSetup = {target: TARGETS.CaWO4, exposure_kg_day: 10, window_keV: [0.03, 16], cells: 800};

  it("scales as 1/exposure for zero events, with μ = 2.303 for every method", () => {
    const masses = [0.5, 5, 50];
    for (const method of ["maximum-gap", "optimum-interval", "poisson"] as const) {
      const a = wimpLimits([], masses, setup, {method});
      const b = wimpLimits([], masses, {...setup, exposure_kg_day: 1000}, {method});
      for (let i = 0; i < masses.length; i++) {
        expect(a[i].mu).toBeCloseTo(POISSON_90, 3);
        expect((b[i].sigma_cm2 * 1000) / (a[i].sigma_cm2 * 10)).toBeCloseTo(b[i].mu / a[i].mu, 12);
        expect(b[i].sigma_cm2 / a[i].sigma_cm2).toBeCloseTo(0.01, method === "poisson" ? 3 : 9);
      }
    }
  });

  it("gives no limit where no recoil reaches the threshold, and a weaker one with lower efficiency", () => {
    const [low] = wimpLimits([], [0.05], setup, {method: "maximum-gap"});
    expect(low.sigma_cm2).toBe(Infinity);
    const half = {energy_keV: Float64Array.from([0, 100]), efficiency: Float64Array.from([0.5, 0.5])};
    const [full] = wimpLimits([], [10], setup, {method: "maximum-gap"});
    const [eff] = wimpLimits([], [10], {...setup, efficiency: half}, {method: "maximum-gap"});
    expect(eff.sigma_cm2 / full.sigma_cm2).toBeCloseTo(2, 9);
  });
});

describe("pulsebook limit", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-limit-"));
    writeFileSync(join(dir, "events.parquet"), encodeParquet({
      event: Int32Array.from([0, 1, 2, 3, 4]), energy_keV: Float64Array.from([0.05, 0.2, 0.9, 3, 40])
    }));
    writeFileSync(join(dir, "eff.csv"), "energy_keV,efficiency\n0.03,0.3\n1,0.8\n16,0.8\n");
    writeFileSync(join(dir, "bad.csv"), "energy_keV,efficiency\n0.03,0.3\n0.01,0.8\n");
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it("writes the limit per mass with provenance and lineage, equal to the library's", async () => {
    const out = join(dir, "limit.parquet");
    const r = await runMain(["limit", "--events", join(dir, "events.parquet"), "--exposure-kg-days", "20", "--window", "0.03:16",
      "--masses", "1:100:3", "--efficiency", join(dir, "eff.csv"), "--method", "maximum-gap", "--out", out]);
    expect(r.err).toContain("4 of 5 events in the window");
    expect(r.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    const t = readParquet(bytes, out);
    expect(t.numRows).toBe(3);
    const want = wimpLimits([0.05, 0.2, 0.9, 3], [1, 10, 100], {target: TARGETS.CaWO4, exposure_kg_day: 20, window_keV: [0.03, 16],
      efficiency: readEfficiency(join(dir, "eff.csv"))}, {method: "maximum-gap"});
    const sigma = Array.from(t.getChild("sigma_cm2")!.toArray() as Float64Array);
    sigma.forEach((s, i) => expect(s / want[i].sigma_cm2).toBeCloseTo(1, 9));
    const {metadata} = await readParquetMetadata(bytes, out);
    expect(metadata["pulsebook.lineage"]).toMatch(/^[0-9a-f]{64}$/);
    const stamp = JSON.parse(metadata["pulsebook.provenance"]);
    expect(stamp.parameters.method).toBe("maximum-gap");
    expect(stamp.inputs.efficiency.size_bytes).toBeGreaterThan(0);
  });

  it("names the file and the problem for bad input", async () => {
    const noCol = await runMain(["limit", "--events", join(dir, "events.parquet"), "--energy-column", "E", "--exposure-kg-days", "1",
      "--window", "0.03:16", "--out", join(dir, "x.parquet")]);
    expect(noCol.code).not.toBe(0);
    expect(noCol.err).toMatch(/events\.parquet.*no column E/);
    expect(() => readEfficiency(join(dir, "bad.csv"))).toThrow(/bad\.csv.*rise strictly/);
    expect(() => parseMasses("10:1")).toThrow(/--masses 10:1/);
    parseMasses("1:100:3").forEach((m, i) => expect(m).toBeCloseTo([1, 10, 100][i], 12));
    expect(Array.from(parseMasses("2,20"))).toEqual([2, 20]);
  });
});
