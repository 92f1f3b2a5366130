import {describe, expect, it} from "vitest";
import {DEFAULT_TPC, Rng, featureLength, lindhard, meanQuanta, pmtPositions, sampleSpectrum, simulateTpc, tpcFeatures, uniformEnergies} from "../lib/sim/index.js";

const mean = (a: ArrayLike<number>, idx: number[]) => idx.reduce((s, i) => s + a[i], 0) / idx.length;

describe("TPC toy simulator", () => {
  it("is seeded and independent of batching", () => {
    const e = uniformEnergies(20, 2, 10, new Rng(5));
    const a = simulateTpc([{kind: "ER", energy_keV: e}], 11);
    const b = simulateTpc([{kind: "ER", energy_keV: e.slice(0, 7)}], 11);
    const c = simulateTpc([{kind: "ER", energy_keV: e.slice(7)}], 11, DEFAULT_TPC, 7);
    expect(Array.from(b.s1Waveform)).toEqual(Array.from(a.s1Waveform.slice(0, 7 * DEFAULT_TPC.s1Samples)));
    expect(Array.from(c.s2Pattern)).toEqual(Array.from(a.s2Pattern.slice(7 * 49)));
    expect(simulateTpc([{kind: "ER", energy_keV: e}], 12).s2_PE[0]).not.toBe(a.s2_PE[0]);
    expect(() => simulateTpc([{kind: "NR", energy_keV: [0]}], 1)).toThrow(/energy/);
  });

  it("Lindhard quenching (k = 0.166) matches the closed form: L(10 keVnr) ≈ 0.192, rising with energy", () => {
    // ε = 11.5 E Z^(−7/3), g = 3ε^0.15 + 0.7ε^0.6 + ε, L = kg/(1+kg) (Lindhard 1963).
    const eps = 11.5 * 10 * 54 ** (-7 / 3);
    const g = 3 * eps ** 0.15 + 0.7 * eps ** 0.6 + eps;
    expect(lindhard(10)).toBeCloseTo((0.166 * g) / (1 + 0.166 * g), 12);
    expect(lindhard(10)).toBeGreaterThan(0.18);
    expect(lindhard(10)).toBeLessThan(0.21);
    expect(lindhard(30)).toBeGreaterThan(lindhard(10));
  });

  it("yields depend on energy: ER light yield rises and charge yield falls with energy; NR is quenched", () => {
    const y = (k: "ER" | "NR", E: number) => meanQuanta(k, E);
    expect(y("ER", 10).photons / 10).toBeGreaterThan(y("ER", 2).photons / 2);
    expect(y("ER", 10).electrons / 10).toBeLessThan(y("ER", 2).electrons / 2);
    // Total quanta: E/W for ER, L·E/W for NR.
    const er = y("ER", 5), nr = y("NR", 20);
    expect(er.photons + er.electrons).toBeCloseTo(5 / 0.0137, 6);
    expect(nr.photons + nr.electrons).toBeCloseTo((lindhard(20) * 20) / 0.0137, 6);
    // Charge-to-light ratio much lower for NR: the basis of ER/NR discrimination.
    expect(nr.electrons / nr.photons).toBeLessThan(0.6 * (er.electrons / er.photons));
  });

  it("S1 and S2 sizes follow g1 and the single-electron gain; waveforms sum to the pulse areas", () => {
    const n = 2000;
    const ev = simulateTpc([{kind: "ER", energy_keV: new Float64Array(n).fill(5)}], 3);
    const all = [...Array(n).keys()];
    const q = meanQuanta("ER", 5);
    expect(Math.abs(mean(ev.s1_PE, all) / (q.photons * DEFAULT_TPC.g1) - 1)).toBeLessThan(0.03);
    // Mean S2 with the mean electron survival over a uniform drift.
    const surv = mean(Array.from(ev.drift_us, (t) => Math.exp(-t / DEFAULT_TPC.electronLifetime_us)), all);
    const s2Exp = q.electrons * surv * DEFAULT_TPC.extractionEfficiency * DEFAULT_TPC.seGain_PE;
    expect(Math.abs(mean(ev.s2_PE, all) / s2Exp - 1)).toBeLessThan(0.03);
    // Reconstructed energy is unbiased on average.
    expect(Math.abs(mean(ev.energyRec_keVee, all) / 5 - 1)).toBeLessThan(0.03);
    let wf = 0, area = 0;
    for (let i = 0; i < n; i++) {
      area += ev.s2_PE[i];
      for (let k = 0; k < DEFAULT_TPC.s2Samples; k++) wf += ev.s2Waveform[i * DEFAULT_TPC.s2Samples + k];
    }
    expect(Math.abs(wf / area - 1)).toBeLessThan(0.02);
  });

  it("the S2 hit pattern peaks under the event; S2 widens with drift time; NR S1 is faster", () => {
    const ev = simulateTpc([{kind: "ER", energy_keV: new Float64Array(400).fill(8)}, {kind: "NR", energy_keV: new Float64Array(400).fill(30)}], 9);
    const pm = pmtPositions();
    let near = 0;
    for (let i = 0; i < 400; i++) {
      const pat = ev.s2Pattern.subarray(i * 49, (i + 1) * 49);
      let best = 0;
      for (let k = 1; k < 49; k++) if (pat[k] > pat[best]) best = k;
      if (Math.hypot(pm.x[best] - ev.x_cm[i], pm.y[best] - ev.y_cm[i]) < (2 * DEFAULT_TPC.radius_cm) / 7) near++;
    }
    expect(near / 400).toBeGreaterThan(0.95);
    // RMS width of S2 correlates with drift.
    const width = (i: number) => {
      const w = ev.s2Waveform.subarray(i * 32, (i + 1) * 32);
      let s = 0, m = 0, v = 0;
      for (let k = 0; k < 32; k++) { s += w[k]; m += k * w[k]; }
      m /= s;
      for (let k = 0; k < 32; k++) v += (k - m) ** 2 * w[k];
      return Math.sqrt(v / s);
    };
    const shallow: number[] = [], deep: number[] = [];
    for (let i = 0; i < 400; i++) (ev.drift_us[i] < 300 ? shallow : deep).push(width(i));
    expect(deep.reduce((a, b) => a + b) / deep.length).toBeGreaterThan(1.2 * (shallow.reduce((a, b) => a + b) / shallow.length));
    // Fraction of S1 in the first 2 samples (prompt fraction): higher for NR.
    const prompt = (i: number) => {
      const w = ev.s1Waveform.subarray(i * 24, (i + 1) * 24);
      let s = 0;
      for (const v of w) s += v;
      return (w[0] + w[1] + w[2]) / s;
    };
    const er = [...Array(400).keys()].map(prompt), nr = [...Array(400).keys()].map((i) => prompt(400 + i));
    expect(nr.reduce((a, b) => a + b) / 400).toBeGreaterThan(er.reduce((a, b) => a + b) / 400 + 0.1);
  });

  it("sampleSpectrum draws from the tabulated spectrum; features have the documented layout", () => {
    const E = Float64Array.from({length: 101}, (_, i) => i * 0.5);
    const rate = Float64Array.from(E, (e) => Math.exp(-e / 10));
    const s = sampleSpectrum(20000, E, rate, new Rng(2));
    const m = s.reduce((a, b) => a + b) / s.length;
    const exact = 10 - (50 * Math.exp(-5)) / (1 - Math.exp(-5)); // mean of truncated exponential
    expect(Math.abs(m - exact)).toBeLessThan(0.15);
    const ev = simulateTpc([{kind: "NR", energy_keV: [20, 30]}], 1);
    const x = tpcFeatures(ev);
    expect(x.length).toBe(2 * featureLength());
    expect(x[0]).toBeCloseTo(Math.log1p(ev.s1Waveform[0]), 6);
  });
});

describe("simulated TPC experiment", () => {
  it("draws Poisson counts of ER, NR background and WIMP events with the WIMP spectrum of the SI rate", async () => {
    const {simulateTpcExperiment} = await import("../lib/sim/tpcExperiment.js");
    const {LXE, wimpRate} = await import("../lib/sim/recoil.js");
    const x = {exposure_tonne_yr: 100, erRate_per_tonne_yr_keV: 3, nrBackground_per_tonne_yr: 0.5, wimp: {mass_GeV: 50, sigma_cm2: 1e-46}};
    const r = simulateTpcExperiment(x, 4);
    expect(r.expected.er).toBeCloseTo(2400, 9);
    const count = (s: number) => r.source.reduce((n, v) => n + (v === s ? 1 : 0), 0);
    expect(Math.abs(count(0) - 2400)).toBeLessThan(4 * Math.sqrt(2400));
    // 50 GeV, 1e-46 cm²: ≈ 22 events/(t·yr) in 5–35 keVnr.
    expect(r.expected.wimp).toBeGreaterThan(2000);
    expect(Math.abs(count(2) - r.expected.wimp)).toBeLessThan(4 * Math.sqrt(r.expected.wimp));
    // Mean WIMP recoil energy equals that of the rate in the window.
    let num = 0, den = 0;
    for (let E = 5; E <= 35; E += 0.01) { const w = wimpRate(E, LXE, x.wimp).total; num += w * E; den += w; }
    let m = 0;
    for (let i = 0; i < r.events.n; i++) if (r.source[i] === 2) m += r.events.energy_keV[i];
    expect(Math.abs(m / count(2) - num / den)).toBeLessThan(0.3);
    for (let i = 0; i < r.events.n; i++) expect(r.events.kind[i]).toBe(r.source[i] === 0 ? 0 : 1);
    expect(simulateTpcExperiment(x, 4).events.s2_PE).toEqual(r.events.s2_PE);
  });
});
