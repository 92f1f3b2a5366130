// Variational autoencoder trained on ER (background) events only — the unsupervised half of
// the DARWIN anomaly score. Encoder d → 64 ReLU → (μ, ln σ²) in k dims; decoder k → 64 ReLU →
// d; Gaussian likelihood with unit variance on standardised inputs. Loss = −ELBO =
// ½ Σ (x − x̂)² + β · KL(q(z|x) ‖ N(0, 1)) per event (reparameterisation trick in training).
// For scoring, −ELBO is evaluated at z = μ (deterministic), so scores are reproducible.
import {tf} from "../nets/tf.js";
import {Rng} from "../../math/random.js";
import {applyDense, denseLayer, deserializeModel, evaluateInBatches, fitMiniBatches, fitStandardizer, serializeModel, standardize, type DenseLayer, type ModelFile, type Standardizer} from "../nets/dense.js";

export interface Vae {
  inputDim: number;
  latent: number;
  beta: number;
  st: Standardizer;
  enc: DenseLayer;
  mu: DenseLayer;
  logVar: DenseLayer;
  dec: DenseLayer;
  out: DenseLayer;
}

export interface VaeOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  hidden?: number;
  latent?: number;
  beta?: number;
  seed?: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Per-event −ELBO (n) for a standardised batch; `eps` adds the reparameterised noise. */
function negElbo(m: Vae, x: tf.Tensor2D, eps: tf.Tensor2D | null): tf.Tensor1D {
  const h = applyDense(m.enc, x, "relu");
  const mu = applyDense(m.mu, h);
  const lv = tf.clipByValue(applyDense(m.logVar, h), -10, 10);
  const z = eps ? tf.add(mu, tf.mul(tf.exp(tf.mul(lv, 0.5)), eps)) : mu;
  const xr = applyDense(m.out, applyDense(m.dec, z as tf.Tensor2D, "relu"));
  const rec = tf.mul(tf.sum(tf.square(tf.sub(x, xr)), 1), 0.5);
  const kl = tf.mul(tf.sum(tf.sub(tf.add(tf.square(mu), tf.exp(lv)), tf.add(lv, 1)), 1), 0.5);
  return tf.add(rec, tf.mul(kl, m.beta)) as tf.Tensor1D;
}

export async function trainVae(x: Float32Array, d: number, opts: VaeOptions = {}): Promise<{model: Vae; losses: number[]}> {
  const n = x.length / d;
  if (!Number.isInteger(n)) throw new RangeError(`trainVae: ${x.length} values is not n × ${d}`);
  const {epochs = 30, batchSize = 128, learningRate = 2e-3, hidden = 64, latent = 4, beta = 1, seed = 1} = opts;
  const rng = new Rng(seed, 0xae);
  const st = fitStandardizer(x, d);
  const xs = standardize(x, st);
  const model: Vae = {
    inputDim: d, latent, beta, st,
    enc: denseLayer("e1", d, hidden, rng), mu: denseLayer("mu", hidden, latent, rng, Math.sqrt(1 / hidden)),
    logVar: denseLayer("lv", hidden, latent, rng, 0.01), dec: denseLayer("d1", latent, hidden, rng), out: denseLayer("d2", hidden, d, rng, Math.sqrt(1 / hidden))
  };
  const losses = await fitMiniBatches(xs, d, rng, {epochs, batchSize, learningRate, onEpoch: opts.onEpoch}, (xb, rows) => {
    const eps = tf.tensor2d(Float32Array.from({length: rows.length * latent}, () => rng.normal()), [rows.length, latent]);
    return {loss: () => tf.mean(negElbo(model, xb, eps)) as tf.Scalar, made: [eps]};
  });
  return {model, losses};
}

/** −ELBO of each row of raw features x (at z = μ). */
export function vaeLoss(m: Vae, x: Float32Array, batch = 1024): Float64Array {
  const d = m.inputDim;
  return evaluateInBatches(standardize(x, m.st), d, batch, new Float64Array(x.length / d), (xb) => negElbo(m, xb, null));
}

/** Anomaly score TS = −ELBO + R · H_B per event. */
export function anomalyScore(negElbo: ArrayLike<number>, hB: ArrayLike<number>, R: number): Float64Array {
  if (negElbo.length !== hB.length) throw new RangeError(`anomalyScore: ${negElbo.length} −ELBO values but ${hB.length} H_B values`);
  const out = new Float64Array(negElbo.length);
  for (let i = 0; i < out.length; i++) out[i] = negElbo[i] + R * hB[i];
  return out;
}

export function saveVae(m: Vae, meta: {[k: string]: unknown} = {}): ModelFile {
  return serializeModel("vae", m.inputDim, m.st, [m.enc, m.mu, m.logVar, m.dec, m.out], {...meta, latent: m.latent, beta: m.beta});
}

export function loadVae(json: unknown, source: string): Vae {
  const {file, st, layer: get} = deserializeModel(json, "vae", source);
  const latent = Number(file.meta.latent), beta = Number(file.meta.beta);
  if (!(latent > 0) || !(beta >= 0)) throw new Error(`${source}: latent size or β missing from the model metadata`);
  return {inputDim: file.inputDim, latent, beta, st, enc: get("e1"), mu: get("mu"), logVar: get("lv"), dec: get("d1"), out: get("d2")};
}

export function disposeVae(m: Vae): void {
  for (const l of [m.enc, m.mu, m.logVar, m.dec, m.out]) tf.dispose([l.W, l.b]);
}
