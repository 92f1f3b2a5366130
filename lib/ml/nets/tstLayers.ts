// Two small layers of the time-series transformer (Zerveas et al. 2020) that tfjs-layers lacks
// in the form we need: a learnable positional encoding (with the input scaled by √d_model, as in
// Zerveas' reference implementation) and dropout whose masks come from our seeded generator.
// tfjs's own Dropout draws through tfjs's random ops, whose CommonJS `seedrandom` import breaks
// when Framework bundles tfjs for the page (see models.ts); ours also makes training
// reproducible from the model seed. Registered for serialization, so saved models load.
import {tf, tfl} from "./tf.js";
import {Rng} from "../../math/random.js";

type Kwargs = {[key: string]: unknown};
/** tfjs-layers' LayerArgs (name, trainable, …; not exported by name). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

const single = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);

/**
 * An inverted-dropout mask: each entry 0 with probability `rate`, else 1/(1 − rate) (so the
 * expected value is unchanged and inference needs no rescaling).
 */
export function dropoutMask(rng: Rng, size: number, rate: number): Float32Array {
  const u = rng.fillUniform(new Float64Array(size));
  const mask = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) mask[i] = u[i] >= rate ? keep : 0;
  return mask;
}

/** x · mask in training with a rate in (0, 1); a (shared-data) copy of x otherwise. */
export function applyDropout(x: tf.Tensor, rng: Rng, rate: number, training: boolean): tf.Tensor {
  if (!training || rate <= 0) return tf.clone(x);
  return tf.tidy(() => tf.mul(x, tf.tensor(dropoutMask(rng, x.size, rate), x.shape)));
}

export interface SeededDropoutArgs extends LayerArgs {
  rate: number;
  /** Seed of this layer's mask stream. */
  seed: number;
}

/** Dropout (training only) with masks from `Rng(seed)`. */
export class SeededDropout extends tfl.layers.Layer {
  static className = "PulsebookSeededDropout";
  readonly rate: number;
  readonly seed: number;
  private readonly rng: Rng;

  constructor(args: SeededDropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed;
    this.rng = new Rng(args.seed, 0xd50);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return applyDropout(single(inputs), this.rng, this.rate, kwargs.training === true);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), rate: this.rate, seed: this.seed};
  }
}

export interface PositionalEncodingArgs extends LayerArgs {
  /** The input is multiplied by this before the encoding is added (Zerveas: √d_model). */
  scale: number;
}

/**
 * Learnable positional encoding: out[b, t, :] = scale · x[b, t, :] + P[t, :], one trainable
 * d_model vector per time step (weight `embeddings`, [steps, d_model]).
 */
export class PositionalEncoding extends tfl.layers.Layer {
  static className = "PulsebookPositionalEncoding";
  readonly scale: number;
  private embeddings: tfl.LayerVariable | null = null;

  constructor(args: PositionalEncodingArgs) {
    super(args);
    this.scale = args.scale;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const [steps, d] = [s[1], s[2]];
    if (s.length !== 3 || steps == null || d == null) throw new RangeError(`PositionalEncoding needs input [batch, steps, d_model] with known steps and d_model, got [${s.join(", ")}]`);
    // Zeros here: the builder sets the values from our seeded generator (no tfjs random ops).
    this.embeddings = this.addWeight("embeddings", [steps, d], "float32", tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(tf.mul(single(inputs), this.scale), this.embeddings!.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), scale: this.scale};
  }
}

tf.serialization.registerClass(SeededDropout);
tf.serialization.registerClass(PositionalEncoding);
