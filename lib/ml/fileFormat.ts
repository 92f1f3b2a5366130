// The model files Pulsebook writes, by kind, and the one check every loader starts with: a
// JSON object of the kind's `format` and a version this build reads. Three kinds exist,
// written at different times with different version fields; the shipped files under models/
// keep their fields, so the kind says where its version lives.

export interface ModelFileKind {
  /** The `format` string the file carries. */
  format: string;
  /** The version this build reads and writes. */
  version: number;
  /** The field holding the version ("formatVersion", or "version" in the dense-model files). */
  versionField: "formatVersion" | "version";
}

/** A tfjs layers classifier (CNN, TSCN, LSTM, TST): model.json manifest + weights.bin. */
export const CLASSIFIER_FILE = {format: "pulsebook-classifier", version: 1, versionField: "formatVersion"} as const satisfies ModelFileKind;
/** A boosted-tree ensemble on features: trees.json. */
export const TREE_MODEL_FILE_KIND = {format: "pulsebook-trees", version: 1, versionField: "formatVersion"} as const satisfies ModelFileKind;
/** A small dense network of the DARWIN anomaly search (TPC classifier, VAE): one JSON file. */
export const DENSE_MODEL_FILE = {format: "pulsebook-dense-model", version: 1, versionField: "version"} as const satisfies ModelFileKind;

/** The problem with `doc` as a model file of `kind`, in words, or null when its format and version fit. */
export function formatProblem(doc: unknown, kind: ModelFileKind): string | null {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return "not a model file (expected a JSON object)";
  const o = doc as {[field: string]: unknown};
  if (o.format !== kind.format) return `format is ${JSON.stringify(o.format)}, expected "${kind.format}"`;
  const version = o[kind.versionField];
  if (version !== kind.version) return `format version ${JSON.stringify(version)} is not supported (this Pulsebook reads version ${kind.version})`;
  return null;
}
