// Two cores: a helper worker thread computing half of each mini-batch gives the same training
// step as one thread computing all of it; the inference pool gives the same probabilities.
import {afterAll, describe, expect, it} from "vitest";
import {selectBackend, backendInfo} from "../../lib/ml/nets/backend.ts";
import {buildCnn, predictRecords} from "../../lib/ml/nets/models.ts";
import {randomDetectorPreset, simulateLabeledSet} from "../../lib/ml/data/simDetectors.ts";
import {subset} from "../../lib/ml/data/dataset.ts";
import {trainClassifier} from "../../lib/ml/nets/train.ts";
import {serializeModel} from "../../lib/ml/nets/classifierFile.ts";
import {InferencePool} from "../../data-loaders/mlPool.ts";

let pool: InferencePool | null = null;
afterAll(async () => { await pool?.close(); });

describe("data-parallel training and inference on worker threads", () => {
  it("one step with a helper equals one step alone; pooled predictions equal local ones", async () => {
    await selectBackend(["wasm"]);
    const data = simulateLabeledSet(randomDetectorPreset(5), {events: 120, seed: 5, detectorBase: 0});
    const batch = subset(data, Array.from({length: 64}, (_, i) => i));
    const a = buildCnn(4), b = buildCnn(4);
    const {manifest, weights} = await serializeModel(b, {model: "cnn", backend: backendInfo(), metrics: {}, training: {}});
    pool = await InferencePool.create(manifest, weights, {workers: 1, backend: ["wasm"]});
    // Same batch, no augmentation, one step each.
    const opts = {epochs: 1, learningRate: 1e-3, augmentation: null, seed: 1};
    const ra = await trainClassifier(a, batch, batch, opts);
    const rb = await trainClassifier(b, batch, batch, {...opts, helpers: pool.gradientHelpers()});
    expect(ra.steps).toHaveLength(1);
    expect(rb.steps[0].loss).toBeCloseTo(ra.steps[0].loss, 5);
    const wa = a.getWeights().map((t) => t.dataSync());
    const wb = b.getWeights().map((t) => t.dataSync());
    let maxDiff = 0, maxStep = 0;
    const w0 = buildCnn(4).getWeights().map((t) => t.dataSync());
    for (let k = 0; k < wa.length; k++) {
      for (let i = 0; i < wa[k].length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(wa[k][i] - wb[k][i]));
        maxStep = Math.max(maxStep, Math.abs(wa[k][i] - w0[k][i]));
      }
    }
    expect(maxStep).toBeGreaterThan(5e-4); // Adam's first step moves weights by ~lr
    expect(maxDiff).toBeLessThan(maxStep * 1e-2);
    const local = await predictRecords(a, data.x);
    const {manifest: m2, weights: w2} = await serializeModel(a, {model: "cnn", backend: backendInfo(), metrics: {}, training: {}});
    const p2 = await InferencePool.create(m2, w2, {workers: 2, backend: ["wasm"]});
    const pooled = await p2.predict(data.x);
    await p2.close();
    expect(pooled).toHaveLength(local.length);
    for (let i = 0; i < local.length; i++) expect(pooled[i]).toBeCloseTo(local[i], 6);
  });
});
