// The training loop (paper Sec. 3): Adam, mini-batches of 64 drawn by weak shuffling, each
// record augmented when drawn, class-weighted BCE; after every epoch the validation set (not
// augmented) is evaluated and the weights with the best validation accuracy are kept. Written
// as a loop of its own rather than `model.fit` so that batches, augmentation, live curves,
// stop and resume are ours and identical in Node and in the page.
import {tf, tfl} from "./tf.js";
import {Rng} from "../../math/random.js";
import {augmentBatch, PAPER_AUGMENTATION, type AugmentationOptions} from "../data/augment.js";
import {weakShuffleBatches, type LabeledSet} from "../data/dataset.js";
import {classWeights, weightedBce, type ClassWeights} from "./loss.js";
import {classifierMetrics, type ClassifierMetrics} from "../eval/metrics.js";
import {predictRecords} from "./models.js";
import {backendInfo, type BackendInfo} from "./backend.js";

/**
 * Another thread computing gradients for part of each mini-batch (data parallelism: with one
 * helper both cores work on every step). It gets the current weights with each request.
 */
export interface GradientHelper {
  gradients(weights: Float32Array[], x: Float32Array, y: Float32Array, w: ClassWeights): Promise<{loss: number; pred: Float32Array; grads: Float32Array[]}>;
}

/**
 * Loss, predictions and gradients (in `model.trainableWeights` order) for one batch. Reads
 * back asynchronously: WebGPU cannot read synchronously.
 */
export async function batchGradients(model: tfl.LayersModel, x: Float32Array, y: Float32Array, samples: number, w: ClassWeights): Promise<{loss: number; pred: Float32Array; grads: tf.Tensor[]}> {
  const m = y.length;
  const vars = model.trainableWeights.map((v) => (v as unknown as {read(): tf.Variable}).read());
  let predT: tf.Tensor | null = null;
  const xt = tf.tensor3d(x, [m, samples, 1]);
  const yt = tf.tensor2d(y, [m, 1]);
  const {value, grads} = tf.variableGrads(() => {
    const p = model.apply(xt, {training: true}) as tf.Tensor;
    predT = tf.keep(tf.clone(p));
    return weightedBce(yt, p, w);
  }, vars);
  const loss = (await value.data())[0];
  const pred = (await (predT as unknown as tf.Tensor).data()) as Float32Array;
  tf.dispose([xt, yt, value, predT as unknown as tf.Tensor]);
  return {loss, pred, grads: vars.map((v) => grads[v.name])};
}

export interface TrainOptions {
  epochs: number;
  batchSize?: number;
  learningRate: number;
  seed?: number;
  augmentation?: AugmentationOptions | null;
  /** Called after every optimizer step. */
  onStep?: (s: {step: number; epoch: number; loss: number; accuracy: number}) => void | Promise<void>;
  /** Called after every epoch with the validation figures. */
  onEpoch?: (e: EpochRecord) => void | Promise<void>;
  /** Polled between steps: return true to stop (the best weights so far are kept). */
  shouldStop?: () => boolean;
  /** Threads sharing each mini-batch (see GradientHelper); none = this thread alone. */
  helpers?: GradientHelper[];
  /**
   * "constant" (the paper) or "cosine": the rate falls from `learningRate` to
   * `learningRate · finalFraction` along a half cosine over all steps, which ends training on
   * settled weights instead of the epoch-to-epoch swings weak shuffling gives at a fixed rate.
   */
  schedule?: LearningRateSchedule;
}

export type LearningRateSchedule = {kind: "constant"} | {kind: "cosine"; finalFraction: number};

/** Learning rate at `step` of `totalSteps` (0-based) under `schedule`. */
export function scheduledLearningRate(base: number, schedule: LearningRateSchedule, step: number, totalSteps: number): number {
  if (schedule.kind === "constant" || totalSteps <= 1) return base;
  const t = Math.min(1, step / (totalSteps - 1));
  const f = schedule.finalFraction;
  return base * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  validation: ClassifierMetrics;
  seconds: number;
  recordsPerSecond: number;
}

export interface TrainingResult {
  epochs: EpochRecord[];
  steps: {step: number; loss: number; accuracy: number}[];
  bestEpoch: number;
  classWeights: ClassWeights;
  backend: BackendInfo;
  trainingRecordsPerSecond: number;
  stopped: boolean;
}

/** Weighted BCE and metrics of `model` on `set` (no augmentation). */
export async function evaluate(model: tfl.LayersModel, set: LabeledSet, w: ClassWeights): Promise<{loss: number; metrics: ClassifierMetrics; prob: Float32Array}> {
  const prob = await predictRecords(model, set.x, set.samples);
  const lossT = tf.tidy(() => weightedBce(tf.tensor1d(set.y), tf.tensor1d(prob), w));
  const loss = (await lossT.data())[0];
  lossT.dispose();
  return {loss, metrics: classifierMetrics(prob, set.y), prob};
}

export async function trainClassifier(model: tfl.LayersModel, train: LabeledSet, validation: LabeledSet, opts: TrainOptions): Promise<TrainingResult> {
  const {epochs, batchSize = 64, learningRate, seed = 1, augmentation = PAPER_AUGMENTATION, helpers = [], schedule = {kind: "constant"}} = opts;
  const L = train.samples;
  const rng = new Rng(seed, 0x7a1);
  const w = classWeights(train.y, augmentation?.pileUpProbability ?? 0);
  const optimizer = tf.train.adam(learningRate);
  const totalSteps = epochs * Math.ceil(train.y.length / batchSize);
  const weights = model.trainableWeights.map((v) => (v as unknown as {read(): tf.Variable}).read());
  const result: TrainingResult = {epochs: [], steps: [], bestEpoch: -1, classWeights: w, backend: backendInfo(), trainingRecordsPerSecond: NaN, stopped: false};
  let best: tf.Tensor[] | null = null;
  let bestAccuracy = -Infinity;
  const xb = new Float32Array(batchSize * L);
  const yb = new Float32Array(batchSize);
  let step = 0, trainSeconds = 0, trainRecords = 0;

  try {
    for (let epoch = 0; epoch < epochs && !result.stopped; epoch++) {
      const t0 = performance.now();
      let lossSum = 0, lossN = 0, records = 0;
      for (const batch of weakShuffleBatches(train.detector, batchSize, rng)) {
        if (opts.shouldStop?.()) { result.stopped = true; break; }
        const m = batch.length;
        for (let k = 0; k < m; k++) {
          xb.set(train.x.subarray(batch[k] * L, (batch[k] + 1) * L), k * L);
          yb[k] = train.y[batch[k]];
        }
        const xs = xb.subarray(0, m * L), ys = yb.subarray(0, m);
        // Adam reads its (public) rate on every applyGradients call.
        (optimizer as unknown as {learningRate: number}).learningRate = scheduledLearningRate(learningRate, schedule, step, totalSteps);
        if (augmentation) augmentBatch(xs, ys, L, rng, augmentation);
        let loss: number, pred: Float32Array;
        if (helpers.length === 0) {
          const g = await batchGradients(model, xs, ys, L, w);
          optimizer.applyGradients(weights.map((v, k) => ({name: v.name, tensor: g.grads[k]})));
          tf.dispose(g.grads);
          ({loss, pred} = g);
        } else {
          // Split the batch: this thread takes the first share, each helper the next one; the
          // batch gradient is the size-weighted mean of the shares' mean gradients.
          const shares = helpers.length + 1;
          const per = Math.ceil(m / shares);
          const current = (await Promise.all(weights.map((v) => v.data()))) as Float32Array[];
          const requests = helpers.map((h, k) => {
            const lo = Math.min(m, (k + 1) * per), hi = Math.min(m, lo + per);
            return hi > lo ? h.gradients(current, xs.slice(lo * L, hi * L), ys.slice(lo, hi), w).then((r) => ({...r, n: hi - lo})) : null;
          });
          // A helper may fail while this thread computes its share: mark the rejection handled
          // now (Promise.all below still throws it) so it is not an unhandled rejection.
          for (const r of requests) r?.catch(() => {});
          const own = await batchGradients(model, xs.subarray(0, per * L), ys.subarray(0, per), L, w);
          const others = (await Promise.all(requests)).filter((r) => r !== null);
          const combined = tf.tidy(() => weights.map((v, k) => {
            let g = tf.mul(own.grads[k], per / m);
            for (const r of others) g = tf.add(g, tf.mul(tf.tensor(r.grads[k], v.shape), r.n / m));
            return g;
          }));
          optimizer.applyGradients(weights.map((v, k) => ({name: v.name, tensor: combined[k]})));
          tf.dispose([...own.grads, ...combined]);
          loss = (own.loss * per + others.reduce((a, r) => a + r.loss * r.n, 0)) / m;
          pred = new Float32Array(m);
          pred.set(own.pred);
          let at = own.pred.length;
          for (const r of others) { pred.set(r.pred, at); at += r.pred.length; }
        }
        let correct = 0;
        for (let k = 0; k < m; k++) if ((pred[k] >= 0.5 ? 1 : 0) === ys[k]) correct++;
        lossSum += loss * m; lossN += m; records += m; step++;
        result.steps.push({step, loss, accuracy: correct / m});
        await opts.onStep?.({step, epoch, loss, accuracy: correct / m});
      }
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds; trainRecords += records;
      if (records === 0) break;
      const val = await evaluate(model, validation, w);
      const rec: EpochRecord = {epoch, trainLoss: lossSum / lossN, validationLoss: val.loss, validation: val.metrics, seconds, recordsPerSecond: records / seconds};
      result.epochs.push(rec);
      if (val.metrics.accuracy > bestAccuracy) {
        bestAccuracy = val.metrics.accuracy;
        result.bestEpoch = epoch;
        tf.dispose(best ?? []);
        best = model.getWeights().map((t) => tf.clone(t));
      }
      await opts.onEpoch?.(rec);
    }
    if (best) model.setWeights(best);
  } finally {
    tf.dispose(best ?? []);
    optimizer.dispose();
  }
  result.trainingRecordsPerSecond = trainRecords / trainSeconds;
  return result;
}
