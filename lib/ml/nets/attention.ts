// Multi-head self-attention (Vaswani et al. 2017) as a tfjs-layers layer: tfjs-layers 4.22 has
// no MultiHeadAttention. Semantics of PyTorch's nn.MultiheadAttention(d, heads, dropout) used
// as self-attention (query = key = value = x), which Zerveas' TST builds on:
//   [Q K V] = x·W_in + b_in            (W_in: [d, 3d]: one weight, applied by column blocks)
//   head h: A_h = softmax(Q_h·K_hᵀ / √(d/heads)) (dropout on A_h in training), O_h = A_h·V_h
//   out = concat_h(O_h)·W_out + b_out  (W_out: [d, d])
// Every op here (matMul, softmax, reshape, transpose, slice) has a gradient that runs on the
// wasm backend, so the layer trains there with tf.variableGrads.
import {tf, tfl} from "./tf.js";
import {Rng} from "../../math/random.js";
import {applyDropout, type LayerArgs} from "./tstLayers.js";

export interface MultiHeadSelfAttentionArgs extends LayerArgs {
  heads: number;
  /** Dropout rate on the attention weights (training only). */
  dropout?: number;
  /** Seed of the dropout mask stream. */
  seed?: number;
}

export class MultiHeadSelfAttention extends tfl.layers.Layer {
  static className = "PulsebookMultiHeadSelfAttention";
  readonly heads: number;
  readonly dropout: number;
  readonly seed: number;
  private readonly rng: Rng;
  private inKernel: tfl.LayerVariable | null = null;
  private inBias: tfl.LayerVariable | null = null;
  private outKernel: tfl.LayerVariable | null = null;
  private outBias: tfl.LayerVariable | null = null;

  constructor(args: MultiHeadSelfAttentionArgs) {
    super(args);
    if (!(Number.isInteger(args.heads) && args.heads > 0)) throw new RangeError(`heads must be a positive integer, got ${args.heads}`);
    this.heads = args.heads;
    this.dropout = args.dropout ?? 0;
    this.seed = args.seed ?? 1;
    this.rng = new Rng(this.seed, 0xa77);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const d = s[s.length - 1];
    if (s.length !== 3 || d == null) throw new RangeError(`MultiHeadSelfAttention needs input [batch, steps, d_model], got [${s.join(", ")}]`);
    if (d % this.heads !== 0) throw new RangeError(`d_model ${d} is not divisible by ${this.heads} heads`);
    // Zeros: the model builder sets every weight from our seeded generator.
    const zeros = tfl.initializers.zeros();
    this.inKernel = this.addWeight("in_kernel", [d, 3 * d], "float32", zeros);
    this.inBias = this.addWeight("in_bias", [3 * d], "float32", zeros);
    this.outKernel = this.addWeight("out_kernel", [d, d], "float32", zeros);
    this.outBias = this.addWeight("out_bias", [d], "float32", zeros);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: {[key: string]: unknown}): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [B, T, D] = x.shape;
      const H = this.heads, dh = D / H;
      const x2 = tf.reshape(x, [B * T, D]);
      const wIn = this.inKernel!.read(), bIn = this.inBias!.read();
      // Q, K, V with the kernel's column blocks (splitting one [B·T, 3d] product costs more:
      // tfjs-wasm's SplitV copies element by element). Then [B·T, d] → [B, T, H, dh] →
      // [B, H, T, dh] → [B·H, T, dh]: one batch entry per (record, head).
      const [q, k, v] = [0, 1, 2].map((j) => {
        const p = tf.fused.matMul({a: x2, b: tf.slice(wIn, [0, j * D], [D, D]) as tf.Tensor2D, bias: tf.slice(bIn, [j * D], [D])});
        return tf.reshape(tf.transpose(tf.reshape(p, [B, T, H, dh]), [0, 2, 1, 3]), [B * H, T, dh]);
      });
      // Scaling Q (T·dh values) rather than the scores (T·T) is the same and cheaper.
      const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(dh)), k, false, true); // [B·H, T, T]
      const weights = applyDropout(tf.softmax(scores), this.rng, this.dropout, kwargs.training === true);
      const o = tf.matMul(weights, v); // [B·H, T, dh]
      const merged = tf.reshape(tf.transpose(tf.reshape(o, [B, H, T, dh]), [0, 2, 1, 3]), [B * T, D]);
      const out = tf.fused.matMul({a: merged, b: this.outKernel!.read() as tf.Tensor2D, bias: this.outBias!.read()});
      return tf.reshape(out, [B, T, D]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), heads: this.heads, dropout: this.dropout, seed: this.seed};
  }
}

tf.serialization.registerClass(MultiHeadSelfAttention);
