// A worker of the pool that dies mid-job (here: terminated from outside, as the OS would on out
// of memory) rejects its pending jobs with a message naming the worker, its exit code and the
// job; later jobs fail at once; training with the pool as helpers fails instead of hanging.
import {afterEach, describe, expect, it} from "vitest";
import type {Worker} from "node:worker_threads";
import {selectBackend, backendInfo} from "../../lib/ml/nets/backend.ts";
import {buildCnn} from "../../lib/ml/nets/models.ts";
import {randomDetectorPreset, simulateLabeledSet} from "../../lib/ml/data/simDetectors.ts";
import {trainClassifier} from "../../lib/ml/nets/train.ts";
import {serializeModel} from "../../lib/ml/nets/classifierFile.ts";
import {MODEL_SAMPLES} from "../../lib/ml/data/preprocess.ts";
import {InferencePool, WorkerDiedError} from "../../data-loaders/mlPool.ts";

const pools: InferencePool[] = [];
afterEach(async () => { await Promise.all(pools.splice(0).map((p) => p.close())); });

async function makePool(workers: number) {
  await selectBackend(["wasm"]);
  const model = buildCnn(4);
  const {manifest, weights} = await serializeModel(model, {model: "cnn", backend: backendInfo(), metrics: {}, training: {}});
  const pool = await InferencePool.create(manifest, weights, {workers, backend: ["wasm"]});
  pools.push(pool);
  return {pool, model};
}

/** Stops worker k the way a crash would: the pool only sees it exit. */
const kill = (pool: InferencePool, k: number) => (pool as unknown as {workers: Worker[]}).workers[k].terminate();

const data = simulateLabeledSet(randomDetectorPreset(5), {events: 80, seed: 5, detectorBase: 0});

describe("worker pool with a dead worker", () => {
  it("rejects the dead worker's pending predictions and fails later jobs at once", {timeout: 30_000}, async () => {
    const {pool} = await makePool(2);
    const n = data.y.length, half = Math.ceil(n / 2);
    const job = pool.predict(data.x);
    const killedAt = performance.now();
    void kill(pool, 1);
    const err = await job.catch((e) => e);
    expect(performance.now() - killedAt).toBeLessThan(5000);
    expect(err).toBeInstanceOf(WorkerDiedError);
    expect(err.message).toMatch(new RegExp(`^model worker 2 of 2 exited with code 1 while predicting records ${half}–${n - 1} of a batch of ${n}$`));
    // The pool is unusable now: new jobs, for either worker, fail without waiting.
    const t0 = performance.now();
    await expect(pool.predict(data.x)).rejects.toThrow(/model worker 2 of 2 exited with code 1; the worker pool is unusable/);
    await expect(pool.gradientHelpers()[0].gradients([], new Float32Array(4), new Float32Array(1), {negative: 1, positive: 1})).rejects.toThrow(WorkerDiedError);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it("rejects a pending gradient job of a dead helper", {timeout: 30_000}, async () => {
    const {pool, model} = await makePool(1);
    const current = (await Promise.all(model.trainableWeights.map((v) => v.read().data()))) as Float32Array[];
    const job = pool.gradientHelpers()[0].gradients(current, data.x.slice(0, 16 * MODEL_SAMPLES), data.y.slice(0, 16), {negative: 1, positive: 1});
    void kill(pool, 0);
    await expect(job).rejects.toThrow(/^model worker 1 of 1 exited with code 1 while computing gradients for 16 records of a training mini-batch$/);
  });

  it("training with a helper that dies fails with the worker's message instead of hanging", {timeout: 30_000}, async () => {
    const {pool, model} = await makePool(1);
    let steps = 0;
    const run = trainClassifier(model, data, data, {
      epochs: 3, batchSize: 16, learningRate: 1e-3, augmentation: null, seed: 1, helpers: pool.gradientHelpers(),
      onStep: () => { if (++steps === 2) void kill(pool, 0); }
    });
    await expect(run).rejects.toThrow(/^model worker 1 of 1 exited with code 1/);
    expect(steps).toBe(2);
  });

  it("close rejects jobs still pending", {timeout: 30_000}, async () => {
    const {pool} = await makePool(1);
    const job = expect(pool.predict(data.x)).rejects.toThrow("worker pool closed");
    await pool.close();
    await job;
    await expect(pool.predict(data.x)).rejects.toThrow("worker pool closed");
  });
});
