// The paper's CNN (Table 3) cannot see the end of the record; "cnn-full" (same padding) sees it
// all. Checked through the gradient of the output with respect to each input sample, which is
// exactly zero for samples no path of the network reads. Also the cosine learning-rate schedule.
import {beforeAll, describe, expect, it} from "vitest";
import {selectBackend} from "../../lib/ml/nets/backend.ts";
import {buildModel} from "../../lib/ml/nets/models.ts";
import {scheduledLearningRate} from "../../lib/ml/nets/train.ts";
import {Rng} from "../../lib/math/random.ts";
import {tf, type tfl} from "../../lib/ml/nets/tf.ts";

beforeAll(async () => { await selectBackend(["wasm"]); });

/** Σ over records of |∂ output / ∂ input sample|, per sample. */
function inputSensitivity(model: tfl.LayersModel, records: number): Float32Array {
  const rng = new Rng(11);
  const x = tf.tensor3d(Float32Array.from({length: records * 512}, () => rng.uniform()), [records, 512, 1]);
  const g = tf.grad((t: tf.Tensor) => tf.sum(model.apply(t) as tf.Tensor))(x);
  const s = tf.sum(tf.abs(g), [0, 2]).dataSync() as Float32Array;
  tf.dispose([x, g]);
  return s;
}

describe("cnn-full: Table 3's CNN with same padding", () => {
  it("has 128,389 weights (paper CNN 89,989 + 192 × 200 more dense inputs)", () => {
    const m = buildModel("cnn-full", 1);
    // conv 8·1·4+4 = 36, 8·4·16+16 = 528, 8·16·64+64 = 8,256; 512 → 8 samples × 64 = 512 inputs:
    // dense 512·200+200 = 102,600, 200·84+84 = 16,884, 84+1 = 85.
    expect(m.countParams()).toBe(36 + 528 + 8256 + 102_600 + 16_884 + 85);
    expect(m.countParams() - buildModel("cnn", 1).countParams()).toBe((512 - 320) * 200);
    m.dispose();
  });

  it("the paper's CNN reads none of the last 45 samples; cnn-full reads every sample", () => {
    const paper = buildModel("cnn", 1), full = buildModel("cnn-full", 1);
    const sp = inputSensitivity(paper, 16), sf = inputSensitivity(full, 16);
    // Paper: conv 512 → 505, pool → 126 (reads conv outputs 0…503), conv → 119, pool → 29
    // (0…115), conv → 22, pool → 5 (0…19): input samples 0…466 only.
    expect(sp.subarray(0, 467).every((v) => v > 0)).toBe(true);
    expect(sp.subarray(467).every((v) => v === 0)).toBe(true);
    expect(sf.every((v) => v > 0)).toBe(true);
    paper.dispose();
    full.dispose();
  });
});

describe("learning-rate schedule", () => {
  it("cosine falls from the rate to finalFraction × rate; constant stays", () => {
    const s = {kind: "cosine", finalFraction: 0.02} as const;
    expect(scheduledLearningRate(5e-4, s, 0, 101)).toBeCloseTo(5e-4, 15);
    expect(scheduledLearningRate(5e-4, s, 50, 101)).toBeCloseTo(5e-4 * (0.02 + 0.98 * 0.5), 15);
    expect(scheduledLearningRate(5e-4, s, 100, 101)).toBeCloseTo(1e-5, 15);
    expect(scheduledLearningRate(5e-4, s, 500, 101)).toBeCloseTo(1e-5, 15);
    expect(scheduledLearningRate(5e-4, {kind: "constant"}, 77, 101)).toBe(5e-4);
  });
});
