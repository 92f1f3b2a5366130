// Signal efficiency from injected pulses (lib/sim/injectPulses.ts, lib/stats/signalEfficiency.ts),
// Clopper–Pearson intervals (lib/stats/binomialInterval.ts), and `pulsebook limit RUN.yaml` on
// the demo run (data-loaders/runEfficiency.ts, data-loaders/limit.ts).
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {stringify} from "yaml";
import {binomialCdf, clopperPearson} from "../lib/stats/binomialInterval.js";
import {efficiencyTable, exposure} from "../lib/stats/signalEfficiency.js";
import {addPulse as addInjected, injectedChunk, injectionPlan} from "../lib/sim/injectPulses.js";
import {addNoise, addPulse, detectorPsd, noiseAmplitudes, normalisedTemplate, Rng} from "../lib/sim/index.js";
import {ofAmplitude, optimumFilter} from "../lib/dsp/optimumFilter.js";
import {triggerStream} from "../lib/dsp/trigger.js";
import {chunkRecord, type RecordLayout} from "../lib/types.js";
import {logFactorial} from "../lib/math/special.js";
import {TARGETS, wimpLimits} from "../lib/stats/wimpLimit.js";
import {readParquet, readParquetMetadata} from "../data-loaders/io/parquet.js";
import {readEfficiency} from "../data-loaders/limit.js";
import {runEfficiency} from "../data-loaders/runEfficiency.js";
import {validateProcessConfig} from "../lib/config/processConfig.js";
import {DEFAULT_TREE_MODEL_DIRS} from "../data-loaders/modelDirs.js";
import {ensureDemoFile} from "../data-loaders/demo.js";
import {demoConfigObject, ensureDemoProcessed} from "../data-loaders/demoProcess.js";
import {runMain} from "./support/cli.js";
import {DEMO_CUTS, demoCleaned} from "./support/demoCleaning.js";

const CUTS = DEMO_CUTS;

describe("Clopper–Pearson interval", () => {
  it("0 of n and n of n: upper = 1 − (α/2)^{1/n}, lower = (α/2)^{1/n}", () => {
    for (const n of [1, 7, 50, 1000]) for (const cl of [0.6827, 0.9, 0.95]) {
      const half = (1 - cl) / 2;
      expect(clopperPearson(0, n, cl)).toMatchObject({lower: 0});
      expect(clopperPearson(0, n, cl).upper).toBeCloseTo(1 - half ** (1 / n), 12);
      expect(clopperPearson(n, n, cl).lower).toBeCloseTo(half ** (1 / n), 12);
      expect(clopperPearson(n, n, cl).upper).toBe(1);
    }
  });

  it("equals the published 95 % intervals", () => {
    // Clopper & Pearson (1934) / standard tables (e.g. R binom.test): 1/10, 5/10, 0/10, 3/20, 27/30.
    const table: [number, number, number, number][] = [
      [1, 10, 0.002528578, 0.445016117], [5, 10, 0.187086028, 0.812913972], [0, 10, 0, 0.308497248],
      [3, 20, 0.032071, 0.378927], [27, 30, 0.734708, 0.978878]
    ];
    for (const [k, n, lo, hi] of table) {
      const ci = clopperPearson(k, n, 0.95);
      expect(ci.lower).toBeCloseTo(lo, 5);
      expect(ci.upper).toBeCloseTo(hi, 5);
    }
  });

  it("covers at least its CL for every p (exact enumeration, n = 25)", () => {
    const n = 25, cl = 0.6827;
    const ci = Array.from({length: n + 1}, (_, k) => clopperPearson(k, n, cl));
    let worst = 1;
    for (let i = 1; i < 400; i++) {
      const p = i / 400;
      let cover = 0;
      for (let k = 0; k <= n; k++) {
        if (ci[k].lower <= p && p <= ci[k].upper) cover += Math.exp(logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
      }
      worst = Math.min(worst, cover);
    }
    expect(worst).toBeGreaterThanOrEqual(cl - 1e-9);
    expect(worst).toBeLessThan(cl + 0.05); // exact, not needlessly wide
  });

  it("binomialCdf equals the direct sum", () => {
    for (const [k, n, p] of [[3, 10, 0.4], [0, 5, 0.2], [40, 100, 0.5], [95, 100, 0.97]]) {
      let s = 0;
      for (let i = 0; i <= k; i++) s += Math.exp(logFactorial(n) - logFactorial(i) - logFactorial(n - i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
      expect(binomialCdf(k, n, p)).toBeCloseTo(s, 12);
    }
    expect(() => clopperPearson(5, 3)).toThrow(/0 ≤ k ≤ n/);
  });
});

describe("efficiency table and exposure", () => {
  it("counts survival cumulatively per energy", () => {
    const energy = [1, 1, 1, 1, 2, 2, 2, 2];
    const t = efficiencyTable(energy, [
      {name: "trigger", pass: [0, 1, 1, 1, 1, 1, 1, 1]},
      {name: "cut", pass: [1, 0, 1, 1, 1, 1, 0, 1]}
    ], 0.9);
    expect(t.steps).toEqual(["trigger", "cut"]);
    expect(t.rows.map((r) => [r.energy_keV, r.injected, ...r.survived])).toEqual([[1, 4, 3, 2], [2, 4, 4, 3]]);
    expect(t.rows[0].efficiency).toBe(0.5);
    expect(t.rows[1].lower).toBeCloseTo(clopperPearson(3, 4, 0.9).lower, 14);
  });

  it("is mass × (live − dead − removed)", () => {
    const e = exposure({mass_kg: 0.024, live_h: 48, dead_h: 6, removed_h: 18});
    expect(e.usable_h).toBe(24);
    expect(e.kg_day).toBeCloseTo(0.024, 15);
    expect(() => exposure({mass_kg: 1, live_h: 1, dead_h: 1, removed_h: 0})).toThrow(/no time left/);
  });
});

describe("injected pulses", () => {
  it("are the standard event shifted and added to the noise record", () => {
    const sev = Float64Array.from({length: 16}, (_, i) => (i >= 4 ? Math.exp(-(i - 4) / 3) : 0));
    const noise = Float64Array.from({length: 16}, (_, i) => 0.01 * i);
    const out = new Float64Array(16);
    addInjected(noise, sev, 2, 3, out);
    for (let t = 0; t < 16; t++) expect(out[t]).toBeCloseTo(noise[t] + 2 * sev[Math.max(0, t - 3)], 14);
    addInjected(noise, sev, 1, 0.5, out);
    expect(out[6]).toBeCloseTo(noise[6] + 0.5 * (sev[6] + sev[5]), 14);
  });

  it("use every noise record equally, with onsets in ±jitter", () => {
    const plan = injectionPlan({energies_keV: [1, 2], perEnergy: 10, noiseRecords: 5, jitterSamples: 4, seed: 3});
    expect(plan).toHaveLength(20);
    const uses = new Array(5).fill(0);
    for (const p of plan) { uses[p.noiseEvent]++; expect(Math.abs(p.shift)).toBeLessThanOrEqual(4); }
    expect(uses).toEqual([4, 4, 4, 4, 4]);
  });

  // The proof the issue asks for: the efficiency of injected pulses, counted as the run's
  // analysis counts it (OF amplitude of the record above threshold), equals the trigger
  // efficiency measured independently — fresh records made by the pulse model plus fresh noise,
  // triggered by the stream trigger (lib/dsp/trigger.ts) at the same threshold.
  it("have the efficiency the stream trigger measures on simulated records of the same amplitude", () => {
    const layout: RecordLayout = {sampleFrequency_Hz: 25000, recordLength: 2048, triggerIndex: 512};
    const shape = {t0_ms: 0, An: 1, At: 0.4, tauN_ms: 4, tauIn_ms: 0.4, tauT_ms: 15};
    const psd = detectorPsd(layout, 2e-9, 4e-9, 2000, [0, 0, 0]);
    const amps = noiseAmplitudes(psd, layout.sampleFrequency_Hz);
    const sev = normalisedTemplate(shape, layout);
    const of = optimumFilter(sev, psd, layout);
    const sigma = of.resolution_V, threshold_V = 5 * sigma;
    const N = 300;
    const heights = [-1, -0.5, 0, 0.5, 1, 2].map((z) => threshold_V + z * sigma);

    // Injection: N noise records, the SEV scaled to each height added with ±1 ms jitter.
    const rngNoise = new Rng(11);
    const noise = Array.from({length: N}, () => ({samples: [addNoise(new Float64Array(layout.recordLength), amps, rngNoise)], hours: 0}));
    const plan = injectionPlan({energies_keV: heights, perEnergy: N, noiseRecords: N, jitterSamples: 25, seed: 5});
    const chunk = injectedChunk(plan, (e) => noise[e], [sev], [plan.map((p) => p.energy_keV)]);
    const injectedPass = plan.map((_, k) => (ofAmplitude(of, chunkRecord(chunk, 0, k)).amplitude_V > threshold_V ? 1 : 0));
    const table = efficiencyTable(plan.map((p) => p.energy_keV), [{name: "trigger", pass: injectedPass}]);

    // Independent: one continuous noise stream per height with a model pulse every 2 records
    // (so no search window reaches the next one), triggered by the stream trigger's filter
    // walk; a pulse counts as found when a trigger's aligned sample falls within 4 ms of it.
    const spacing = 2 * layout.recordLength, length = N * spacing;
    const streamAmps = noiseAmplitudes(detectorPsd({...layout, recordLength: length}, 2e-9, 4e-9, 2000, [0, 0, 0]), layout.sampleFrequency_Hz);
    const rng = new Rng(97);
    const pulse = new Float64Array(layout.recordLength);
    const independent = heights.map((h) => {
      const stream = addNoise(new Float64Array(length), streamAmps, rng);
      const at = Array.from({length: N}, (_, i) => i * spacing + 1024 + Math.round((2 * rng.uniform() - 1) * 25));
      for (const start of at) {
        pulse.fill(0);
        addPulse(pulse, shape, layout, h);
        for (let t = 0; t < pulse.length; t++) stream[start - layout.triggerIndex + t] += pulse[t];
      }
      const found = triggerStream(of, stream, {threshold_V}).map((t) => t.alignedSample);
      return at.filter((s) => found.some((f) => Math.abs(f - s) < 100)).length / N;
    });
    const rows = table.rows;
    expect(rows.map((r) => r.energy_keV)).toEqual(heights);
    rows.forEach((r, i) => {
      const p = 0.5 * (r.efficiency + independent[i]);
      const se = Math.sqrt((2 * Math.max(p * (1 - p), 1 / N)) / N);
      expect(Math.abs(r.efficiency - independent[i])).toBeLessThan(3.5 * se);
    });
    // And the curve is a trigger curve: low below threshold, ≈ ½ at it, ≈ 1 two σ above.
    expect(rows[0].efficiency).toBeLessThan(0.3);
    expect(rows[2].efficiency).toBeGreaterThan(0.35);
    expect(rows[2].efficiency).toBeLessThan(0.8);
    expect(rows[5].efficiency).toBeGreaterThan(0.95);
  });
});

describe("pulsebook limit RUN.yaml on the demo run", () => {
  let dir = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-runlimit-"));
    // The demo's processing config, as a file: its output folder (and reuse store) is the demo's.
    writeFileSync(join(dir, "run.yaml"), stringify(demoConfigObject(await ensureDemoFile())));
    await ensureDemoProcessed();
  }, 600_000);
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it("limits with the run's surviving events, measured efficiency and exposure, with lineage", async () => {
    const out = join(dir, "limit.parquet"), eff = join(dir, "eff.parquet");
    const r = await runMain(["limit", join(dir, "run.yaml"), "--masses", "1:100:3", "--cuts", CUTS, "--classifier", DEFAULT_TREE_MODEL_DIRS.four,
      "--injected", "20", "--method", "maximum-gap", "--efficiency-out", eff, "--out", out, "--quiet"]);
    expect(r.code, r.err).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    const {metadata} = await readParquetMetadata(bytes, out);
    expect(metadata["pulsebook.lineage"]).toMatch(/^[0-9a-f]{64}$/);
    const run = JSON.parse(metadata["pulsebook.run"]);
    const limit = JSON.parse(metadata["pulsebook.limit"]);
    expect(JSON.parse(metadata["pulsebook.efficiency"]).steps).toEqual(["trigger", "cut: Onset near the trigger", "cut: Flat baseline", "cut: No spike", "classifier: trees-four"]);

    // Independently (test/support/demoCleaning.ts): the processed event table, the cut files,
    // the tree model, the threshold → the surviving energies; the exposure from the records' hours.
    const {energies, exposure_kg_day} = await demoCleaned(run.threshold);
    expect(run.passed).toBe(energies.length);
    expect(energies.length).toBeGreaterThan(100);
    expect(limit.exposure_kg_day).toBeCloseTo(exposure_kg_day, 12);

    // The limit equals the library's with these energies and the efficiency table written.
    const efficiency = readEfficiency(eff);
    expect(efficiency.energy_keV.length).toBe(24);
    const want = wimpLimits(energies, [1, 10, 100], {target: TARGETS.CaWO4, exposure_kg_day: limit.exposure_kg_day, window_keV: limit.window_keV, efficiency}, {method: "maximum-gap"});
    const sigma = Array.from(readParquet(bytes, out).getChild("sigma_cm2")!.toArray() as Float64Array);
    sigma.forEach((s, i) => expect(s / want[i].sigma_cm2).toBeCloseTo(1, 9));
    // The efficiency rises from 0 below the threshold energy to 1 well above it.
    expect(efficiency.efficiency[0]).toBe(0);
    expect(efficiency.efficiency[efficiency.efficiency.length - 1]).toBeGreaterThan(0.9);
    expect(limit.window_keV[0]).toBeCloseTo(run.threshold_keV, 12);
  }, 240_000);

  it("names the config and the step it needs", async () => {
    const config = validateProcessConfig({...demoConfigObject(await ensureDemoFile()), calibration: false}, join(dir, "run.yaml"));
    await expect(runEfficiency(config)).rejects.toThrow(/run\.yaml: calibration must be enabled/);
  });

  it("says which options a run gives and which it needs", async () => {
    const both = await runMain(["limit", join(dir, "run.yaml"), "--events", "x.parquet", "--out", join(dir, "x.parquet")]);
    expect(both.code).not.toBe(0);
    expect(both.err).toMatch(/RUN\.yaml gives the events: drop --events/);
    const none = await runMain(["limit", "--out", join(dir, "x.parquet")]);
    expect(none.code).not.toBe(0);
    expect(none.err).toMatch(/--events is required without RUN\.yaml/);
  });
});
