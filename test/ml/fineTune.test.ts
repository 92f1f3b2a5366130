// `pulsebook train --init models/cnn-full`: fine-tuning the shipped CNN on a user's labels of a
// detector outside its training family (a fast light channel, lib/ml/data/shiftedDetectors.ts)
// must improve its balanced accuracy on held-out records of that detector over the shipped
// model — a bound that fails when --init is ignored (a fresh network on ~200 labels) or when the
// labels do not belong to their records. The new folder records where it came from.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {writeLabelledRun} from "../support/fastLightRun.ts";
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {selectBackend} from "../../lib/ml/nets/backend.ts";
import {predictRecords} from "../../lib/ml/nets/models.ts";
import {classifierMetrics} from "../../lib/ml/eval/metrics.ts";
import {simulateLabeledSet} from "../../lib/ml/data/simDetectors.ts";
import {fastLightDetectorPreset} from "../../lib/ml/data/shiftedDetectors.ts";
import {loadModelDir, DEFAULT_MODEL_DIR} from "../../data-loaders/ml.ts";
import {FINE_TUNE} from "../../lib/ml/nets/modelKinds.ts";
import {runMain} from "../support/cli.ts";

const N = 120, SEED = 3;
// Light pulses decaying in 1.6 ms: the shipped CNN finds fewer than one in ten.
const preset = fastLightDetectorPreset(SEED, 1.6);
let dir: string, h5: string, csv: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-fine-tune-"));
  ({h5, csv} = await writeLabelledRun(dir, preset, N, SEED));
  await selectBackend(["wasm"]);
}, 120_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Balanced accuracy and light-channel recall of a model folder on held-out records of the detector. */
async function heldOut(modelDir: string) {
  const test = simulateLabeledSet(preset, {events: 300, seed: 777, detectorBase: 0});
  const {model} = await loadModelDir(modelDir);
  const prob = await predictRecords(model, test.x);
  model.dispose();
  const light = [...test.y.keys()].filter((i) => test.detector[i] === 1);
  return {ba: classifierMetrics(prob, test.y).balancedAccuracy, lightRecall: classifierMetrics(light.map((i) => prob[i]), light.map((i) => test.y[i])).recall};
}

describe("train --init: fine-tuning on the user's labels", () => {
  it("improves the held-out balanced accuracy on a detector outside the training family, and records its lineage", async () => {
    const out = join(dir, "tuned");
    const r = await runMain(["train", "--init", DEFAULT_MODEL_DIR, "--data", h5, "--labels", csv, "--steps", "120", "--backend", "wasm", "--out", out]);
    expect(r.err).toMatch(/on the held-out labels before fine-tuning: \d+ records, BA [\d.]+, recall [\d.]+/);
    expect(r.err).toMatch(/fine-tuned, on the same held-out labels: \d+ records, BA [\d.]+, recall [\d.]+.*Event_Pulse \d+\/\d+/);
    expect(r.code).toBe(0);
    const shipped = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, "model.json"), "utf8"));
    const m = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(m.model).toBe("cnn-full");
    expect(m.training.lineage.parent).toMatchObject({model: "cnn-full", weightsSha256: shipped.weightsSha256, createdAt: shipped.createdAt});
    expect(m.training.lineage.generation).toBe(1);
    expect(m.training.lineage.labels[0]).toMatchObject({path: csv, sha256_first_MiB: expect.stringMatching(/^[0-9a-f]{64}$/)});
    expect(m.training.learningRate).toBe(FINE_TUNE.learningRate);
    expect(m.training.augmentation).toBe("none (fine-tuning)");
    // As many simulated training-family records as labelled training records, mixed in.
    expect(m.training.replayRecords).toBe(m.training.data.trainRecords);
    expect(r.err).toContain(`mixing in ${m.training.data.trainRecords} simulated records of the training family`);
    // Started from the shipped weights, not merely recorded so: 120 steps at 3·10⁻⁴ move them a
    // little; a fresh network (what ignoring --init trains) lies as far off as the weights are long.
    const w0 = new Float32Array(readFileSync(join(DEFAULT_MODEL_DIR, "weights.bin")).buffer.slice(0));
    const w1 = new Float32Array(readFileSync(join(out, "weights.bin")).buffer.slice(0));
    expect(w1.length).toBe(w0.length);
    let d2 = 0, n2 = 0;
    for (let i = 0; i < w0.length; i++) { d2 += (w1[i] - w0[i]) ** 2; n2 += w0[i] ** 2; }
    expect(Math.sqrt(d2 / n2)).toBeLessThan(0.3);
    expect(Math.sqrt(d2 / n2)).toBeGreaterThan(1e-4);
    // The check on the user's own held-out labels, before and after.
    const {before, after} = m.metrics.heldOut;
    expect(after.records).toBe(before.records);
    expect(after.records).toBeGreaterThan(40);
    expect(after.balancedAccuracy).toBeGreaterThan(before.balancedAccuracy);
    // And on fresh records of the detector, never labelled: the shipped model misses most of
    // the fast light channel's pulses; the fine-tuned one finds them.
    const base = await heldOut(DEFAULT_MODEL_DIR);
    const tuned = await heldOut(out);
    expect(base.lightRecall).toBeLessThan(0.5);
    expect(tuned.lightRecall).toBeGreaterThan(0.8);
    // Measured: BA 0.742 → 0.965, light recall 0.011 → 0.973 (relative weight change 0.028). With
    // the labels shifted by one event (misaligned) the held-out BA above fell, 0.498 → 0.489;
    // without the family records mixed in, such labels still reached 0.608 and 0.115 here.
    // (At the earlier settings, 10⁻⁴ with augmentation, a fresh cnn-full trained on the same labels
    // reached 0.797 and 0.945 on this detector: the weight check above tells it apart.)
    expect(tuned.ba).toBeGreaterThan(base.ba + 0.1);
  }, 180_000);

  it("refuses what fine-tuning cannot do, before any training", async () => {
    expect(await runMain(["train", "--init", DEFAULT_MODEL_DIR, "--data", "sim", "--out", join(dir, "x")]))
      .toMatchObject({code: 2, err: expect.stringContaining("--init fine-tunes on your labelled files")});
    expect(await runMain(["train", "--data", h5, "--labels", csv, "--validation", h5, "--steps", "5", "--out", join(dir, "x")]))
      .toMatchObject({code: 2, err: expect.stringContaining("--steps is for fine-tuning (--init DIR)")});
    expect(await runMain(["train", "--data", h5, "--labels", csv, "--validation", h5, "--replay", "2", "--out", join(dir, "x")]))
      .toMatchObject({code: 2, err: expect.stringContaining("--replay is for fine-tuning (--init DIR)")});
    expect(await runMain(["train", "--init", DEFAULT_MODEL_DIR, "--model", "tscn", "--data", h5, "--labels", csv, "--out", join(dir, "x")]))
      .toMatchObject({code: 1, err: expect.stringContaining("--model tscn differs from the --init model's kind cnn-full")});
    expect(await runMain(["train", "--init", DEFAULT_MODEL_DIR, "--data", h5, "--labels", csv, "--out", DEFAULT_MODEL_DIR, "--force"]))
      .toMatchObject({code: 2, err: expect.stringContaining("writing it would destroy the input")});
    const missing = join(dir, "no-model");
    expect(await runMain(["train", "--init", missing, "--data", h5, "--labels", csv, "--out", join(dir, "x")]))
      .toMatchObject({code: expect.any(Number), err: expect.stringContaining(missing)});
  });
});
