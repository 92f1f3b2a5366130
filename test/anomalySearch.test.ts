import {describe, expect, it} from "vitest";
import {Rng} from "../lib/math/random.js";
import {aliasDraw, aliasTable, binomialDraw, kdeGrid, gridLogDensity, ksUniform} from "../lib/stats/distributions.js";
import {median} from "../lib/math/robust.js";
import {normalCdf, normalQuantile} from "../lib/math/special.js";
import {medianSensitivity, nullDistribution, prepareSearch, pValue, runPseudoExperiments, type Species} from "../lib/stats/anomalySearch.js";

function gaussian(n: number, mu: number, sd: number, seed: number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({length: n}, () => r.normal(mu, sd));
}

// Synthetic templates with known densities: ER and NR background scores ~ N(0,1) and N(1,1),
// signal ~ N(6,1); energies uniform so that the binned analysis has something to bin.
function species(exposure: number): {bg: Species[]; sig: Species} {
  const r = new Rng(99);
  const uni = (n: number, lo: number, hi: number) => Float64Array.from({length: n}, () => r.uniformIn(lo, hi));
  return {
    bg: [
      {name: "ER", expected: 100 * exposure, score: gaussian(20000, 0, 1, 1), energy_keVee: uni(20000, 2, 10), classicalAcceptance: 2e-4},
      {name: "NR", expected: 2 * exposure, score: gaussian(20000, 1, 1, 2), energy_keVee: uni(20000, 1, 7), classicalAcceptance: 0.3}
    ],
    sig: {name: "WIMP", expected: 5 * exposure, score: gaussian(20000, 6, 1, 3), energy_keVee: uni(20000, 0.5, 3), classicalAcceptance: 0.3}
  };
}
const EDGES = [0, 1, 2, 3, 4, 5, 6, 8, 10];

describe("helpers", () => {
  it("alias table draws with the given probabilities", () => {
    const w = [1, 2, 3, 4];
    const t = aliasTable(w), rng = new Rng(1), c = [0, 0, 0, 0];
    for (let i = 0; i < 100000; i++) c[aliasDraw(t, rng)]++;
    for (let k = 0; k < 4; k++) expect(Math.abs(c[k] / 100000 - w[k] / 10)).toBeLessThan(0.006);
    expect(() => aliasTable([0, 0])).toThrow(/zero/);
  });
  it("binomial deviates have mean np and variance np(1−p)", () => {
    const rng = new Rng(3);
    for (const [n, p] of [[5000, 2e-4], [40, 0.3], [100, 0.9]] as const) {
      let s = 0, s2 = 0;
      for (let i = 0; i < 20000; i++) { const k = binomialDraw(n, p, rng); s += k; s2 += k * k; }
      const m = s / 20000, v = s2 / 20000 - m * m;
      expect(Math.abs(m - n * p)).toBeLessThan(4 * Math.sqrt((n * p * (1 - p)) / 20000) + 1e-9);
      expect(Math.abs(v / (n * p * (1 - p)) - 1)).toBeLessThan(0.05);
    }
  });
  it("normal quantile inverts the CDF; KS accepts uniform and rejects non-uniform samples", () => {
    for (const p of [1e-6, 0.01, 0.3, 0.5, 0.97]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 6);
    expect(normalQuantile(0.0013499)).toBeCloseTo(-3, 3);
    const rng = new Rng(4);
    const u = Float64Array.from({length: 5000}, () => rng.uniform());
    expect(ksUniform(u).pValue).toBeGreaterThan(0.01);
    expect(ksUniform(u.map((x) => x * x)).pValue).toBeLessThan(1e-10);
    // Known value: D for {0.1, 0.5, 0.9} is max(1/3−0.1, 0.5−1/3, 1−0.9, …) = 0.2333.
    expect(ksUniform([0.1, 0.5, 0.9]).D).toBeCloseTo(0.23333, 4);
  });
  it("the KDE recovers a normal density", () => {
    const g = kdeGrid(gaussian(50000, 0, 1, 8), null);
    for (const x of [-2, 0, 1.5]) expect(Math.exp(gridLogDensity(g, x)) / (Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI))).toBeCloseTo(1, 1);
    // Beyond the samples: the kernel's Gaussian tail, falling like −x²/(2h²).
    expect(gridLogDensity(g, 20)).toBeLessThan(gridLogDensity(g, 10) - 100);
    expect(Number.isFinite(gridLogDensity(g, 100))).toBe(true);
  });
});

describe("unbinned likelihood in TS and the binned baseline", () => {
  const {bg, sig} = species(1);
  const prep = prepareSearch(bg, sig, {energyEdges_keVee: EDGES});

  it("E[−2 ln L | H0] = 2B(1 − ln B) + 2B·H(f0), H the cross-entropy of the background mixture", () => {
    const r = runPseudoExperiments(prep, 10000, 7, 0);
    let m = 0;
    for (const q of r.qUnbinned) m += q;
    m /= r.qUnbinned.length;
    // Cross-entropy of the (100·N(0,1) + 2·N(1,1))/102 mixture with itself, by quadrature.
    const f = (x: number) => ((100 / 102) * Math.exp(-x * x / 2) + (2 / 102) * Math.exp(-((x - 1) ** 2) / 2)) / Math.sqrt(2 * Math.PI);
    let H = 0;
    for (let x = -10; x < 11; x += 0.001) H -= f(x) * Math.log(f(x)) * 0.001;
    const B = 102;
    const expected = 2 * B * (1 - Math.log(B)) + 2 * B * H;
    expect(Math.abs(m - expected)).toBeLessThan(0.01 * Math.abs(expected));
    // The binned analysis sees the vetoed background: 100·2e-4 + 2·0.3 events on average.
    expect(prep.lambda0.reduce((a, b) => a + b, 0)).toBeCloseTo(100 * 2e-4 + 2 * 0.3, 2);
  });

  it("p-values are uniform under H0 (Kolmogorov–Smirnov), for both methods", () => {
    const nullRun = runPseudoExperiments(prep, 10000, 11, 0);
    const test = runPseudoExperiments(prep, 2000, 12, 0);
    const ndU = nullDistribution(nullRun.qUnbinned);
    const pu = Array.from(test.qUnbinned, (q) => pValue(ndU, q, 0).p);
    expect(ksUniform(pu).pValue).toBeGreaterThan(0.01);
    // The binned deviance is discrete (few events): compare its null CDF at observed values
    // instead, P(q ≥ q_obs) being super-uniform; check the mean p is ≥ 0.5 − noise.
    const ndB = nullDistribution(nullRun.qBinned);
    const pb = Array.from(test.qBinned, (q) => pValue(ndB, q, 0).p);
    expect(pb.reduce((a, b) => a + b) / pb.length).toBeGreaterThan(0.48);
    // Negative control: with a signal the p-values are far from uniform.
    const sigRun = runPseudoExperiments(prep, 2000, 13, 1);
    expect(ksUniform(Array.from(sigRun.qUnbinned, (q) => pValue(ndU, q, 0).p)).pValue).toBeLessThan(1e-6);
  });

  it("power grows with the injected signal; so does the median significance", () => {
    const nd = nullDistribution(runPseudoExperiments(prep, 10000, 21, 0).qUnbinned);
    const power: number[] = [], medZ: number[] = [];
    for (const s of [0, 0.25, 0.5, 1, 2]) {
      const r = runPseudoExperiments(prep, 1000, 22, s);
      const ps = Array.from(r.qUnbinned, (q) => pValue(nd, q).p);
      power.push(ps.filter((p) => p < 0.01).length / ps.length);
      medZ.push(pValue(nd, median(r.qUnbinned)).z);
    }
    expect(power[0]).toBeLessThan(0.03); // size of the test ≈ α
    for (let i = 1; i < power.length; i++) expect(power[i]).toBeGreaterThan(power[i - 1]);
    for (let i = 1; i < medZ.length; i++) expect(medZ[i]).toBeGreaterThan(medZ[i - 1]);
    expect(power[4]).toBeGreaterThan(0.9);
  });

  it("median sensitivity improves with exposure for both methods", () => {
    const at = (ex: number) => {
      const s = species(ex);
      return medianSensitivity(prepareSearch(s.bg, s.sig, {energyEdges_keVee: EDGES}), ex, {nNull: 3000, nSignal: 300, seed: 5});
    };
    const pts = [0.05, 0.2, 1, 4].map(at);
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i].zUnbinned).toBeGreaterThan(pts[i - 1].zUnbinned);
      expect(pts[i].powerUnbinned).toBeGreaterThanOrEqual(pts[i - 1].powerUnbinned);
    }
    // Binned: few events pass the veto, the deviance is discrete; its power still grows.
    for (let i = 2; i < pts.length; i++) expect(pts[i].powerBinned).toBeGreaterThan(pts[i - 1].powerBinned);
    expect(pts[3].zBinned).toBeGreaterThan(pts[1].zBinned);
  });

  it("rejects bad setups", () => {
    expect(() => prepareSearch([], null, {energyEdges_keVee: EDGES})).toThrow(/background/);
    expect(() => prepareSearch(bg, null, {energyEdges_keVee: [3, 1]})).toThrow(/increasing/);
  });
});

describe("bulk uniforms", () => {
  it("Rng.fillUniform gives exactly the values of successive uniform() calls", () => {
    const a = new Rng(77), b = new Rng(77);
    const bulk = a.fillUniform(new Float64Array(1000));
    for (let i = 0; i < 1000; i++) expect(bulk[i]).toBe(b.uniform());
    expect(a.uniform()).toBe(b.uniform());
  });
});
