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

// Model files are read whole: beyond these sizes a file is not one Pulsebook wrote (the
// largest shipped classifier's weights are a few MiB; its manifest and a tree model, well
// under a MiB), and it is refused before it is read.
/** Largest JSON model document (manifest, trees.json, dense model) read. */
export const MAX_MODEL_JSON_BYTES = 256 * 1024 ** 2;
/** Largest weights file read. */
export const MAX_WEIGHTS_BYTES = 1024 ** 3;

/** Index of the first NaN or ±Infinity in `x`, or −1. */
export function firstNonFinite(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}

/**
 * The problem with a file name a model document gives for a file of its own (`weightsFile`),
 * or null: a plain name inside the model folder, never absolute, never `..`, no folders.
 */
export function modelFileNameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name === "") return `must be a file name, found ${JSON.stringify(name)}`;
  if (/^[/\\]|^[A-Za-z]:/.test(name)) return `${JSON.stringify(name)} is an absolute path; a model's files are named relative to its folder`;
  if (name.split(/[/\\]/).includes("..")) return `${JSON.stringify(name)} leaves the model folder (..)`;
  if (/[/\\]/.test(name)) return `${JSON.stringify(name)} names a subfolder; a model's files lie directly in its folder`;
  if (name === "." ) return `${JSON.stringify(name)} is the folder itself`;
  return null;
}

/** Bytes per value of the tfjs weight dtypes a classifier may store. */
const WEIGHT_DTYPE_BYTES: {[dtype: string]: number} = {float32: 4, int32: 4};

/** The bytes `specs` (a manifest's weightSpecs) declare, or the problem with them in words. */
export function declaredWeightBytes(specs: unknown): number | string {
  if (!Array.isArray(specs)) return "weightSpecs must be a list";
  let total = 0;
  for (const [i, s] of specs.entries()) {
    const spec = s as {name?: unknown; shape?: unknown; dtype?: unknown; quantization?: unknown};
    const name = typeof spec?.name === "string" ? spec.name : `#${i}`;
    if (!Array.isArray(spec?.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `weight ${name}: shape must be a list of whole numbers ≥ 0`;
    if (spec.quantization !== undefined) return `weight ${name}: quantized weights are not read`;
    const bytes = WEIGHT_DTYPE_BYTES[String(spec.dtype)];
    if (bytes === undefined) return `weight ${name}: dtype ${JSON.stringify(spec.dtype)} is not read (float32 or int32)`;
    total += (spec.shape as number[]).reduce((a, b) => a * b, 1) * bytes;
    if (!Number.isSafeInteger(total)) return `weight ${name}: declared size is absurd`;
  }
  return total;
}

/**
 * The problem with `weights` as the data of `specs`, or null: exactly the declared bytes (no
 * trailing or missing ones) and every float32 weight finite (a NaN weight makes every
 * probability NaN, silently).
 */
export function weightsProblem(specs: unknown, weights: Uint8Array): string | null {
  const declared = declaredWeightBytes(specs);
  if (typeof declared === "string") return declared;
  if (weights.length !== declared) {
    return `holds ${weights.length} B, the manifest's weightSpecs declare ${declared} B (${weights.length > declared ? `${weights.length - declared} trailing bytes` : `${declared - weights.length} bytes missing`})`;
  }
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  let offset = 0;
  for (const spec of specs as {name: string; shape: number[]; dtype: string}[]) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === "float32") {
      for (let i = 0; i < n; i++) {
        const v = view.getFloat32(offset + 4 * i, true);
        if (!Number.isFinite(v)) return `weight ${spec.name}[${i}] is ${v}: a model's weights must be finite (damaged or badly trained model)`;
      }
    }
    offset += n * WEIGHT_DTYPE_BYTES[spec.dtype];
  }
  return null;
}
