// Event-by-event ER/NR classifier on x = [S1 waveform, S2 waveform, S2 pattern] (the
// DARWIN pipeline's supervised network): standardised inputs → dense 64 ReLU → 32 ReLU →
// sigmoid p(NR | x), binary cross-entropy, Adam. Its per-event cross-entropy with respect to
// the background label, H_B = −ln(1 − p), enters the anomaly score TS = −ELBO + R·H_B.
import {tf} from "../nets/tf.js";
import {Rng} from "../../math/random.js";
import {applyDense, denseLayer, deserializeModel, evaluateInBatches, fitMiniBatches, fitStandardizer, serializeModel, standardize, type DenseLayer, type ModelFile, type Standardizer} from "../nets/dense.js";

export interface TpcClassifier {
  inputDim: number;
  st: Standardizer;
  l1: DenseLayer;
  l2: DenseLayer;
  out: DenseLayer;
}

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  hidden?: [number, number];
  seed?: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

function logits(m: TpcClassifier, x: tf.Tensor2D): tf.Tensor2D {
  return applyDense(m.out, applyDense(m.l2, applyDense(m.l1, x, "relu"), "relu"));
}

/** Train on rows of x (n × d, raw features) with labels y (1 = NR). */
export async function trainClassifier(x: Float32Array, y: Uint8Array, d: number, opts: TrainOptions = {}): Promise<{model: TpcClassifier; losses: number[]}> {
  const n = y.length;
  if (x.length !== n * d) throw new RangeError(`trainClassifier: x has ${x.length} values, expected ${n} × ${d}`);
  const {epochs = 20, batchSize = 128, learningRate = 3e-3, hidden = [64, 32], seed = 1} = opts;
  const rng = new Rng(seed, 0xc1);
  const st = fitStandardizer(x, d);
  const xs = standardize(x, st);
  const model: TpcClassifier = {inputDim: d, st, l1: denseLayer("c1", d, hidden[0], rng), l2: denseLayer("c2", hidden[0], hidden[1], rng), out: denseLayer("c3", hidden[1], 1, rng, Math.sqrt(1 / hidden[1]))};
  const losses = await fitMiniBatches(xs, d, rng, {epochs, batchSize, learningRate, onEpoch: opts.onEpoch}, (xb, rows) => {
    const yb = tf.tensor2d(Float32Array.from(rows, (r) => y[r]), [rows.length, 1]);
    return {loss: () => tf.losses.sigmoidCrossEntropy(yb, logits(model, xb)) as tf.Scalar, made: [yb]};
  });
  return {model, losses};
}

/** p(NR | x) for each row of raw features x, in batches. */
export function predictNR(m: TpcClassifier, x: Float32Array, batch = 1024): Float32Array {
  const d = m.inputDim;
  return evaluateInBatches(standardize(x, m.st), d, batch, new Float32Array(x.length / d), (xb) => tf.sigmoid(logits(m, xb)));
}

/** H_B = −ln(1 − p): the binary cross-entropy of each event with respect to the ER label. */
export function backgroundCrossEntropy(pNR: Float32Array): Float64Array {
  return Float64Array.from(pNR, (p) => -Math.log(Math.max(1e-7, 1 - p)));
}

export function accuracy(pNR: Float32Array, y: Uint8Array, threshold = 0.5): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if ((pNR[i] >= threshold ? 1 : 0) === y[i]) ok++;
  return ok / y.length;
}

export function saveClassifier(m: TpcClassifier, meta: {[k: string]: unknown} = {}): ModelFile {
  return serializeModel("tpc-classifier", m.inputDim, m.st, [m.l1, m.l2, m.out], meta);
}

export function loadClassifier(json: unknown, source: string): TpcClassifier {
  const {file, st, layer: get} = deserializeModel(json, "tpc-classifier", source);
  return {inputDim: file.inputDim, st, l1: get("c1"), l2: get("c2"), out: get("c3")};
}

export function disposeClassifier(m: TpcClassifier): void {
  for (const l of [m.l1, m.l2, m.out]) tf.dispose([l.W, l.b]);
}
