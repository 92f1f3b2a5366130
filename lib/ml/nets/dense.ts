// Dense (fully connected) networks as plain tfjs variables, shared by the TPC classifier and
// the VAE: He-initialised layers, forward pass, input standardisation and a versioned JSON
// model format (weights as base64 float32). Plain variables rather than tf.layers because the
// VAE needs a custom loss (−ELBO) and both models must round-trip through one small file.
import {tf} from "./tf.js";
import {DENSE_MODEL_FILE, firstNonFinite, formatProblem} from "../fileFormat.js";
import {DataFileError} from "../../io/errors.js";
import {Rng} from "../../math/random.js";


export interface DenseLayer {
  name: string;
  W: tf.Variable;
  b: tf.Variable;
}

/** He-normal initialised dense layer, seeded. */
export function denseLayer(name: string, nIn: number, nOut: number, rng: Rng, scale = Math.sqrt(2 / nIn)): DenseLayer {
  const w = new Float32Array(nIn * nOut);
  for (let i = 0; i < w.length; i++) w[i] = rng.normal(0, scale);
  // Unnamed variables: tfjs names must be unique per engine, and several models coexist.
  return {name, W: tf.variable(tf.tensor2d(w, [nIn, nOut]), true), b: tf.variable(tf.zeros([nOut]), true)};
}

export function applyDense(l: DenseLayer, x: tf.Tensor2D, activation: "relu" | "linear" = "linear"): tf.Tensor2D {
  const y = tf.add(tf.matMul(x, l.W as tf.Tensor2D), l.b) as tf.Tensor2D;
  return activation === "relu" ? tf.relu(y) : y;
}

/** Per-feature mean and standard deviation (std floored at 1e-3 for constant features). */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

export function fitStandardizer(x: Float32Array, d: number): Standardizer {
  const n = x.length / d;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`fitStandardizer: ${x.length} values is not n × ${d} with n ≥ 2`);
  const mean = new Float32Array(d), std = new Float32Array(d);
  const s = new Float64Array(d), s2 = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) {
    const v = x[i * d + k];
    s[k] += v;
    s2[k] += v * v;
  }
  for (let k = 0; k < d; k++) {
    mean[k] = s[k] / n;
    std[k] = Math.max(1e-3, Math.sqrt(Math.max(0, s2[k] / n - mean[k] * mean[k])));
  }
  return {mean, std};
}

export function standardize(x: Float32Array, st: Standardizer): Float32Array {
  const d = st.mean.length, out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const k = i % d;
    out[i] = (x[i] - st.mean[k]) / st.std[k];
  }
  return out;
}

export interface ModelFile {
  format: typeof DENSE_MODEL_FILE.format;
  version: number;
  kind: string;
  inputDim: number;
  standardizer: {mean: number[]; std: number[]};
  layers: {name: string; shapeW: number[]; W: string; b: string}[];
  meta: {[k: string]: unknown};
}

function toBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string, source: string, what: string): Float32Array {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new DataFileError(source, `${what} is not base64`);
  }
  if (bin.length % 4 !== 0) throw new DataFileError(source, `${what} holds ${bin.length} B, not a whole number of float32 values`);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** f over the rows of `xs` (n × d, standardised) in batches of `batch` rows, one output per row into `out`. */
export function evaluateInBatches<T extends Float32Array | Float64Array>(xs: Float32Array, d: number, batch: number, out: T, f: (xb: tf.Tensor2D) => tf.Tensor): T {
  const n = xs.length / d;
  for (let s = 0; s < n; s += batch) {
    const t = Math.min(n, s + batch);
    const r = tf.tidy(() => f(tf.tensor2d(xs.subarray(s * d, t * d), [t - s, d])));
    out.set(r.dataSync(), s);
    r.dispose();
  }
  return out;
}

export function serializeModel(kind: string, inputDim: number, st: Standardizer, layers: DenseLayer[], meta: {[k: string]: unknown}): ModelFile {
  return {
    format: DENSE_MODEL_FILE.format, version: DENSE_MODEL_FILE.version, kind, inputDim,
    standardizer: {mean: Array.from(st.mean), std: Array.from(st.std)},
    layers: layers.map((l) => ({name: l.name, shapeW: l.W.shape as number[], W: toBase64(l.W.dataSync() as Float32Array), b: toBase64(l.b.dataSync() as Float32Array)})),
    meta
  };
}

/** Check a parsed model file and rebuild its layers; `layer(name)` throws when the file lacks
 *  one. `source` names the file in errors. */
export function deserializeModel(json: unknown, kind: string, source: string): {file: ModelFile; st: Standardizer; layer: (name: string) => DenseLayer} {
  const f = json as ModelFile;
  const bad = (problem: string): never => { throw new DataFileError(source, problem); };
  const problem = formatProblem(f, DENSE_MODEL_FILE);
  if (problem) bad(problem);
  if (f.kind !== kind) bad(`holds a ${f.kind} model, expected ${kind}`);
  const st = f.standardizer;
  if (!st || !Array.isArray(st.mean) || !Array.isArray(st.std) || !Number.isSafeInteger(f.inputDim)) bad("standardizer (mean, std) or inputDim missing");
  if (st.mean.length !== f.inputDim || st.std.length !== f.inputDim) bad(`standardizer has ${st.mean.length} means and ${st.std.length} deviations, input is ${f.inputDim}`);
  if (firstNonFinite(st.mean) >= 0 || !st.std.every((s) => Number.isFinite(s) && s > 0)) bad("standardizer means must be finite and deviations finite and positive");
  if (!Array.isArray(f.layers)) bad("layers must be a list");
  const layers = new Map<string, DenseLayer>();
  for (const l of f.layers) {
    const shape = l?.shapeW;
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) bad(`layer ${l?.name}: shapeW must be two positive whole numbers`);
    const W = fromBase64(l.W, source, `layer ${l.name} W`), b = fromBase64(l.b, source, `layer ${l.name} b`);
    if (W.length !== shape[0] * shape[1] || b.length !== shape[1]) bad(`layer ${l.name} holds ${W.length} weights and ${b.length} biases, its shape ${shape[0]} × ${shape[1]} needs ${shape[0] * shape[1]} and ${shape[1]} (trailing or missing values)`);
    for (const [name, x] of [["W", W], ["b", b]] as const) {
      const i = firstNonFinite(x);
      if (i >= 0) bad(`layer ${l.name} ${name}[${i}] is ${x[i]}: a model's weights must be finite (damaged or badly trained model)`);
    }
    layers.set(l.name, {name: l.name, W: tf.variable(tf.tensor2d(W, l.shapeW as [number, number])), b: tf.variable(tf.tensor1d(b))});
  }
  const layer = (name: string): DenseLayer => {
    const l = layers.get(name);
    if (!l) throw new DataFileError(source, `layer ${name} missing`);
    return l;
  };
  return {file: f, st: {mean: Float32Array.from(f.standardizer.mean), std: Float32Array.from(f.standardizer.std)}, layer};
}

/** Shuffled minibatch index order for one epoch. */
export function epochOrder(n: number, rng: Rng): Int32Array {
  const idx = Int32Array.from({length: n}, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
  }
  return idx;
}

export function gatherRows(x: Float32Array, d: number, idx: ArrayLike<number>, from: number, to: number): Float32Array {
  const out = new Float32Array((to - from) * d);
  for (let r = from; r < to; r++) out.set(x.subarray(idx[r] * d, idx[r] * d + d), (r - from) * d);
  return out;
}

export interface MiniBatchOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

/**
 * Adam over shuffled minibatches of the rows of xs (n × d): for each batch, `batch(xb, rows)`
 * gives the loss to minimise and the tensors it made (disposed after the step). Returns the
 * mean loss of every epoch. Shared by the classifier and the VAE.
 */
export async function fitMiniBatches(
  xs: Float32Array, d: number, rng: Rng, o: MiniBatchOptions,
  batch: (xb: tf.Tensor2D, rows: Int32Array) => {loss: () => tf.Scalar; made: tf.Tensor[]}
): Promise<number[]> {
  const n = xs.length / d;
  const opt = tf.train.adam(o.learningRate);
  const losses: number[] = [];
  try {
    for (let e = 0; e < o.epochs; e++) {
      const order = epochOrder(n, rng);
      let sum = 0, batches = 0;
      for (let s = 0; s < n; s += o.batchSize) {
        const t = Math.min(n, s + o.batchSize);
        const xb = tf.tensor2d(gatherRows(xs, d, order, s, t), [t - s, d]);
        const {loss, made} = batch(xb, order.subarray(s, t));
        const value = opt.minimize(loss, true)!;
        sum += (await value.data())[0];
        batches++;
        tf.dispose([xb, value, ...made]);
      }
      losses.push(sum / batches);
      o.onEpoch?.(e, sum / batches);
    }
  } finally {
    opt.dispose();
  }
  return losses;
}
