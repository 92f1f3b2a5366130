// The WebGPU code path without a GPU: tfjs-backend-webgpu on Dawn (`webgpu` package) over
// Mesa's llvmpipe (OpenGL ES). The CNN's predictions and one training step on WebGPU agree
// with the wasm backend (and with it our wasm gradient kernels are checked against tfjs's
// WebGPU ones).
import {describe, expect, it} from "vitest";
import {installNodeWebgpu} from "../../data-loaders/nodeWebgpu.ts";
import {selectBackend, backendInfo} from "../../lib/ml/nets/backend.ts";
import {buildCnn, predictRecords} from "../../lib/ml/nets/models.ts";
import {randomDetectorPreset, simulateLabeledSet} from "../../lib/ml/data/simDetectors.ts";
import {subset} from "../../lib/ml/data/dataset.ts";
import {trainClassifier} from "../../lib/ml/nets/train.ts";

describe("WebGPU backend (Dawn on Mesa)", () => {
  it("predicts and trains like wasm", async () => {
    expect(await installNodeWebgpu()).toBe(true);
    const data = simulateLabeledSet(randomDetectorPreset(8), {events: 60, seed: 8, detectorBase: 0});
    const batch = subset(data, Array.from({length: 64}, (_, i) => i));
    const run = async (backend: "webgpu" | "wasm") => {
      expect(await selectBackend([backend])).toBe(backend);
      const model = buildCnn(6);
      const before = await predictRecords(model, data.x);
      const r = await trainClassifier(model, batch, batch, {epochs: 1, learningRate: 1e-3, augmentation: null});
      const after = await predictRecords(model, data.x);
      const info = backendInfo();
      model.dispose();
      return {before, after, loss: r.steps[0].loss, info};
    };
    const gpu = await run("webgpu");
    const cpu = await run("wasm");
    expect(gpu.info.name).toBe("webgpu");
    expect(gpu.info.detail.length).toBeGreaterThan(0);
    expect(gpu.loss).toBeCloseTo(cpu.loss, 4);
    for (let i = 0; i < data.y.length; i++) {
      expect(gpu.before[i]).toBeCloseTo(cpu.before[i], 4);
      expect(gpu.after[i]).toBeCloseTo(cpu.after[i], 3);
    }
    // The step moved the predictions (so the comparison after it tests the gradients).
    expect(Math.max(...cpu.after.map((p, i) => Math.abs(p - cpu.before[i])))).toBeGreaterThan(1e-3);
  }, 120_000);
});
