// One measured ML run in a fresh process (tfjs ESM hooks registered by the caller): CNN
// training and inference records/s on one backend, plus inference on a pool of worker threads;
// then the TSCN, the bidirectional LSTM and the transformer (one thread, fewer records: they
// are far bigger or slower). Prints one JSON line. Usage:
//   ml-worker.ts BACKEND [trainRecords] [inferRecords] [poolWorkers] [seqTrainRecords] [seqInferRecords] [models]
// models: comma-separated subset of cnn,cnn-full,tscn,lstm,tst (default all).
import {selectBackend, backendInfo, type BackendName} from "../lib/ml/nets/backend.js";
import {buildModel, predictRecords, PAPER_LEARNING_RATE} from "../lib/ml/nets/models.js";
import {randomDetectorPreset, simulateLabeledSet} from "../lib/ml/data/simDetectors.js";
import {concatSets, subset} from "../lib/ml/data/dataset.js";
import {trainClassifier} from "../lib/ml/nets/train.js";
import {serializeModel} from "../lib/ml/nets/classifierFile.js";
import {InferencePool} from "../data-loaders/mlPool.js";
import {installNodeWebgpu} from "../data-loaders/nodeWebgpu.js";

const [backendArg, trainArg = "3200", inferArg = "20480", poolArg = "2", seqTrainArg = "320", seqInferArg = "2048", modelsArg = "cnn,cnn-full,tscn,lstm,tst"] = process.argv.slice(2);
const models = modelsArg.split(",");
const backend = backendArg as BackendName;
const out: {[k: string]: unknown} = {backend};
// WebGPU in Node: Dawn, on Mesa's llvmpipe where there is no GPU (see detail).
if (backend === "webgpu") await installNodeWebgpu();
try {
  if ((await selectBackend([backend])) !== backend) throw new Error("not selected");
} catch (e) {
  console.log(JSON.stringify({backend, available: false, reason: (e as Error).message}));
  process.exit(0);
}
out.detail = backendInfo().detail;
// Realistic records: simulated detectors, preprocessed.
const parts = [];
for (let d = 0; d < 4; d++) parts.push(simulateLabeledSet(randomDetectorPreset(900 + d), {events: 600, seed: d + 1, detectorBase: 2 * d}));
const pool = concatSets(parts);
const trainN = Math.min(Number(trainArg), pool.y.length);
const train = subset(pool, Array.from({length: trainN}, (_, i) => i));
const val = subset(pool, Array.from({length: 256}, (_, i) => i));
// Inference input: the pool's records repeated.
const inferN = Number(inferArg);
const x = new Float32Array(inferN * 512);
for (let i = 0; i < inferN; i++) x.set(pool.x.subarray((i % pool.y.length) * 512, (i % pool.y.length + 1) * 512), i * 512);
// The CNNs: both kinds measured alike (cnn-full has "same" padding: 4× the conv work at the last
// two stages' inputs, 512 dense inputs instead of 320).
for (const kind of (["cnn", "cnn-full"] as const).filter((k) => models.includes(k))) {
  const key = kind.replace("-", "_");
  const model = buildModel(kind, 1);
  // One warm-up epoch on a few batches, then the measured epoch (training steps only).
  await trainClassifier(model, subset(train, Array.from({length: 256}, (_, i) => i)), val, {epochs: 1, learningRate: 5e-4});
  const r = await trainClassifier(model, train, val, {epochs: 1, learningRate: 5e-4});
  out[`${key}_train_records_per_s`] = r.trainingRecordsPerSecond;
  out[`${key}_train_records`] = trainN;

  await predictRecords(model, x.subarray(0, 2048 * 512));
  let t0 = performance.now();
  await predictRecords(model, x);
  out[`${key}_infer_records_per_s`] = inferN / ((performance.now() - t0) / 1000);
  out[`${key}_infer_records`] = inferN;

  const workers = Number(poolArg);
  if (workers > 0 && backend !== "webgpu") {
    const {manifest, weights} = await serializeModel(model, {model: kind, backend: backendInfo(), metrics: {}, training: {}});
    // Training on 2 threads: this one plus a helper worker, each half of every mini-batch.
    const helper = await InferencePool.create(manifest, weights, {workers: workers - 1, backend: [backend]});
    const r2 = await trainClassifier(model, train, val, {epochs: 1, learningRate: 5e-4, helpers: helper.gradientHelpers()});
    out[`${key}_train_records_per_s_${workers}_threads`] = r2.trainingRecordsPerSecond;
    await helper.close();
    const p = await InferencePool.create(manifest, weights, {workers, backend: [backend]});
    await p.predict(x.subarray(0, 4096 * 512));
    t0 = performance.now();
    await p.predict(x);
    out[`${key}_infer_records_per_s_${workers}_workers`] = inferN / ((performance.now() - t0) / 1000);
    await p.close();
  }
}

// TSCN, LSTM and TST: a warm-up of 64 records, then one measured epoch at the paper's learning rate.
for (const kind of (["tscn", "lstm", "tst"] as const).filter((k) => models.includes(k))) {
  const n = Math.min(Number(seqTrainArg), pool.y.length), m = Number(seqInferArg);
  if (n === 0) continue;
  const seq = buildModel(kind, 1);
  const lr = PAPER_LEARNING_RATE[kind];
  await trainClassifier(seq, subset(train, Array.from({length: 64}, (_, i) => i)), subset(val, Array.from({length: 64}, (_, i) => i)), {epochs: 1, learningRate: lr});
  const rs = await trainClassifier(seq, subset(pool, Array.from({length: n}, (_, i) => i)), subset(val, Array.from({length: 64}, (_, i) => i)), {epochs: 1, learningRate: lr});
  out[`${kind}_train_records_per_s`] = rs.trainingRecordsPerSecond;
  out[`${kind}_train_records`] = n;
  await predictRecords(seq, x.subarray(0, 256 * 512));
  const t0 = performance.now();
  await predictRecords(seq, x.subarray(0, m * 512));
  out[`${kind}_infer_records_per_s`] = m / ((performance.now() - t0) / 1000);
  out[`${kind}_infer_records`] = m;
  seq.dispose();
}
console.log(JSON.stringify(out));
