// The boosted-tree model file: one versioned JSON document (`trees.json`) with the ensemble,
// the feature set it was trained on, training settings and held-out metrics. Pure: the caller
// reads and writes (atomically) — data-loaders/trees.ts in Node.
import {DataFileError} from "../../io/errors.js";
import {firstNonFinite, formatProblem, TREE_MODEL_FILE_KIND} from "../fileFormat.js";
import type {Tree, TreeEnsemble} from "./trees.js";
import {POSITIVE_LABELS} from "../data/labels.js";

export const TREE_MODEL_FILE = "trees.json";

export interface TreeModelFile {
  format: typeof TREE_MODEL_FILE_KIND.format;
  formatVersion: number;
  createdAt: string;
  /** Name of the feature set ("all", "four" or a custom list). */
  featureSet: string;
  positiveLabels: number[];
  ensemble: {features: string[]; baseScore: number; trees: {[K in keyof Tree]: number[]}[]};
  training: {[key: string]: unknown};
  metrics: {[set: string]: unknown};
}

export function serializeTreeModel(model: TreeEnsemble, info: {featureSet: string; training: {[key: string]: unknown}; metrics: {[set: string]: unknown}}): string {
  const doc: TreeModelFile = {
    format: TREE_MODEL_FILE_KIND.format,
    formatVersion: TREE_MODEL_FILE_KIND.version,
    createdAt: new Date().toISOString(),
    featureSet: info.featureSet,
    positiveLabels: [...POSITIVE_LABELS],
    ensemble: {
      features: model.features,
      baseScore: model.baseScore,
      trees: model.trees.map((t) => ({
        feature: Array.from(t.feature), threshold: Array.from(t.threshold), left: Array.from(t.left),
        right: Array.from(t.right), value: Array.from(t.value), cover: Array.from(t.cover)
      }))
    },
    training: info.training,
    metrics: info.metrics
  };
  // Thresholds may be ±Number.MAX_VALUE, which JSON keeps exactly; no ±∞ or NaN are stored.
  return JSON.stringify(doc);
}

/** Parses and validates a model file; every problem is a DataFileError naming `file`. */
export function parseTreeModel(text: string, file: string): {model: TreeEnsemble; doc: TreeModelFile} {
  let doc: TreeModelFile;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DataFileError(file, `not a JSON model file (${(e as Error).message})`);
  }
  const bad = (problem: string): never => { throw new DataFileError(file, problem); };
  const problem = formatProblem(doc, TREE_MODEL_FILE_KIND);
  if (problem) bad(problem);
  const e = doc.ensemble;
  if (!e || !Array.isArray(e.features) || !e.features.every((f) => typeof f === "string") || e.features.length === 0) bad("ensemble.features must be a non-empty list of column names");
  if (typeof e.baseScore !== "number" || !Number.isFinite(e.baseScore)) bad("ensemble.baseScore must be a finite number");
  if (!Array.isArray(e.trees)) bad("ensemble.trees must be a list");
  const m = e.features.length;
  const trees: Tree[] = e.trees.map((t, k) => {
    const where = `tree ${k}`;
    const keys = ["feature", "threshold", "left", "right", "value", "cover"] as const;
    for (const key of keys) if (!Array.isArray(t?.[key]) || !t[key].every((v) => typeof v === "number")) bad(`${where}: ${key} must be a list of numbers`);
    const n = t.feature.length;
    if (n === 0) bad(`${where} has no nodes`);
    for (const key of keys) if (t[key].length !== n) bad(`${where}: ${key} has ${t[key].length} entries, feature has ${n}`);
    // JSON has no NaN, but 1e999 parses to Infinity: a threshold, value or cover must be finite.
    for (const key of ["threshold", "value", "cover"] as const) {
      const i = firstNonFinite(t[key]);
      if (i >= 0) bad(`${where}, node ${i}: ${key} is ${t[key][i]}, must be finite`);
    }
    for (let i = 0; i < n; i++) {
      const f = t.feature[i];
      if (f < 0) continue;
      if (!Number.isInteger(f) || f >= m) bad(`${where}, node ${i}: feature index ${f} outside 0…${m - 1}`);
      // Children after their parent: rules out cycles.
      for (const c of [t.left[i], t.right[i]]) if (!Number.isInteger(c) || c <= i || c >= n) bad(`${where}, node ${i}: child ${c} is not a later node`);
      if (!(t.cover[i] > 0)) bad(`${where}, node ${i}: cover must be positive`);
    }
    return {
      feature: Int32Array.from(t.feature), threshold: Float64Array.from(t.threshold), left: Int32Array.from(t.left),
      right: Int32Array.from(t.right), value: Float64Array.from(t.value), cover: Float64Array.from(t.cover)
    };
  });
  return {model: {features: [...e.features], baseScore: e.baseScore, trees}, doc};
}
