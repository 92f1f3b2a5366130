// A trained classifier as two files: `model.json` (this manifest: format and version, the
// architecture, preprocessing, training settings, metrics and the backend it was trained on)
// and `weights.bin` (float32 weights in manifest order, checked by SHA-256 on load).
// Pure: I/O is the caller's (Node: data-loaders/ml.ts; the page: download / fetch).
import {tf, tfl} from "./tf.js";
import type {BackendInfo} from "./backend.js";
import type {ModelKind} from "./models.js";
import {PREPROCESSING, type Preprocessing} from "../data/preprocess.js";
import {POSITIVE_LABELS} from "../data/labels.js";
import {CLASSIFIER_FILE, declaredWeightBytes, formatProblem, modelFileNameProblem, weightsProblem} from "../fileFormat.js";
import {sha256Hex} from "../../hash.js";
// The TST's custom layers register themselves for deserialization on import.
import "./attention.js";
import "./tstLayers.js";

export const WEIGHTS_FILE = "weights.bin";
/** Folder, inside a model folder that serves only some channels, of the model for the others. */
export const PARENT_DIR = "parent";

export interface ModelManifest {
  format: typeof CLASSIFIER_FILE.format;
  formatVersion: number;
  model: ModelKind;
  createdAt: string;
  preprocessing: Preprocessing & {positiveLabels: number[]};
  /** Training settings and data description (free-form, recorded as given). */
  training: {[key: string]: unknown};
  /** Metrics measured on held-out data, by set name. */
  metrics: {[set: string]: unknown};
  /** Backend the model was trained on. */
  backend: BackendInfo;
  /**
   * The channels this model classifies (fine-tuned with `train --init … --channels`); records of
   * the other channels go to the model in its PARENT_DIR folder. Absent: every channel.
   */
  channels?: number[];
  topology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightsFile: string;
  weightsSha256: string;
}

/** Manifest fields the caller provides. */
export type ModelDescription = Pick<ModelManifest, "model" | "training" | "metrics" | "backend">;

export async function serializeModel(model: tfl.LayersModel, desc: ModelDescription): Promise<{manifest: ModelManifest; weights: Uint8Array}> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: "JSON"}};
  }));
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  const data = a.weightData;
  const weights = new Uint8Array(Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data as ArrayBuffer)).slice();
  const manifest: ModelManifest = {
    format: CLASSIFIER_FILE.format,
    formatVersion: CLASSIFIER_FILE.version,
    model: desc.model,
    createdAt: new Date().toISOString(),
    preprocessing: {...PREPROCESSING, positiveLabels: [...POSITIVE_LABELS]},
    training: desc.training,
    metrics: desc.metrics,
    backend: desc.backend,
    topology: a.modelTopology as object,
    weightSpecs: a.weightSpecs ?? [],
    weightsFile: WEIGHTS_FILE,
    weightsSha256: sha256Hex(weights)
  };
  return {manifest, weights};
}

/** Checks a parsed manifest; returns the problem or null. */
export function manifestProblem(m: unknown): string | null {
  const problem = formatProblem(m, CLASSIFIER_FILE);
  if (problem) return problem;
  const o = m as Partial<ModelManifest>;
  if (!o.topology || !Array.isArray(o.weightSpecs)) return "topology or weightSpecs missing";
  const declared = declaredWeightBytes(o.weightSpecs);
  if (typeof declared === "string") return declared;
  const name = modelFileNameProblem(o.weightsFile);
  if (name) return `weightsFile ${name}`;
  if (typeof o.weightsSha256 !== "string" || !/^[0-9a-f]{64}$/.test(o.weightsSha256)) return "weightsSha256 must be 64 hex digits";
  if (o.channels !== undefined && (!Array.isArray(o.channels) || o.channels.length === 0 || !o.channels.every((c) => Number.isInteger(c) && c >= 0))) return `channels ${JSON.stringify(o.channels)} must be a non-empty list of channel numbers`;
  if (o.preprocessing?.samples !== PREPROCESSING.samples || o.preprocessing?.scaling !== PREPROCESSING.scaling) return `preprocessing ${JSON.stringify(o.preprocessing)} is not the one this Pulsebook implements`;
  return null;
}

/**
 * The topology with every weight initializer replaced by zeros: loading sets all weights from
 * the file anyway, and tfjs's random initializers call its CommonJS seedrandom import, which
 * fails when Framework bundles tfjs for the page (models saved before that change use them).
 */
function withZeroInitializers(topology: object): object {
  return JSON.parse(JSON.stringify(topology), (key, value) =>
    /initializer$/i.test(key) && value && typeof value === "object" && "class_name" in value ? {class_name: "Zeros", config: {}} : value
  );
}

/** Rebuilds the model; throws with the problem when the manifest or weights do not fit. */
export async function deserializeModel(manifest: ModelManifest, weights: Uint8Array): Promise<tfl.LayersModel> {
  const problem = manifestProblem(manifest);
  if (problem) throw new Error(problem);
  const hash = sha256Hex(weights);
  if (hash !== manifest.weightsSha256) throw new Error(`${manifest.weightsFile} does not match the manifest (SHA-256 ${hash.slice(0, 12)}…, expected ${manifest.weightsSha256.slice(0, 12)}…)`);
  // The hash only says the file is the one the manifest names; a manifest edited along with
  // it (or a model trained into NaN) still needs its weights checked.
  const weightsIssue = weightsProblem(manifest.weightSpecs, weights);
  if (weightsIssue) throw new Error(weightsIssue);
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tfl.loadLayersModel(tf.io.fromMemory({modelTopology: withZeroInitializers(manifest.topology), weightSpecs: manifest.weightSpecs, weightData: buffer}));
}
