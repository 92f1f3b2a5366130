// The paper's CNN (appendix Table 3): three 1-D convolutions (kernel 8, valid padding, stride 1,
// ReLU) with 4, 16, 64 filters, each followed by max-pooling 4, then dense 320 → 200 → 84 → 1
// (ReLU, ReLU, sigmoid): 512 → 505 → 126 → 119 → 29 → 22 → 5 samples × 64 channels = 320
// inputs, 89,989 weights.
import {tf, tfl} from "./tf.js";
import {MODEL_SAMPLES} from "../data/preprocess.js";
import {Rng} from "../../math/random.js";
import {MultiHeadSelfAttention} from "./attention.js";
import {PositionalEncoding, SeededDropout} from "./tstLayers.js";

import {MODEL_KINDS, type ModelKind} from "./modelKinds.js";
export {MODEL_KINDS, PAPER_LEARNING_RATE, type ModelKind} from "./modelKinds.js";

/**
 * Glorot-uniform kernels and zero biases drawn from our seeded generator, set after the model
 * is built: the same initial weights in Node and in the page, and no call into tfjs's random
 * ops (their CommonJS `seedrandom` import breaks when Framework bundles tfjs for the page).
 */
function initialiseGlorot(model: tfl.LayersModel, seed: number): void {
  const rng = new Rng(seed, 0x9107);
  const weights = model.getWeights().map((w) => {
    const shape = w.shape;
    const values = new Float32Array(w.size);
    if (shape.length >= 2) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = receptive * shape[shape.length - 2], fanOut = receptive * shape[shape.length - 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < values.length; i++) values[i] = (2 * rng.uniform() - 1) * limit;
    }
    return tf.tensor(values, shape);
  });
  model.setWeights(weights);
  tf.dispose(weights);
}

export function buildCnn(seed = 1, samples = MODEL_SAMPLES, padding: "valid" | "same" = "valid"): tfl.LayersModel {
  const conv = (filters: number, first: boolean) =>
    tfl.layers.conv1d({filters, kernelSize: 8, strides: 1, padding, activation: "relu", kernelInitializer: "zeros", ...(first ? {inputShape: [samples, 1]} : {})});
  const pool = () => tfl.layers.maxPooling1d({poolSize: 4, strides: 4, padding: "valid"});
  const model = tfl.sequential({
    name: padding === "valid" ? "cnn" : "cnn_full",
    layers: [
      conv(4, true), pool(),
      conv(16, false), pool(),
      conv(64, false), pool(),
      tfl.layers.flatten(),
      tfl.layers.dense({units: 200, activation: "relu", kernelInitializer: "zeros"}),
      tfl.layers.dense({units: 84, activation: "relu", kernelInitializer: "zeros"}),
      tfl.layers.dense({units: 1, activation: "sigmoid", kernelInitializer: "zeros"})
    ]
  });
  initialiseGlorot(model, seed);
  return model;
}

/**
 * "cnn-full": Table 3's CNN with "same" padding. With valid padding and pooling that drops
 * remainders (505 → 126, 119 → 29, 22 → 5), the paper's CNN never looks at the last 45 of the
 * 512 samples: a pile-up pulse starting there is invisible to it (its selectivity on pile-up
 * whose second onset lies in the last tenth of the window is ≈ 0.05, see docs/ml.md). With
 * "same" padding every stage divides evenly (512 → 128 → 32 → 8 samples × 64 channels = 512
 * dense inputs) and the whole record is seen, for 128,389 weights instead of 89,989.
 */
export function buildCnnFull(seed = 1, samples = MODEL_SAMPLES): tfl.LayersModel {
  return buildCnn(seed, samples, "same");
}

/**
 * The paper's TSCN (appendix Table 5): eight 1-D convolutions (kernel 3, stride 1, padding 1 =
 * "same", ReLU) with 16, 16, 32, 32, 64, 64, 128, 128 filters, max-pooling 2 after every second
 * one, then dense 4096 → 1024 → 512 → 1 (ReLU, ReLU, sigmoid): 512 → 256 → 128 → 64 → 32
 * samples × 128 channels = 4096 inputs.
 */
export function buildTscn(seed = 1, samples = MODEL_SAMPLES): tfl.LayersModel {
  const layers: tfl.layers.Layer[] = [];
  [16, 16, 32, 32, 64, 64, 128, 128].forEach((filters, i) => {
    layers.push(tfl.layers.conv1d({filters, kernelSize: 3, strides: 1, padding: "same", activation: "relu", kernelInitializer: "zeros", ...(i === 0 ? {inputShape: [samples, 1]} : {})}));
    if (i % 2 === 1) layers.push(tfl.layers.maxPooling1d({poolSize: 2, strides: 2, padding: "valid"}));
  });
  layers.push(
    tfl.layers.flatten(),
    tfl.layers.dense({units: 1024, activation: "relu", kernelInitializer: "zeros"}),
    tfl.layers.dense({units: 512, activation: "relu", kernelInitializer: "zeros"}),
    tfl.layers.dense({units: 1, activation: "sigmoid", kernelInitializer: "zeros"})
  );
  const model = tfl.sequential({name: "tscn", layers});
  initialiseGlorot(model, seed);
  return model;
}

/** LSTM input: the 512-sample record as 64 time steps of 8 consecutive samples (Table 4: input size 8). */
export const LSTM_STEP = 8;

/**
 * The paper's bidirectional LSTM (appendix Table 4): 3 stacked bidirectional layers over 64
 * steps of 8 samples, then dense 12,800 → 1 (sigmoid). The table's 12,800 = 64 steps × 200
 * fixes the per-step output at 200 values, so "hidden size 200" is read as the width of the
 * bidirectional state: 100 units per direction, forward and backward outputs concatenated
 * (a 200-unit-per-direction PyTorch LSTM would give 64 × 400 = 25,600 inputs).
 */
export function buildLstm(seed = 1, samples = MODEL_SAMPLES): tfl.LayersModel {
  const steps = samples / LSTM_STEP;
  if (!Number.isInteger(steps)) throw new RangeError(`LSTM input of ${samples} samples is not a whole number of ${LSTM_STEP}-sample steps`);
  const bilstm = () => tfl.layers.bidirectional({
    mergeMode: "concat",
    // Zero initializers: tfjs's random ones (orthogonal recurrent kernel) call its seedrandom
    // import; initialiseGlorot sets every kernel from our generator instead.
    layer: tfl.layers.lstm({units: 100, returnSequences: true, kernelInitializer: "zeros", recurrentInitializer: "zeros"}) as tfl.RNN
  });
  const model = tfl.sequential({
    name: "lstm",
    layers: [
      tfl.layers.reshape({targetShape: [steps, LSTM_STEP], inputShape: [samples, 1]}),
      bilstm(), bilstm(), bilstm(),
      tfl.layers.flatten(),
      tfl.layers.dense({units: 1, activation: "sigmoid", kernelInitializer: "zeros"})
    ]
  });
  initialiseGlorot(model, seed);
  return model;
}

/**
 * The TST's hyperparameters: Table 6 gives blocks, heads, d_model and the feed-forward width;
 * dropout 0.1 is the default of Zerveas' implementation (the paper's Ref. 26; the table is
 * silent); the input as 64 steps of 8 samples is our reading (see buildTst).
 */
export const TST = {blocks: 1, heads: 8, dModel: 64, feedForward: 256, dropout: 0.1, step: 8} as const;

/**
 * The paper's time-series transformer (Sec. 3, Table 6), the classifier of Zerveas et al.
 * (arXiv 2010.02803) with batch norm: the record as 64 steps of 8 samples (Table 6 does not say
 * how the 512 samples enter; we read them as the LSTM's Table 4 does: attention over 512 single
 * samples would hold 64 × 8 × 512² floats per batch, 0.5 GB, for each attention map); linear
 * projection 8 → 64 scaled by √64, learnable positional encoding, dropout; one encoder block:
 * 8-head self-attention, dropout, residual, batch norm, feed-forward 64 → 256 (GELU) → 64,
 * dropout, residual, batch norm; GELU, dropout, all 64 × 64 outputs flattened into dense
 * 4096 → 1 with a sigmoid (binary task). Batch norm normalises each of the 64 features over
 * batch and steps (PyTorch BatchNorm1d on [batch, d_model, steps]: momentum 0.1 = tfjs 0.9,
 * ε 10⁻⁵).
 */
export function buildTst(seed = 1, samples = MODEL_SAMPLES): tfl.LayersModel {
  const {blocks, heads, dModel, feedForward, dropout, step} = TST;
  const steps = samples / step;
  if (!Number.isInteger(steps)) throw new RangeError(`TST input of ${samples} samples is not a whole number of ${step}-sample steps`);
  let k = 0;
  const drop = (h: tfl.SymbolicTensor) => new SeededDropout({rate: dropout, seed: seed * 64 + k++}).apply(h) as tfl.SymbolicTensor;
  const dense = (units: number, activation: "linear" | "gelu" | "sigmoid", h: tfl.SymbolicTensor) =>
    tfl.layers.dense({units, activation, kernelInitializer: "zeros"}).apply(h) as tfl.SymbolicTensor;
  const batchNorm = (h: tfl.SymbolicTensor) => tfl.layers.batchNormalization({axis: -1, momentum: 0.9, epsilon: 1e-5}).apply(h) as tfl.SymbolicTensor;
  const add = (a: tfl.SymbolicTensor, b: tfl.SymbolicTensor) => tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
  const input = tfl.input({shape: [samples, 1]});
  let h = tfl.layers.reshape({targetShape: [steps, step]}).apply(input) as tfl.SymbolicTensor;
  h = dense(dModel, "linear", h);
  h = drop(new PositionalEncoding({scale: Math.sqrt(dModel)}).apply(h) as tfl.SymbolicTensor);
  for (let b = 0; b < blocks; b++) {
    const a = new MultiHeadSelfAttention({heads, dropout, seed: seed * 64 + k++}).apply(h) as tfl.SymbolicTensor;
    h = batchNorm(add(h, drop(a)));
    const f = drop(dense(dModel, "linear", drop(dense(feedForward, "gelu", h))));
    h = batchNorm(add(h, f));
  }
  h = drop(tfl.layers.activation({activation: "gelu"}).apply(h) as tfl.SymbolicTensor);
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({name: "tst", inputs: input, outputs: dense(1, "sigmoid", h)});
  initialiseTst(model, seed);
  return model;
}

/**
 * Our seeded generator for every weight: Glorot-uniform kernels (as the other models), the
 * positional encoding uniform in ±0.02 (Zerveas), vectors (biases, batch-norm γ = 1, β = 0 and
 * running statistics) as the layers built them.
 */
function initialiseTst(model: tfl.LayersModel, seed: number): void {
  const rng = new Rng(seed, 0x757);
  for (const layer of model.layers) {
    const old = layer.getWeights();
    if (old.length === 0) continue;
    const fresh = old.map((w) => {
      if (w.shape.length < 2) return tf.clone(w);
      const values = new Float32Array(w.size);
      const [fanIn, fanOut] = w.shape;
      const limit = layer instanceof PositionalEncoding ? 0.02 : Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < values.length; i++) values[i] = (2 * rng.uniform() - 1) * limit;
      return tf.tensor(values, w.shape);
    });
    layer.setWeights(fresh);
    tf.dispose(fresh);
  }
}

export function buildModel(kind: ModelKind, seed = 1): tfl.LayersModel {
  switch (kind) {
    case "cnn": return buildCnn(seed);
    case "cnn-full": return buildCnnFull(seed);
    case "tscn": return buildTscn(seed);
    case "lstm": return buildLstm(seed);
    case "tst": return buildTst(seed);
    default: throw new RangeError(`unknown model "${kind as string}" (known: ${MODEL_KINDS.join(", ")})`);
  }
}

type Step = (x: tf.Tensor) => tf.Tensor;

/**
 * The model's forward pass as fused ops: convolution + bias + ReLU in one FusedConv2D, dense +
 * bias + activation in one _FusedMatMul. tfjs-layers runs Conv1D as conv2d then a separate
 * broadcast bias add (the slowest kernel of CNN inference on wasm after the batch slicing of
 * `predict`). Returns null for layer types it does not know (then `predict` is used).
 */
export function fusedForward(model: tfl.LayersModel): Step | null {
  const steps: Step[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as {activation?: string; strides?: number[] | number; padding?: string; poolSize?: number[] | number; useBias?: boolean};
    const w = layer.getWeights();
    const act = cfg.activation as "relu" | "sigmoid" | "linear" | undefined;
    if (act !== undefined && !["relu", "sigmoid", "linear"].includes(act)) return null;
    const fusedAct = act === "relu" ? "relu" : act === "sigmoid" ? "sigmoid" : "linear";
    if (cls === "Conv1D") {
      const [kernel, bias] = w;
      const stride = Array.isArray(cfg.strides) ? cfg.strides[0] : cfg.strides ?? 1;
      // The weights are live variables (training assigns them): reshape at every call.
      steps.push((x) => tf.fused.conv2d({x: x as tf.Tensor4D, filter: tf.expandDims(kernel, 0) as tf.Tensor4D, strides: [1, stride], pad: cfg.padding as "valid" | "same", bias, activation: fusedAct}));
    } else if (cls === "MaxPooling1D") {
      const pool = Array.isArray(cfg.poolSize) ? cfg.poolSize[0] : cfg.poolSize ?? 2;
      const stride = Array.isArray(cfg.strides) ? cfg.strides[0] : cfg.strides ?? pool;
      steps.push((x) => tf.maxPool(x as tf.Tensor4D, [1, pool], [1, stride], cfg.padding as "valid" | "same"));
    } else if (cls === "Flatten") {
      steps.push((x) => tf.reshape(x, [x.shape[0], -1]));
    } else if (cls === "Dense") {
      const [kernel, bias] = w;
      steps.push((x) => tf.fused.matMul({a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, activation: fusedAct}));
    } else if (cls !== "InputLayer") {
      return null;
    }
  }
  // Conv1D input [n, L, C] runs as conv2d on [n, 1, L, C].
  return (x) => steps.reduce((h, f) => f(h), tf.expandDims(x, 1));
}

const fusedCache = new WeakMap<tfl.LayersModel, Step | null>();

/**
 * Probabilities for preprocessed records (n × samples), in batches; the backend's work is
 * awaited with `data()` (WebGPU cannot read synchronously).
 */
export async function predictRecords(model: tfl.LayersModel, x: Float32Array, samples = MODEL_SAMPLES, batchSize?: number): Promise<Float32Array> {
  if (!fusedCache.has(model)) fusedCache.set(model, fusedForward(model));
  const forward = fusedCache.get(model);
  // Models without the fused path (the LSTM) run faster in small batches: its per-step state
  // stays in cache (wasm, one thread: 124 records/s at 64 against 83 at 1024).
  batchSize ??= forward ? 1024 : 64;
  const n = x.length / samples;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += batchSize) {
    const m = Math.min(batchSize, n - i);
    const p = tf.tidy(() => {
      const xb = tf.tensor3d(x.subarray(i * samples, (i + m) * samples), [m, samples, 1]);
      return forward ? forward(xb) : (model.predict(xb, {batchSize: m}) as tf.Tensor);
    });
    out.set(await p.data(), i);
    p.dispose();
  }
  return out;
}
