// Class-weighted binary cross-entropy (paper Sec. 3): positives and negatives weighted so that
// both classes have the same total impact, w_c = N / (2·N_c).
import {tf} from "./tf.js";

export interface ClassWeights {
  positive: number;
  negative: number;
}

/**
 * Weights from the label counts of the training set. `relabelledPositives` is the fraction of
 * positives the augmentation turns into negatives when drawn (pile-up, p = 0.2): the classes
 * are balanced as the network sees them, not as stored — otherwise the negatives, weighted by
 * their stored count but also fed the relabelled positives, pull the output towards rejection.
 */
export function classWeights(labels: ArrayLike<number>, relabelledPositives = 0): ClassWeights {
  let pos = 0, neg = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos++;
    else if (labels[i] === 0) neg++;
  }
  if (pos === 0 || neg === 0) throw new RangeError(`class weights need both classes (positives ${pos}, negatives ${neg})`);
  const n = pos + neg;
  const seenPos = pos * (1 - relabelledPositives), seenNeg = neg + pos * relabelledPositives;
  return {positive: n / (2 * seenPos), negative: n / (2 * seenNeg)};
}

const EPS = 1e-7;

/** Mean over the batch of −w_y·[y·ln p + (1−y)·ln(1−p)], p clipped to [1e−7, 1−1e−7]. */
export function weightedBce(yTrue: tf.Tensor, yPred: tf.Tensor, w: ClassWeights): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(yPred, EPS, 1 - EPS);
    const y = tf.reshape(yTrue, p.shape);
    const ll = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
    const weights = tf.add(tf.mul(y, w.positive - w.negative), w.negative);
    return tf.neg(tf.mean(tf.mul(weights, ll))) as tf.Scalar;
  });
}
