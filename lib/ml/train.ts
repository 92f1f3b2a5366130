// The training loop (paper Sec. 3): Adam, mini-batches of 64 drawn by weak shuffling, each
// record augmented when drawn, class-weighted BCE; after every epoch the validation set (not
// augmented) is evaluated and the weights with the best validation accuracy are kept. Written
// as a loop of its own rather than `model.fit` so that batches, augmentation, live curves,
// stop and resume are ours and identical in Node and in the page.
import {tf, tfl} from "./tf.js";
import {Rng} from "../sim/random.js";
import {augmentBatch, PAPER_AUGMENTATION, type AugmentationOptions} from "./augment.js";
import {weakShuffleBatches, type LabeledSet} from "./dataset.js";
import {classWeights, weightedBce, type ClassWeights} from "./loss.js";
import {classifierMetrics, type ClassifierMetrics} from "./metrics.js";
import {predictRecords} from "./models.js";
import {backendInfo, type BackendInfo} from "./backend.js";

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
  const loss = tf.tidy(() => weightedBce(tf.tensor1d(set.y), tf.tensor1d(prob), w).dataSync()[0]);
  return {loss, metrics: classifierMetrics(prob, set.y), prob};
}

export async function trainClassifier(model: tfl.LayersModel, train: LabeledSet, validation: LabeledSet, opts: TrainOptions): Promise<TrainingResult> {
  const {epochs, batchSize = 64, learningRate, seed = 1, augmentation = PAPER_AUGMENTATION} = opts;
  const L = train.samples;
  const rng = new Rng(seed, 0x7a1);
  const w = classWeights(train.y);
  const optimizer = tf.train.adam(learningRate);
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
        if (augmentation) augmentBatch(xs, ys, L, rng, augmentation);
        let predKept: tf.Tensor | null = null;
        const x = tf.tensor3d(xs, [m, L, 1]);
        const y = tf.tensor2d(ys, [m, 1]);
        const lossT = optimizer.minimize(() => {
          const p = model.apply(x, {training: true}) as tf.Tensor;
          predKept = tf.keep(tf.clone(p));
          return weightedBce(y, p, w);
        }, true, weights) as tf.Scalar;
        const loss = (await lossT.data())[0];
        const pred = await (predKept as unknown as tf.Tensor).data();
        tf.dispose([x, y, lossT, predKept as unknown as tf.Tensor]);
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
