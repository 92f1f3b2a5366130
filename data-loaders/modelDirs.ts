// Where the shipped models live. Kept apart from ml.ts, trees.ts and anomaly.ts (which load
// TensorFlow.js) so that `pulsebook help` can show these defaults without loading them.
import {fileURLToPath} from "node:url";

/** The pretrained networks shipped with the project: the paper's CNN and cnn-full. */
export const SHIPPED_MODEL_DIRS = {
  cnn: fileURLToPath(new URL("../models/cnn", import.meta.url)),
  "cnn-full": fileURLToPath(new URL("../models/cnn-full", import.meta.url))
} as const;

/** The default model of `classify`, `evaluate` and the pages: the best shipped one. */
export const DEFAULT_MODEL_DIR = SHIPPED_MODEL_DIRS["cnn-full"];

/** The pretrained tree models shipped with the project (models/README.md). */
export const DEFAULT_TREE_MODEL_DIRS = {
  all: fileURLToPath(new URL("../models/trees-all", import.meta.url)),
  four: fileURLToPath(new URL("../models/trees-four", import.meta.url))
} as const;

/** The DARWIN anomaly-search models: `train-anomaly` writes them, `anomaly-search` reads them. */
export const DEFAULT_ANOMALY_MODEL_DIR = fileURLToPath(new URL("../models/anomaly", import.meta.url));
