// Fine-tuning a trained classifier on a user's labels: the paper's training loop (train.ts)
// started from the model's weights, at a lower rate and for a fixed number of optimizer steps
// rather than epochs — a few hundred labels are a handful of batches per epoch, so the step
// budget is what keeps a small set from being under- or over-trained.
import type {tfl} from "./tf.js";
import {concatSets, subset, type LabeledSet} from "../data/dataset.js";
import {randomDetectorPreset, simulateLabeledSet} from "../data/simDetectors.js";
import {trainClassifier, type TrainOptions, type TrainingResult} from "./train.js";
import {PAPER_AUGMENTATION} from "../data/augment.js";

import {FINE_TUNE} from "./modelKinds.js";

export {FINE_TUNE};

/** Epochs that give about `steps` optimizer steps on `records` records at `batchSize` (at least 1). */
export function epochsForSteps(records: number, steps: number, batchSize: number): number {
  if (records <= 0) throw new RangeError("fine-tuning needs at least one labelled record");
  return Math.max(1, Math.round(steps / Math.ceil(records / batchSize)));
}

export interface FineTuneOptions extends Partial<Omit<TrainOptions, "epochs">> {
  /** Optimizer steps (default FINE_TUNE.steps); ignored when `epochs` is given. */
  steps?: number;
  epochs?: number;
}

/**
 * Trains `model` (already holding the weights to start from) on `train`; the epoch with the
 * best accuracy on `validation` is kept (train.ts). Returns the training record and the epochs run.
 */
export async function fineTune(model: tfl.LayersModel, train: LabeledSet, validation: LabeledSet, o: FineTuneOptions = {}): Promise<TrainingResult & {epochsPlanned: number}> {
  const batchSize = o.batchSize ?? FINE_TUNE.batchSize;
  const epochs = o.epochs ?? epochsForSteps(train.y.length, o.steps ?? FINE_TUNE.steps, batchSize);
  const augmentation = o.augmentation !== undefined ? o.augmentation : FINE_TUNE.augment ? PAPER_AUGMENTATION : null;
  const r = await trainClassifier(model, train, validation, {...o, epochs, batchSize, augmentation, learningRate: o.learningRate ?? FINE_TUNE.learningRate});
  return {...r, epochsPlanned: epochs};
}

/**
 * Records of the training family mixed into every fine-tuning set (FINE_TUNE.replay × the
 * user's labelled records): they keep the model from forgetting what a few labels do not show
 * (measured on a fast-light detector, 200 random labels: balanced accuracy 0.938 without, 0.956
 * with as many family records; of the phonon channel's carrier events, all rejected before, 60 %
 * stayed rejected with them, 40 % without). Three of the shipped model's training modules, 300 events each, simulated here
 * (deterministic, a few seconds); detector ids 1002–1007, apart from a file's channels.
 */
export function familyReplaySet(): LabeledSet {
  return concatSets([1, 2, 3].map((m) => simulateLabeledSet(randomDetectorPreset(100_000 + m), {events: 300, seed: m + 1, detectorBase: 1000 + 2 * m})));
}

/** `n` records of `set` spread evenly over it (every detector represented, deterministic). */
export function replaySample(set: LabeledSet, n: number): LabeledSet {
  const m = Math.min(n, set.y.length);
  return subset(set, Int32Array.from({length: m}, (_, k) => Math.floor((k * set.y.length) / m)));
}

/** `train` plus `replay` × its size of `family`'s records (none for replay 0). */
export function withReplay(train: LabeledSet, replay: number = FINE_TUNE.replay, family: LabeledSet = familyReplaySet()): LabeledSet {
  if (!(replay >= 0)) throw new RangeError(`replay must be ≥ 0, not ${replay}`);
  const n = Math.round(replay * train.y.length);
  return n > 0 ? concatSets([train, replaySample(family, n)]) : train;
}
