import {beforeAll, describe, expect, it} from "vitest";
import {tf} from "../lib/ml/nets/tf.js";
import {selectBackend} from "../lib/ml/nets/backend.js";
import {accuracy, backgroundCrossEntropy, disposeClassifier, loadClassifier, predictNR, saveClassifier, trainClassifier, type TpcClassifier} from "../lib/ml/darwin/tpcClassifier.js";
import {anomalyScore, loadVae, saveVae, trainVae, vaeLoss, type Vae} from "../lib/ml/darwin/vae.js";
import {Rng, featureLength, simulateTpc, tpcFeatures, uniformEnergies, type TpcEvents} from "../lib/sim/index.js";

const d = featureLength();
const rng = new Rng(2024);
const sample = (n: number, seed: number) =>
  simulateTpc([{kind: "ER", energy_keV: uniformEnergies(n, 2, 10, rng)}, {kind: "NR", energy_keV: uniformEnergies(n, 5, 35, rng)}], seed);

let clf: TpcClassifier, clfLosses: number[], vae: Vae, vaeLosses: number[], test: TpcEvents;

beforeAll(async () => {
  expect(await selectBackend(["wasm", "cpu"])).toBe("wasm");
  const train = sample(2000, 1);
  test = sample(1000, 2);
  ({model: clf, losses: clfLosses} = await trainClassifier(tpcFeatures(train), train.kind, d, {epochs: 10, seed: 3}));
  const er = simulateTpc([{kind: "ER", energy_keV: uniformEnergies(2000, 2, 10, rng)}], 4);
  ({model: vae, losses: vaeLosses} = await trainVae(tpcFeatures(er), d, {epochs: 10, seed: 5}));
}, 120_000);

describe("ER/NR classifier", () => {
  it("reaches ≥ 98 % accuracy on held-out events (the slides' 98.03 %)", () => {
    expect(clfLosses.at(-1)!).toBeLessThan(clfLosses[0] / 3);
    expect(accuracy(predictNR(clf, tpcFeatures(test)), test.kind)).toBeGreaterThanOrEqual(0.98);
  });

  it("round-trips through its model file; rejects a wrong file", () => {
    const x = tpcFeatures(test).subarray(0, 20 * d);
    const copy = loadClassifier(JSON.parse(JSON.stringify(saveClassifier(clf, {note: "test"}))), "clf.json");
    expect(Array.from(predictNR(copy, x))).toEqual(Array.from(predictNR(clf, x)));
    disposeClassifier(copy);
    expect(() => loadClassifier({format: "other"}, "bad.json")).toThrow(/bad\.json: format is "other", expected "pulsebook-dense-model"/);
    expect(() => loadClassifier(saveVae(vae), "vae.json")).toThrow(/vae\.json: holds a vae model/);
  });
});

describe("VAE on ER and the anomaly score", () => {
  it("training lowers −ELBO; −ELBO is lower on held-out ER than on NR", () => {
    expect(vaeLosses.at(-1)!).toBeLessThan(0.6 * vaeLosses[0]);
    const l = vaeLoss(vae, tpcFeatures(test));
    let er = 0, nr = 0;
    for (let i = 0; i < test.n; i++) test.kind[i] ? (nr += l[i]) : (er += l[i]);
    expect(nr / 1000).toBeGreaterThan(1.1 * (er / 1000));
    const copy = loadVae(JSON.parse(JSON.stringify(saveVae(vae))), "vae.json");
    expect(Array.from(vaeLoss(copy, tpcFeatures(test).subarray(0, 10 * d)))).toEqual(Array.from(l.subarray(0, 10)));
  });

  it("TS = −ELBO + R·H_B: the classifier term makes NR stand out (fraction above the ER 99th percentile grows with R)", () => {
    const x = tpcFeatures(test);
    const ne = vaeLoss(vae, x), hb = backgroundCrossEntropy(predictNR(clf, x));
    const frac = (R: number) => {
      const ts = anomalyScore(ne, hb, R);
      const er = Array.from(ts.subarray(0, 1000)).sort((a, b) => a - b);
      const cut = er[989];
      let above = 0;
      for (let i = 1000; i < 2000; i++) if (ts[i] > cut) above++;
      return above / 1000;
    };
    const f0 = frac(0), f10 = frac(10), f100 = frac(100);
    expect(f10).toBeGreaterThan(f0);
    expect(f100).toBeGreaterThan(0.9);
    expect(() => anomalyScore([1], [1, 2], 1)).toThrow(/H_B/);
    expect(tf.getBackend()).toBe("wasm");
  });
});

describe("backend selection", () => {
  it("skips WebGPU when its backend is not registered, falls back in order, and fails loudly when nothing works", async () => {
    expect(await selectBackend(["webgpu", "cpu"])).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(await selectBackend()).toBe("wasm");
    await expect(selectBackend(["webgpu"])).rejects.toThrow(/no TensorFlow.js backend could be started \(webgpu: not available\)/);
  });
});
