// The classifier kinds and their paper learning rates, apart from models.ts so that the CLI can
// list and validate them without loading TensorFlow.js.

export type ModelKind = "cnn" | "cnn-full" | "tscn" | "lstm" | "tst";
export const MODEL_KINDS: readonly ModelKind[] = ["cnn", "cnn-full", "tscn", "lstm", "tst"];

/** Learning rates of the paper (Table 7); cnn-full takes the CNN's. */
export const PAPER_LEARNING_RATE: {[K in ModelKind]: number} = {cnn: 5e-4, "cnn-full": 5e-4, tscn: 5e-5, lstm: 1e-4, tst: 1e-5};

/**
 * Fine-tuning a trained model on a user's labels (lib/ml/nets/fineTune.ts, `train --init`): 0.6
 * of the paper's rate, a fixed budget of optimizer steps, smaller batches (a few hundred labels
 * are a handful of batches), no augmentation (the paper's pile-up and noise were drawn for the
 * training family; on the user's few records they cost selectivity), as many training-family
 * records as labels mixed in (fineTune.ts withReplay). Chosen on the fast-light
 * detectors, bench/adapt.ts: at 200 random labels, 10⁻⁴ left the light channel's recall at
 * 0.76–0.95 on three modules, 3·10⁻⁴ reached 0.955–0.994 on four (docs/ml.md).
 */
export const FINE_TUNE = {learningRate: 3e-4, steps: 200, batchSize: 32, augment: false, replay: 1} as const;
