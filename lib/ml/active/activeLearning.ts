// Active learning for the data-cleaning classifier: which records a user should label next so
// that a few hundred labels fine-tune the model to their detector, and the loop that measures
// it (label k records, fine-tune, re-rank) as a curve of labels → held-out figures.
//
// Uncertainty of a binary classifier's output p (probability of a clean pulse):
//   least confidence  1 − max(p, 1 − p)
//   margin            1 − |p − (1 − p)|
//   entropy           −p ln p − (1 − p) ln(1 − p)
// With two classes all three are decreasing functions of |p − 0.5|, so they order records the
// same way; they are kept apart because their values (shown on the page) differ.
//
// Pure uncertainty sampling never asks about records the model is confidently wrong on, and a
// detector outside the training family gives exactly those (the shipped CNN calls a fast light
// detector's clean pulses artefacts with p ≈ 0). Each batch therefore mixes in a share of
// records drawn at random from the unlabelled ones (`explore`), which finds such a class and,
// once the model has been fine-tuned on a few, makes its members uncertain.
import {Rng} from "../../math/random.js";
import {classifierMetrics} from "../eval/metrics.js";

export const UNCERTAINTY_KINDS = ["least-confidence", "margin", "entropy"] as const;
export type UncertaintyKind = (typeof UNCERTAINTY_KINDS)[number];

/** Uncertainty of probability `p` (see the header); larger = less sure. NaN counts as most uncertain. */
export function uncertainty(p: number, kind: UncertaintyKind = "margin"): number {
  if (!Number.isFinite(p)) return kind === "entropy" ? Math.LN2 : kind === "margin" ? 1 : 0.5;
  const q = Math.min(1, Math.max(0, p));
  switch (kind) {
    case "least-confidence": return 1 - Math.max(q, 1 - q);
    case "margin": return 1 - Math.abs(2 * q - 1);
    case "entropy": return (q > 0 ? -q * Math.log(q) : 0) + (q < 1 ? -(1 - q) * Math.log(1 - q) : 0);
  }
}

/**
 * Indices of the records not yet labelled (`labelled[i]` false/0), least sure first; ties keep
 * index order, so the ordering is deterministic.
 */
export function leastSureOrder(prob: ArrayLike<number>, labelled?: ArrayLike<boolean | number>, kind: UncertaintyKind = "margin"): Int32Array {
  if (labelled && labelled.length !== prob.length) throw new RangeError(`${prob.length} probabilities but ${labelled.length} labelled flags`);
  const idx: number[] = [];
  const u = new Float64Array(prob.length);
  for (let i = 0; i < prob.length; i++) {
    if (labelled?.[i]) continue;
    u[i] = uncertainty(prob[i], kind);
    idx.push(i);
  }
  idx.sort((a, b) => u[b] - u[a] || a - b);
  return Int32Array.from(idx);
}

export interface BatchOptions {
  /** Records to choose. */
  k: number;
  kind?: UncertaintyKind;
  /** Share of the batch drawn at random among the unlabelled records (0…1; default 0.25). */
  explore?: number;
  /** Seed of the random share. */
  seed?: number;
}

/**
 * The next `k` records to label: round(k·(1 − explore)) least sure ones, then the rest drawn at
 * random from the remaining unlabelled records. Fewer when fewer are left.
 */
export function nextToLabel(prob: ArrayLike<number>, labelled: ArrayLike<boolean | number>, o: BatchOptions): Int32Array {
  const {k, kind = "margin", explore = 0.25, seed = 1} = o;
  if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`k must be a whole number ≥ 0, got ${k}`);
  if (!(explore >= 0 && explore <= 1)) throw new RangeError(`explore must be in [0, 1], got ${explore}`);
  const order = leastSureOrder(prob, labelled, kind);
  const sure = Math.min(order.length, Math.round(k * (1 - explore)));
  const picked = Array.from(order.subarray(0, sure));
  const rest = Array.from(order.subarray(sure));
  const rng = new Rng(0xac71, seed);
  for (let n = 0; n < k - sure && rest.length; n++) {
    const j = rng.int(rest.length);
    picked.push(rest[j]);
    rest[j] = rest[rest.length - 1];
    rest.pop();
  }
  return Int32Array.from(picked);
}

/** Records drawn uniformly at random (the baseline the loop is compared with). */
export function randomToLabel(n: number, labelled: ArrayLike<boolean | number>, k: number, seed = 1): Int32Array {
  return nextToLabel(new Float32Array(n).fill(0.5), labelled, {k, explore: 1, seed});
}

export interface CurvePoint {
  labels: number;
  /** Positives and negatives among the labelled records. */
  labelledPositive: number;
  labelledNegative: number;
  balancedAccuracy: number;
  recall: number;
  selectivity: number;
  precision: number;
  tp: number; fp: number; tn: number; fn: number;
}

export interface LoopOptions {
  /** Labels after each round, increasing (e.g. 25, 50, 100, 150, 200); a 0 entry measures the starting model. */
  schedule: number[];
  /** "uncertainty" (nextToLabel) or "random" (randomToLabel). */
  strategy: "uncertainty" | "random";
  kind?: UncertaintyKind;
  explore?: number;
  seed?: number;
}

/** What the loop needs from a model: predictions and fine-tuning on the labelled records. */
export interface LoopModel {
  /** Probabilities of the records `which` selects ("pool" or "test"). */
  predict(which: "pool" | "test"): Promise<Float32Array>;
  /** Fine-tunes on the pool records `indices` (with their labels); the loop then predicts again. */
  fineTune(indices: Int32Array): Promise<void>;
}

/**
 * The active-learning loop on a labelled pool (the user's records, whose labels are revealed
 * only when chosen) and a held-out test set: for each entry of the schedule, choose records up
 * to that many labels (from the current model's pool predictions), fine-tune, measure on the
 * test set. Returns the curve labels → figures at cutoff 0.5.
 */
export async function simulateLoop(poolY: ArrayLike<number>, testY: ArrayLike<number>, model: LoopModel, o: LoopOptions): Promise<CurvePoint[]> {
  const labelled = new Uint8Array(poolY.length);
  const chosen: number[] = [];
  const curve: CurvePoint[] = [];
  let last = -1;
  for (const [round, target] of o.schedule.entries()) {
    if (!(Number.isInteger(target) && target > last)) throw new RangeError(`schedule must increase in whole numbers, got ${o.schedule.join(", ")}`);
    last = target;
    const k = Math.min(target, poolY.length) - chosen.length;
    if (k > 0) {
      const seed = (o.seed ?? 1) * 1000 + round;
      const batch = o.strategy === "random"
        ? randomToLabel(poolY.length, labelled, k, seed)
        : nextToLabel(await model.predict("pool"), labelled, {k, kind: o.kind, explore: o.explore, seed});
      for (const i of batch) { labelled[i] = 1; chosen.push(i); }
      await model.fineTune(Int32Array.from(chosen));
    }
    const m = classifierMetrics(await model.predict("test"), testY);
    const pos = chosen.filter((i) => poolY[i] === 1).length;
    curve.push({
      labels: chosen.length, labelledPositive: pos, labelledNegative: chosen.length - pos,
      balancedAccuracy: m.balancedAccuracy, recall: m.recall, selectivity: m.selectivity, precision: m.precision,
      tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn
    });
  }
  return curve;
}
