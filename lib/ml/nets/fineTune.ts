// Fine-tuning a trained classifier on a user's labels: the paper's training loop (train.ts)
// started from the model's weights, at a lower rate and for a fixed number of optimizer steps
// rather than epochs — a few hundred labels are a handful of batches per epoch, so the step
// budget is what keeps a small set from being under- or over-trained.
import type {tfl} from "./tf.js";
import type {LabeledSet} from "../data/dataset.js";
import {trainClassifier, type TrainOptions, type TrainingResult} from "./train.js";

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
  const r = await trainClassifier(model, train, validation, {...o, epochs, batchSize, learningRate: o.learningRate ?? FINE_TUNE.learningRate});
  return {...r, epochsPlanned: epochs};
}
