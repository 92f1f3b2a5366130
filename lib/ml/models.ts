// The paper's CNN (appendix Table 3): three 1-D convolutions (kernel 8, valid padding, stride 1,
// ReLU) with 4, 16, 64 filters, each followed by max-pooling 4, then dense 320 → 200 → 84 → 1
// (ReLU, ReLU, sigmoid): 512 → 505 → 126 → 119 → 29 → 22 → 5 samples × 64 channels = 320
// inputs, 89,989 weights.
import {tf, tfl} from "./tf.js";
import {MODEL_SAMPLES} from "./preprocess.js";
import {Rng} from "../sim/random.js";

export type ModelKind = "cnn" | "cnn-full" | "tscn" | "lstm";
export const MODEL_KINDS: readonly ModelKind[] = ["cnn", "cnn-full", "tscn", "lstm"];

/** Learning rates of the paper (Table 7); cnn-full takes the CNN's. */
export const PAPER_LEARNING_RATE: {[K in ModelKind]: number} = {cnn: 5e-4, "cnn-full": 5e-4, tscn: 5e-5, lstm: 1e-4};

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

export function buildModel(kind: ModelKind, seed = 1): tfl.LayersModel {
  switch (kind) {
    case "cnn": return buildCnn(seed);
    case "cnn-full": return buildCnnFull(seed);
    case "tscn": return buildTscn(seed);
    case "lstm": return buildLstm(seed);
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
