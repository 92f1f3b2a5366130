// IOR and IOS of the boosted trees (lib/ml/eval/treeSimEval.ts) on the simulated probes of
// lib/ml/eval/simEval.ts: the raw records behind the networks' probes, the figures recomputed
// independently from per-record features and predictions, and `pulsebook evaluate-trees --write`.
import {afterAll, beforeAll, describe, expect, it, vi} from "vitest";
import {cpSync, mkdtempSync, readdirSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {computeFeatures} from "../../lib/dsp/features.ts";
import {preprocessRecord, MODEL_SAMPLES} from "../../lib/ml/data/preprocess.ts";
import {heldOutTestPresets} from "../../lib/ml/data/simDetectors.ts";
import {simulatedCleanPulses, simulatedPileUps, simulatedPileUpsAnywhere, type SimulatedProbe} from "../../lib/ml/eval/simEval.ts";
import {evaluateTreesOnSimulation, predictTreesOnRecords} from "../../lib/ml/eval/treeSimEval.ts";
import {predictMargin, type TreeEnsemble} from "../../lib/ml/trees/trees.ts";
import type {RecordLayout} from "../../lib/types.ts";
import {DEFAULT_TREE_MODEL_DIRS, readTreeModel} from "../../data-loaders/trees.ts";
import {main} from "../../data-loaders/cli/main.ts";

const preset = heldOutTestPresets(1, 1)[0];
const layout = preset.layout;
const L = layout.recordLength;
const COUNT = 60, SEED = 7919;

/** Feature columns of one record, computed on its own (not in the evaluator's blocks). */
function featuresOf(probe: SimulatedProbe, k: number, lay: RecordLayout): {[name: string]: number} {
  const f = computeFeatures({group: "events", start: 0, count: 1, nChannels: 1, recordLength: L, samples: probe.raw!.slice(k * L, (k + 1) * L), hours: new Float64Array(1)}, lay) as unknown as {[name: string]: ArrayLike<number>};
  return Object.fromEntries(Object.entries(f).filter(([, v]) => typeof v === "object").map(([n, v]) => [n, v[0]]));
}

/** Probability of the trees for every record of a probe, one record at a time. */
function probabilitiesByHand(model: TreeEnsemble, probe: SimulatedProbe): number[] {
  return Array.from({length: probe.snr.length}, (_, k) => {
    const f = featuresOf(probe, k, layout);
    const z = predictMargin(model, Float64Array.from(model.features, (n) => f[n]))[0];
    return 1 / (1 + Math.exp(-z));
  });
}

// The probes evaluateOnSimulation draws for one preset: clean with seed, later–smaller pile-up
// with seed + 1, paper-reading pile-up with seed + 2 (seed + 2·presets + k).
const clean = simulatedCleanPulses(preset, 0, COUNT, SEED, undefined, {keepRaw: true});
const pile = simulatedPileUps(preset, 0, COUNT, SEED + 1, undefined, {keepRaw: true});
const anywhere = simulatedPileUpsAnywhere(preset, 0, COUNT, SEED + 2, undefined, {keepRaw: true});

describe("raw records of the simulated probes", () => {
  it("keeping them leaves the networks' preprocessed records unchanged, and they preprocess to those records", () => {
    const plain = simulatedCleanPulses(preset, 0, COUNT, SEED);
    expect(plain.raw).toBeUndefined();
    expect(clean.x).toEqual(plain.x);
    expect([...clean.snr]).toEqual([...plain.snr]);
    expect(simulatedPileUps(preset, 0, COUNT, SEED + 1).x).toEqual(pile.x);
    expect(clean.raw).toHaveLength(COUNT * L);
    for (const k of [0, 17, COUNT - 1]) {
      const x = preprocessRecord(clean.raw!.subarray(k * L, (k + 1) * L));
      const want = clean.x.subarray(k * MODEL_SAMPLES, (k + 1) * MODEL_SAMPLES);
      for (let i = 0; i < MODEL_SAMPLES; i += 7) expect(x[i]).toBeCloseTo(want[i], 5);
    }
  });
});

describe("IOR and IOS of boosted trees", () => {
  it("the shipped 14-feature trees: IOR and IOS in [0, 1], equal to the fractions recomputed record by record", async () => {
    const {model} = readTreeModel(DEFAULT_TREE_MODEL_DIRS.all);
    const r = await evaluateTreesOnSimulation(model, [preset], COUNT, SEED);
    expect(r.records).toBe(3 * COUNT);
    for (const v of [r.ior, r.ios, r.iosLaterSmaller]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // IOR: fraction of clean pulses (SNR 3–300) accepted at cutoff 0.5; IOS: fraction of pile-ups rejected.
    const pc = probabilitiesByHand(model, clean);
    const pp = probabilitiesByHand(model, pile);
    const pa = probabilitiesByHand(model, anywhere);
    expect(r.ior).toBe(pc.filter((p) => p >= 0.5).length / COUNT);
    expect(r.iosLaterSmaller).toBe(pp.filter((p) => p < 0.5).length / COUNT);
    expect(r.ios).toBe(pa.filter((p) => p < 0.5).length / COUNT);
    // The block-wise predictor gives the same probabilities as the record-by-record path.
    const block = predictTreesOnRecords(model, pile.raw!, layout);
    for (let k = 0; k < COUNT; k++) expect(block[k]).toBeCloseTo(pp[k], 12);
    // The bins partition the SNR range: their n-weighted mean recall is the IOR.
    const n = r.recallBySnr.reduce((a, b) => a + b.n, 0);
    expect(n).toBe(COUNT);
    expect(r.recallBySnr.reduce((a, b) => a + (b.n ? b.n * b.rate : 0), 0) / n).toBeCloseTo(r.ior, 12);
  });

  it("a one-split tree on pulse height: IOR is the fraction of clean pulses above the split (≈ ½ at the median)", async () => {
    const heights = Array.from({length: COUNT}, (_, k) => featuresOf(clean, k, layout).pulse_height_V);
    const t = [...heights].sort((a, b) => a - b)[COUNT / 2 - 1];
    // Accept (log-odds +5) when pulse_height_V > t, reject (−5) otherwise.
    const stump: TreeEnsemble = {features: ["pulse_height_V"], baseScore: 0, trees: [{
      feature: Int32Array.of(0, -1, -1), threshold: Float64Array.of(t, 0, 0), left: Int32Array.of(1, -1, -1),
      right: Int32Array.of(2, -1, -1), value: Float64Array.of(0, -5, 5), cover: Float64Array.of(2, 1, 1)
    }]};
    const r = await evaluateTreesOnSimulation(stump, [preset], COUNT, SEED);
    expect(r.ior).toBe(heights.filter((h) => h > t).length / COUNT);
    expect(r.ior).toBe(0.5);
    const pileHeights = Array.from({length: COUNT}, (_, k) => featuresOf(pile, k, layout).pulse_height_V);
    expect(r.iosLaterSmaller).toBe(pileHeights.filter((h) => !(h > t)).length / COUNT);
    const anyHeights = Array.from({length: COUNT}, (_, k) => featuresOf(anywhere, k, layout).pulse_height_V);
    expect(r.ios).toBe(anyHeights.filter((h) => !(h > t)).length / COUNT);
    // Pulse height grows with SNR: the accepted clean pulses are the high-SNR half.
    const accepted = [...clean.snr].filter((_, k) => heights[k] > t);
    const rejected = [...clean.snr].filter((_, k) => !(heights[k] > t));
    expect(Math.min(...accepted)).toBeGreaterThan(Math.max(...rejected) * 0.8);
  });
});

describe("pulsebook evaluate-trees", () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "pulsebook-eval-trees-")); });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it("--write adds IOR and IOS to the model file's test metrics, keeping the rest; bad model → exit 1 naming the file", async () => {
    const m = join(dir, "trees");
    cpSync(DEFAULT_TREE_MODEL_DIRS.four, m, {recursive: true});
    const before = JSON.parse(readFileSync(join(m, "trees.json"), "utf8"));
    const out: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => { out.push(a.join(" ")); });
    try {
      expect(await main(["evaluate-trees", "--model", m, "--modules", "1", "--probes", "30", "--write"])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const printed = JSON.parse(out.join("\n"));
    const after = JSON.parse(readFileSync(join(m, "trees.json"), "utf8"));
    expect(after.metrics.test.ior).toBe(printed.ior);
    expect(after.metrics.test.ios).toBe(printed.ios);
    expect(printed.ior).toBeGreaterThanOrEqual(0);
    expect(printed.ios).toBeLessThanOrEqual(1);
    expect(after.metrics.test.simulation).toMatchObject({testModules: 1, seed: 1, probesPerModule: 30, records: 90});
    expect(after.metrics.test.recallBySnr.reduce((a: number, b: {n: number}) => a + b.n, 0)).toBe(30);
    // Same figures as the library on the same probes (module seed 1, probe seed 7919).
    const lib = await evaluateTreesOnSimulation(readTreeModel(m).model, heldOutTestPresets(1, 1), 30, 7919);
    expect([lib.ior, lib.ios, lib.iosLaterSmaller]).toEqual([printed.ior, printed.ios, printed.iosLaterSmaller]);
    // Everything else kept: the ensemble, the format version, the earlier held-out metrics.
    expect(after.ensemble).toEqual(before.ensemble);
    expect(after.formatVersion).toBe(before.formatVersion);
    expect(after.createdAt).toBe(before.createdAt);
    expect(after.metrics.test.balancedAccuracy).toBe(before.metrics.test.balancedAccuracy);
    expect(readdirSync(m)).toEqual(["trees.json"]);

    const err: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => { err.push(a.join(" ")); });
    try {
      expect(await main(["evaluate-trees", "--model", join(dir, "none"), "--probes", "5"])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(err.join("\n")).toContain(`${join(dir, "none", "trees.json")}: tree model: file not found (ENOENT)`);
  }, 60_000);
});
