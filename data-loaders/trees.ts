// Node side of the boosted trees (lib/ml/trees/trees.ts): `pulsebook train-trees` (simulated
// detectors or labelled feature tables), `pulsebook classify-trees` (a feature table →
// probability and SHAP value per feature) and `pulsebook evaluate-trees` (IOR and IOS on
// simulated probes), model files written atomically.
import {join} from "node:path";
import {DataFileError} from "../lib/io/errors.js";
import {atomicWrite, makeFolder} from "./io/atomicWrite.js";
import {encodeParquet, readParquet, type Columns} from "./io/parquet.js";
import {binaryTarget} from "../lib/ml/data/labels.js";
import {classifierMetrics, cutoffSweep} from "../lib/ml/eval/metrics.js";
import {classicalCuts} from "../lib/ml/eval/classicalCuts.js";
import {FEATURE_SETS, concatFeatureSets, featureMatrix, simulatedFeatureSplit, type FeatureSet, type FeatureSetName} from "../lib/ml/trees/treeData.js";
import {parseTreeModel, serializeTreeModel, TREE_MODEL_FILE, type TreeModelFile} from "../lib/ml/trees/treeModelFile.js";
import {DEFAULT_GBDT_PARAMS, predictMargin, trainGbdt, type GbdtParams, type TreeEnsemble} from "../lib/ml/trees/trees.js";
import {expectedValue, shapValues} from "../lib/ml/trees/treeShap.js";
import {heldOutTestPresets} from "../lib/ml/data/simDetectors.js";
import {evaluateTreesOnSimulation} from "../lib/ml/eval/treeSimEval.js";
import {fileIdentity, moduleVersion, parquetProvenance, provenanceStamp, PULSEBOOK_VERSION} from "./provenance.js";
import {readBytes} from "./io/readFile.js";
import {MAX_MODEL_JSON_BYTES} from "../lib/ml/fileFormat.js";

export {DEFAULT_TREE_MODEL_DIRS} from "./modelDirs.js";

/** Every numeric column of a feature-table Parquet file, as float64. */
export function readFeatureTable(path: string): {[name: string]: Float64Array} {
  const table = readParquet(readBytes(path), path);
  const out: {[name: string]: Float64Array} = {};
  for (const field of table.schema.fields) {
    const v = table.getChild(field.name)!.toArray() as ArrayLike<number | bigint>;
    out[field.name] = Float64Array.from(v as ArrayLike<number>, Number);
  }
  return out;
}

/** Labelled rows of feature tables written by `pulsebook features` on labelled files. */
export function labelledFeatureSet(paths: readonly string[]): FeatureSet {
  return concatFeatureSets(paths.map((path, k) => {
    const cols = readFeatureTable(path);
    if (!cols.label) throw new DataFileError(path, "no label column: training needs a feature table of a labelled file (pulsebook features on an .h5 with events/labels)");
    if (!cols.channel) throw new DataFileError(path, "no channel column");
    const keep: number[] = [];
    cols.label.forEach((l, r) => { if (binaryTarget(l) >= 0) keep.push(r); });
    const names: readonly string[] = FEATURE_SETS.all;
    for (const n of names) if (!cols[n]) throw new DataFileError(path, `no column ${n}`);
    return {
      columns: Object.fromEntries(names.map((n) => [n, Float64Array.from(keep, (r) => cols[n][r])])),
      y: Uint8Array.from(keep, (r) => binaryTarget(cols.label[r])),
      labelClass: Int32Array.from(keep, (r) => cols.label[r]),
      detector: Int32Array.from(keep, (r) => 1000 * k + cols.channel[r]),
      rows: keep.length
    };
  }));
}

export interface TrainTreesOptions {
  data: "sim" | string[];
  features: FeatureSetName;
  out: string;
  params?: Partial<GbdtParams>;
  sim?: {trainModules: number; testModules: number; eventsPerModule: number; seed: number};
  log?: (line: string) => void;
}

export interface TreeEvaluation {
  records: number;
  balancedAccuracy: number;
  recall: number;
  precision: number;
  selectivity: number;
  cutoff: number;
  meanAbsShap: {[feature: string]: number};
}

/** Held-out metrics at cutoff 0.5 and the mean |SHAP| of every feature (log-odds). */
export function evaluateTrees(model: TreeEnsemble, set: FeatureSet): TreeEvaluation & {probability: Float64Array; shap: Float64Array} {
  const x = featureMatrix(set.columns, model.features);
  const probability = predictMargin(model, x).map((z) => 1 / (1 + Math.exp(-z)));
  const m = classifierMetrics(probability, set.y);
  const shap = shapValues(model, x);
  const k = model.features.length;
  const meanAbsShap: {[f: string]: number} = {};
  model.features.forEach((f, j) => {
    let s = 0;
    for (let r = 0; r < set.rows; r++) s += Math.abs(shap[r * k + j]);
    meanAbsShap[f] = s / set.rows;
  });
  return {records: set.rows, balancedAccuracy: m.balancedAccuracy, recall: m.recall, precision: m.precision, selectivity: m.selectivity, cutoff: 0.5, meanAbsShap, probability, shap};
}

/** `pulsebook train-trees`: trains, evaluates on held-out data (simulated test modules), writes DIR/trees.json. */
export function trainTreesCommand(opts: TrainTreesOptions): {model: TreeEnsemble; doc: TreeModelFile; test?: TreeEvaluation} {
  const log = opts.log ?? (() => {});
  const names = [...FEATURE_SETS[opts.features]];
  const params = {...DEFAULT_GBDT_PARAMS, ...opts.params};
  let train: FeatureSet, test: FeatureSet | undefined, data: {[key: string]: unknown};
  const t0 = performance.now();
  if (opts.data === "sim") {
    const sim = opts.sim ?? {trainModules: 12, testModules: 3, eventsPerModule: 1000, seed: 1};
    log(`simulating ${sim.trainModules} training + ${sim.testModules} held-out modules × ${sim.eventsPerModule} events…`);
    const split = simulatedFeatureSplit(sim);
    train = split.train;
    test = split.test;
    data = split.description;
  } else {
    train = labelledFeatureSet(opts.data);
    data = {source: "labelled feature tables", files: opts.data.map(fileIdentity), trainRecords: train.rows};
  }
  const dataSeconds = (performance.now() - t0) / 1000;
  log(`training ${params.rounds} trees on ${train.rows} records, features: ${opts.features} (${names.length})…`);
  const t1 = performance.now();
  const model = trainGbdt(featureMatrix(train.columns, names), train.y, names, params);
  const trainSeconds = (performance.now() - t1) / 1000;
  let evaluation: ReturnType<typeof evaluateTrees> | undefined;
  const metrics: {[set: string]: unknown} = {};
  if (test) {
    evaluation = evaluateTrees(model, test);
    const {probability, shap: _s, ...summary} = evaluation;
    // The classical baseline on the same rows: cuts placed per detector (each channel of each
    // module), as lib/ml/classicalCuts does per channel of a run.
    const cuts = classicalCuts({...test.columns, channel: test.detector});
    const c = classifierMetrics(cuts, test.y);
    metrics.test = {...summary, classicalCuts: {balancedAccuracy: c.balancedAccuracy, recall: c.recall, precision: c.precision, selectivity: c.selectivity}, cutoffSweep: cutoffSweep(probability, test.y).map(({cutoff, balancedAccuracy, recall, precision}) => ({cutoff, balancedAccuracy, recall, precision}))};
    log(`held-out: balanced accuracy ${summary.balancedAccuracy.toFixed(4)}, recall ${summary.recall.toFixed(4)}, precision ${summary.precision.toFixed(4)} (${summary.records} records); classical cuts on the same rows: ${c.balancedAccuracy.toFixed(4)}, ${c.recall.toFixed(4)}, ${c.precision.toFixed(4)}`);
  }
  const text = serializeTreeModel(model, {
    featureSet: opts.features,
    training: {pulsebook: PULSEBOOK_VERSION, data, params, trainRecords: train.rows, dataSeconds, trainSeconds, expectedValue: expectedValue(model), provenance: provenanceStamp({stages: {trainTrees: moduleVersion(import.meta.url)}, parameters: params, inputs: data, command: "pulsebook train-trees"})},
    metrics
  });
  makeFolder(opts.out);
  atomicWrite(join(opts.out, TREE_MODEL_FILE), text);
  const {doc} = parseTreeModel(text, join(opts.out, TREE_MODEL_FILE));
  if (!evaluation) return {model, doc};
  const {probability: _p, shap: _sh, ...test_} = evaluation;
  return {model, doc, test: test_};
}

export function readTreeModel(dir: string): {model: TreeEnsemble; doc: TreeModelFile} {
  const path = join(dir, TREE_MODEL_FILE);
  return parseTreeModel(new TextDecoder().decode(readBytes(path, "tree model", MAX_MODEL_JSON_BYTES)), path);
}

/**
 * `pulsebook classify-trees`: event, channel, probability and shap_<feature> (log-odds; with
 * the expected value in the file metadata they sum to the log-odds of the probability).
 */
export function classifyTreesCommand(featuresPath: string, modelDir: string, out: string, command = ""): {rows: number; seconds: number} {
  const {model, doc} = readTreeModel(modelDir);
  const cols = readFeatureTable(featuresPath);
  for (const f of model.features) if (!cols[f]) throw new DataFileError(featuresPath, `no column ${f}, which the model ${join(modelDir, TREE_MODEL_FILE)} needs`);
  // Without event and channel the probabilities could not be joined back to their records.
  for (const key of ["event", "channel"]) if (!cols[key]) throw new DataFileError(featuresPath, `no ${key} column: classify-trees needs a feature table of pulsebook features (one row per event and channel)`);
  const t0 = performance.now();
  const x = featureMatrix(cols, model.features);
  const margin = predictMargin(model, x);
  const shap = shapValues(model, x);
  const seconds = (performance.now() - t0) / 1000;
  const rows = margin.length;
  const k = model.features.length;
  const columns: Columns = {};
  columns.event = Int32Array.from(cols.event);
  columns.channel = Int32Array.from(cols.channel);
  columns.probability = margin.map((z) => 1 / (1 + Math.exp(-z)));
  model.features.forEach((f, j) => {
    columns[`shap_${f}`] = Float64Array.from({length: rows}, (_, r) => shap[r * k + j]);
  });
  const about = {dir: modelDir, format: doc.format, formatVersion: doc.formatVersion, featureSet: doc.featureSet, createdAt: doc.createdAt};
  const stamp = provenanceStamp({stages: {classifyTrees: moduleVersion(import.meta.url)}, parameters: {model: about}, inputs: {file: fileIdentity(featuresPath)}, command});
  atomicWrite(out, encodeParquet(columns, parquetProvenance(stamp, {
    "pulsebook.input": JSON.stringify(fileIdentity(featuresPath)),
    "pulsebook.model": JSON.stringify(about),
    "pulsebook.shap_expected_value": String(expectedValue(model)),
    "pulsebook.shap_units": "log-odds: expected value + Σ shap_* = log(p / (1 − p))"
  })));
  return {rows, seconds};
}

export interface EvaluateTreesOptions {
  /** Held-out simulated modules (default: the model's own test modules when it was trained on
   *  simulation, else 10) and the split seed (default: the model's, else 1). */
  testModules?: number;
  seed?: number;
  /** Clean pulses and pile-ups per module (default 1000, as `pulsebook evaluate`). */
  probes?: number;
  /** Store the figures in the model file's metrics.test (atomically). */
  write?: boolean;
}

/**
 * `pulsebook evaluate-trees`: IOR and IOS of a tree model on the simulated probes that
 * `pulsebook evaluate` scores the networks on (same held-out modules, same probe seed), the
 * trees reading features computed from the raw records.
 */
export async function evaluateTreesCommand(modelDir: string, o: EvaluateTreesOptions = {}): Promise<{[k: string]: unknown}> {
  const {model, doc} = readTreeModel(modelDir);
  const data = (doc.training.data ?? {}) as {source?: string; testModules?: number; seed?: number};
  const simulated = typeof data.source === "string" && data.source.startsWith("lib/sim");
  const testModules = o.testModules ?? (simulated && data.testModules ? data.testModules : 10);
  const seed = o.seed ?? (simulated && data.seed ? data.seed : 1);
  const probes = o.probes ?? 1000;
  const presets = heldOutTestPresets(testModules, seed);
  const t0 = performance.now();
  const sim = await evaluateTreesOnSimulation(model, presets, probes, seed * 7919);
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    ior: sim.ior, ios: sim.ios, iosLaterSmaller: sim.iosLaterSmaller, recallBySnr: sim.recallBySnr,
    selectivityByOnsetWindow: sim.selectivityByOnsetWindow, selectivityByRelativeDifference: sim.selectivityByRelativeDifference, selectivityGrid: sim.selectivityGrid,
    selectivityByOnset: sim.selectivityByOnset, selectivityByRelativeHeight: sim.selectivityByRelativeHeight,
    simulation: {
      description: `${testModules} held-out simulated modules (preset seeds ${seed * 100_000 + 70_000}…), ${probes} clean pulses (SNR 3–300) and ${probes} pile-ups of each reading per module on the phonon channel, probe seed ${seed * 7919}: the records pulsebook evaluate scores the networks on; features from the raw records`,
      testModules, seed, probesPerModule: probes, records: sim.records, seconds, pulsebook: PULSEBOOK_VERSION, evaluatedAt: new Date().toISOString()
    }
  };
  if (o.write) {
    const path = join(modelDir, TREE_MODEL_FILE);
    const updated: TreeModelFile = {...doc, metrics: {...doc.metrics, test: {...(doc.metrics.test as object | undefined), ...result}}};
    const text = JSON.stringify(updated);
    parseTreeModel(text, path); // never write a file the reader would refuse
    atomicWrite(path, text);
  }
  return result;
}
