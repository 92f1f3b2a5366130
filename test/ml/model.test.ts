// The paper's CNN: it learns a separable simulated task, survives a save/load round trip
// bit for bit, refuses damaged model directories, and drives `pulsebook classify`.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {selectBackend, backendInfo} from "../../lib/ml/nets/backend.ts";
import {buildCnn, predictRecords} from "../../lib/ml/nets/models.ts";
import {simulateLabeledSet} from "../../lib/ml/data/simDetectors.ts";
import {trainClassifier} from "../../lib/ml/nets/train.ts";
import {classifierMetrics} from "../../lib/ml/eval/metrics.ts";
import {serializeModel} from "../../lib/ml/nets/classifierFile.ts";
import {CLASSIFIER_FILE} from "../../lib/ml/fileFormat.ts";
import {classifyCommand, loadModelDir, saveModelDir} from "../../data-loaders/ml.ts";
import {writeSimulation} from "../../data-loaders/simulate.ts";
import {readParquet, readParquetMetadata} from "../../data-loaders/io/parquet.ts";
import {DataFileError} from "../../lib/io/errors.ts";
import {LABEL} from "../../lib/types.ts";
import {tf, type tfl} from "../../lib/ml/nets/tf.ts";
import {separablePreset} from "../support/separableTask.ts";

// A separable task: clean pulses against SQUID jumps and spikes on the CRESST-like module.
const preset = separablePreset;

let dir: string;
let model: tfl.LayersModel;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "pulsebook-ml-")); });
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("CNN on a separable simulated task", () => {
  it("reaches balanced accuracy ≥ 0.95 on held-out events after 8 short epochs (wasm)", async () => {
    expect(await selectBackend(["wasm"])).toBe("wasm");
    const p = preset();
    const train = simulateLabeledSet(p, {events: 700, seed: 1, detectorBase: 0, minSnr: 20});
    const validation = simulateLabeledSet(p, {events: 150, seed: 2, detectorBase: 10, minSnr: 20});
    const test = simulateLabeledSet(p, {events: 300, seed: 3, detectorBase: 20, minSnr: 20});
    const pos = train.y.reduce((a, b) => a + b, 0);
    expect(pos).toBeGreaterThan(200);
    expect(train.y.length - pos).toBeGreaterThan(200);
    model = buildCnn(3);
    expect(model.countParams()).toBe(89_989); // paper Table 3
    const steps: number[] = [];
    const result = await trainClassifier(model, train, validation, {epochs: 8, learningRate: 1e-3, seed: 2, onStep: (s) => { steps.push(s.loss); }});
    expect(result.backend.name).toBe("wasm");
    expect(result.epochs).toHaveLength(8);
    expect(steps.length).toBeGreaterThan(8 * 10);
    expect(result.epochs[result.bestEpoch].validation.balancedAccuracy).toBeGreaterThan(0.9);
    const m = classifierMetrics(await predictRecords(model, test.x), test.y);
    expect(m.balancedAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it("save → load gives identical predictions; the manifest records preprocessing, backend, version", async () => {
    const probe = simulateLabeledSet(preset(), {events: 60, seed: 9, detectorBase: 0, minSnr: 5});
    const before = await predictRecords(model, probe.x);
    // The fused forward pass used for inference equals tfjs-layers' own predict.
    const n = probe.y.length;
    const viaLayers = tf.tidy(() => (model.predict(tf.tensor3d(probe.x, [n, 512, 1])) as tf.Tensor).dataSync());
    for (let i = 0; i < n; i++) expect(before[i]).toBeCloseTo(viaLayers[i], 6);
    const {manifest, weights} = await serializeModel(model, {model: "cnn", backend: backendInfo(), metrics: {note: "test"}, training: {epochs: 4}});
    const out = join(dir, "cnn");
    await saveModelDir(out, manifest, weights);
    await saveModelDir(out, manifest, weights); // replacing an existing directory works too
    const loaded = await loadModelDir(out);
    expect(loaded.manifest.formatVersion).toBe(CLASSIFIER_FILE.version);
    expect(loaded.manifest.preprocessing).toMatchObject({samples: 512, scaling: "min-max per record", positiveLabels: [LABEL.EventPulse, LABEL.SaturatedEventPulse]});
    expect(loaded.manifest.backend.name).toBe("wasm");
    const after = await predictRecords(loaded.model, probe.x);
    expect([...after]).toEqual([...before]);
  });

  it("damaged model directories are refused with the file named", async () => {
    const good = join(dir, "cnn");
    const bad = join(dir, "bad");
    await saveModelDir(bad, JSON.parse(readFileSync(join(good, "model.json"), "utf8")), new Uint8Array(readFileSync(join(good, "weights.bin"))));
    const w = readFileSync(join(bad, "weights.bin"));
    w[100] ^= 0xff;
    writeFileSync(join(bad, "weights.bin"), w);
    await expect(loadModelDir(bad)).rejects.toThrow(/weights\.bin: .*does not match the manifest/);
    const m = JSON.parse(readFileSync(join(good, "model.json"), "utf8"));
    m.formatVersion = 99;
    writeFileSync(join(bad, "model.json"), JSON.stringify(m));
    await expect(loadModelDir(bad)).rejects.toThrow(DataFileError);
    await expect(loadModelDir(bad)).rejects.toThrow(/model\.json: format version 99 is not supported/);
    await expect(loadModelDir(join(dir, "nothing"))).rejects.toThrow(/model directory not found/);
  });

  it("classify writes one probability per event and channel, with model and backend recorded", async () => {
    const h5 = join(dir, "in.h5");
    await writeSimulation(h5, {events: 40, seed: 4});
    const out = join(dir, "pred.parquet");
    const {rows, backend} = await classifyCommand(h5, join(dir, "cnn"), out, {backend: ["wasm"]});
    expect(backend).toBe("wasm");
    expect(rows).toBe(80);
    const bytes = new Uint8Array(readFileSync(out));
    const table = readParquet(bytes, out);
    expect(table.numRows).toBe(80);
    const prob = table.getChild("probability")!.toArray() as Float32Array;
    expect(prob.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(table.getChild("label")).toBeTruthy();
    const {metadata} = await readParquetMetadata(bytes, out);
    expect(JSON.parse(metadata["pulsebook.backend"]).name).toBe("wasm");
    expect(metadata["pulsebook.table"]).toBe("predictions");
    // Two worker threads give the same probabilities.
    const out2 = join(dir, "pred2.parquet");
    await classifyCommand(h5, join(dir, "cnn"), out2, {backend: ["wasm"], threads: 2});
    const prob2 = readParquet(new Uint8Array(readFileSync(out2)), out2).getChild("probability")!.toArray() as Float32Array;
    expect(prob2).toHaveLength(80);
    for (let i = 0; i < 80; i++) expect(prob2[i]).toBeCloseTo(prob[i], 6);
  });
});
