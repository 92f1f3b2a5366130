// Labeled, preprocessed records in memory, and the paper's weak shuffling (Sec. 3): each
// mini-batch holds consecutive records of one detector, only the order of the batches is random.
import type {Rng} from "../../math/random.js";
import {MODEL_SAMPLES} from "./preprocess.js";

export interface LabeledSet {
  /** n × samples, preprocessed. */
  x: Float32Array;
  /** 1 positive, 0 negative. */
  y: Float32Array;
  /** Detector (here: channel of a module) each record comes from. */
  detector: Int32Array;
  /** cait label class of each record. */
  labelClass: Int32Array;
  samples: number;
}

export function setSize(s: LabeledSet): number {
  return s.y.length;
}

/** Concatenates sets (same record length). */
export function concatSets(parts: LabeledSet[]): LabeledSet {
  const samples = parts[0]?.samples ?? MODEL_SAMPLES;
  const n = parts.reduce((a, p) => a + p.y.length, 0);
  const out: LabeledSet = {x: new Float32Array(n * samples), y: new Float32Array(n), detector: new Int32Array(n), labelClass: new Int32Array(n), samples};
  let at = 0;
  for (const p of parts) {
    if (p.samples !== samples) throw new RangeError(`cannot concatenate sets of ${samples} and ${p.samples} samples`);
    out.x.set(p.x, at * samples);
    out.y.set(p.y, at);
    out.detector.set(p.detector, at);
    out.labelClass.set(p.labelClass, at);
    at += p.y.length;
  }
  return out;
}

/** Records [i…] gathered into a new set. */
export function subset(s: LabeledSet, indices: ArrayLike<number>): LabeledSet {
  const n = indices.length, L = s.samples;
  const out: LabeledSet = {x: new Float32Array(n * L), y: new Float32Array(n), detector: new Int32Array(n), labelClass: new Int32Array(n), samples: L};
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    out.x.set(s.x.subarray(i * L, (i + 1) * L), k * L);
    out.y[k] = s.y[i];
    out.detector[k] = s.detector[i];
    out.labelClass[k] = s.labelClass[i];
  }
  return out;
}

/** Fisher–Yates in place. */
export function shuffleInPlace<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Weak shuffling: each detector's records, shuffled among themselves, cut into mini-batches
 * (a detector's last batch may be smaller); batch order shuffled. Every batch holds records
 * of one detector only, as in the paper, but batches differ from epoch to epoch.
 */
export function weakShuffleBatches(detector: Int32Array, batchSize: number, rng: Rng): Int32Array[] {
  const byDetector = new Map<number, number[]>();
  for (let i = 0; i < detector.length; i++) {
    let list = byDetector.get(detector[i]);
    if (!list) byDetector.set(detector[i], (list = []));
    list.push(i);
  }
  const batches: Int32Array[] = [];
  for (const list of byDetector.values()) {
    shuffleInPlace(list, rng);
    for (let k = 0; k < list.length; k += batchSize) batches.push(Int32Array.from(list.slice(k, k + batchSize)));
  }
  return shuffleInPlace(batches, rng);
}

/**
 * Stratified split for a held-out check on a user's own labels: `fraction` of the positives
 * and of the negatives (rounded, at least one of each class that has two or more) go to `heldOut`,
 * drawn with `rng`; both parts keep the records' order (a detector's records stay consecutive).
 */
export function holdOutSplit(s: LabeledSet, fraction: number, rng: Rng): {train: LabeledSet; heldOut: LabeledSet; heldOutIndices: Int32Array} {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`held-out fraction must be in (0, 1), got ${fraction}`);
  const out = new Uint8Array(s.y.length);
  for (const cls of [0, 1]) {
    const idx = [...s.y.keys()].filter((i) => s.y[i] === cls);
    const n = idx.length < 2 ? 0 : Math.max(1, Math.round(fraction * idx.length));
    for (const i of shuffleInPlace(idx, rng).slice(0, n)) out[i] = 1;
  }
  const keep = [...out.keys()].filter((i) => !out[i]);
  const held = [...out.keys()].filter((i) => out[i]);
  return {train: subset(s, keep), heldOut: subset(s, held), heldOutIndices: Int32Array.from(held)};
}
