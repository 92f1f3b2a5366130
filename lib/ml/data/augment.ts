// The paper's data augmentation (Sec. 2), applied to a preprocessed record when it is drawn
// for a training step:
//   a) pile-up, p = 0.2, positive records only: the record is superposed with a copy of itself
//      shifted so that the copy's pulse starts at a uniformly random position in the window;
//      the label becomes negative;
//   b) Gaussian noise, p = 0.2, of a random level (the paper does not give one: σ log-uniform
//      in [0.01, 0.2] of the scaled range, i.e. SNR from 100 down to 5, our choice);
//   c) always: a shift by a uniform integer in [−26, 26] samples (edge values repeated).
// a) and b) re-apply the min–max scaling so that the input stays in [0, 1].
import type {Rng} from "../../math/random.js";
import {minMaxScale} from "./preprocess.js";

export interface AugmentationOptions {
  pileUpProbability: number;
  noiseProbability: number;
  /** log-uniform range of the noise σ, in units of the scaled record (max − min = 1). */
  noiseSigma: [number, number];
  maxShift: number;
  /** Sample of the trigger in the 512-sample record (1/4 of the window). */
  triggerIndex: number;
}

export const PAPER_AUGMENTATION: AugmentationOptions = {
  pileUpProbability: 0.2,
  noiseProbability: 0.2,
  noiseSigma: [0.01, 0.2],
  maxShift: 26,
  triggerIndex: 128
};

/** What was done to one record. */
export interface Augmentation {
  label: number;
  /** Offset of the superposed copy in samples (0 = no pile-up). */
  pileUpOffset: number;
  /** σ of the added noise (0 = none). */
  noiseSigma: number;
  shift: number;
}

const scratch = new Map<number, Float32Array>();

/** Augments record `x` (scaled, in place) with label `label`; returns what was applied. */
export function augmentRecord(x: Float32Array, label: number, rng: Rng, opts: AugmentationOptions = PAPER_AUGMENTATION): Augmentation {
  const n = x.length;
  let tmp = scratch.get(n);
  if (!tmp) scratch.set(n, (tmp = new Float32Array(n)));
  const res: Augmentation = {label, pileUpOffset: 0, noiseSigma: 0, shift: 0};

  if (label === 1 && rng.uniform() < opts.pileUpProbability) {
    // Copy without its baseline (mean of the pre-trigger samples), so only the pulse is added.
    const pre = Math.max(1, opts.triggerIndex - opts.maxShift);
    let base = 0;
    for (let i = 0; i < pre; i++) base += x[i];
    base /= pre;
    // New onset uniform over the window, never the same sample as the original one.
    let d = 0;
    while (d === 0) d = rng.int(n) - opts.triggerIndex;
    for (let j = 0; j < n; j++) {
      const k = Math.min(n - 1, Math.max(0, j - d));
      tmp[j] = x[j] + (x[k] - base);
    }
    x.set(tmp);
    minMaxScale(x);
    res.label = 0;
    res.pileUpOffset = d;
  }

  if (rng.uniform() < opts.noiseProbability) {
    const [lo, hi] = opts.noiseSigma;
    const sigma = lo * Math.pow(hi / lo, rng.uniform());
    for (let j = 0; j < n; j++) x[j] += sigma * rng.normal();
    minMaxScale(x);
    res.noiseSigma = sigma;
  }

  const s = rng.int(2 * opts.maxShift + 1) - opts.maxShift;
  if (s !== 0) {
    for (let j = 0; j < n; j++) tmp[j] = x[Math.min(n - 1, Math.max(0, j - s))];
    x.set(tmp);
  }
  res.shift = s;
  return res;
}

/** Augments a batch (rows of `n`) in place; labels are updated. Returns the per-record log. */
export function augmentBatch(x: Float32Array, labels: Float32Array, n: number, rng: Rng, opts: AugmentationOptions = PAPER_AUGMENTATION): Augmentation[] {
  const out: Augmentation[] = [];
  for (let i = 0; i < labels.length; i++) {
    const a = augmentRecord(x.subarray(i * n, (i + 1) * n), labels[i], rng, opts);
    labels[i] = a.label;
    out.push(a);
  }
  return out;
}
