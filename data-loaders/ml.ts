// Node side of lib/ml: model directories on disk (atomic), labeled data from cait files or the
// simulation, and the `pulsebook train` / `pulsebook classify` commands.
import {existsSync, mkdirSync, writeFileSync} from "node:fs";
import {join, resolve} from "node:path";
import {openCaitFile} from "./io/node.js";
import {atomicWriteDir} from "./io/atomicWrite.js";
import {fileInFolder, fileSize, readBytes, readJson} from "./io/readFile.js";
import {declaredWeightBytes, MAX_MODEL_JSON_BYTES, MAX_WEIGHTS_BYTES} from "../lib/ml/fileFormat.js";
import {DataFileError} from "../lib/io/errors.js";
import {writeParquetStream, type Columns} from "./io/parquet.js";
import {selectBackend, backendInfo, BACKEND_NAMES, type BackendName} from "../lib/ml/nets/backend.js";
import {labeledSetFromCait} from "../lib/ml/data/caitLabeled.js";
import {MODEL_SAMPLES, preprocessChunk} from "../lib/ml/data/preprocess.js";
import type {LabeledSet} from "../lib/ml/data/dataset.js";
import {concatSets, holdOutSplit} from "../lib/ml/data/dataset.js";
import {Rng} from "../lib/math/random.js";
import {FINE_TUNE, epochsForSteps, withReplay} from "../lib/ml/nets/fineTune.js";
import {buildModel, predictRecords, PAPER_LEARNING_RATE, MODEL_KINDS, type ModelKind} from "../lib/ml/nets/models.js";
import {modelIndexForChannel, mergeByChannel} from "../lib/ml/nets/channelModels.js";
import {deserializeModel, manifestProblem, serializeModel, PARENT_DIR, type ModelManifest} from "../lib/ml/nets/classifierFile.js";
import {simulatedSplit} from "../lib/ml/data/simDetectors.js";
import {evaluate, trainClassifier, type EpochRecord, type LearningRateSchedule} from "../lib/ml/nets/train.js";
import {classifierMetrics, cutoffSweep} from "../lib/ml/eval/metrics.js";
import {evaluateOnSimulation} from "../lib/ml/eval/simEval.js";
import {LABEL_CLASSES} from "../lib/types.js";
import type {tfl} from "../lib/ml/nets/tf.js";
import {fileIdentity, moduleVersion, parquetProvenance, provenanceStamp, PULSEBOOK_VERSION} from "./provenance.js";
import {labelOverrideFor} from "./trainLabels.js";
import {InferencePool} from "./mlPool.js";
import {installNodeWebgpu} from "./nodeWebgpu.js";

const MANIFEST = "model.json";

export {SHIPPED_MODEL_DIRS, DEFAULT_MODEL_DIR} from "./modelDirs.js";

/**
 * Writes a model directory atomically (data-loaders/io/atomicWrite.ts atomicWriteDir): both
 * files go to a temporary sibling folder, which then replaces `dir`.
 */
export async function saveModelDir(dir: string, manifest: ModelManifest, weights: Uint8Array, parent?: ModelFiles): Promise<void> {
  await atomicWriteDir(dir, (tmp) => writeModelFiles(tmp, {manifest, weights, parent}));
}

/** A model folder's files; `parent` is the PARENT_DIR folder of a model that serves only some channels. */
export interface ModelFiles {
  manifest: ModelManifest;
  weights: Uint8Array;
  parent?: ModelFiles;
}

function writeModelFiles(dir: string, m: ModelFiles): void {
  writeFileSync(join(dir, m.manifest.weightsFile), m.weights);
  writeFileSync(join(dir, MANIFEST), JSON.stringify(m.manifest, null, 1) + "\n");
  if (m.parent) {
    mkdirSync(join(dir, PARENT_DIR));
    writeModelFiles(join(dir, PARENT_DIR), m.parent);
  }
}

/** readModelDir, and the PARENT_DIR folder's files, down the chain, where the model serves only some channels. */
export function readModelFiles(dir: string): ModelFiles {
  const {manifest, weights} = readModelDir(dir);
  if (!manifest.channels) return {manifest, weights};
  const parentDir = join(dir, PARENT_DIR);
  if (!existsSync(join(parentDir, MANIFEST))) throw new DataFileError(join(dir, MANIFEST), `serves channels ${manifest.channels.join(",")} only, but the model for the other channels (${parentDir}/) is missing`);
  return {manifest, weights, parent: readModelFiles(parentDir)};
}

/**
 * A model directory's manifest and weights, checked (lib/ml/nets/classifierFile.ts
 * manifestProblem): sizes before reading, the weights file inside the folder (no absolute
 * path, `..` or link leading out), its exact size; problems are DataFileErrors naming the file.
 */
export function readModelDir(dir: string): {manifest: ModelManifest; weights: Uint8Array; weightsPath: string} {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new DataFileError(path, existsSync(dir) ? "no model manifest in this directory" : "model directory not found");
  const manifest = readJson(path, "model manifest", MAX_MODEL_JSON_BYTES) as ModelManifest;
  const problem = manifestProblem(manifest);
  if (problem) throw new DataFileError(path, problem);
  const wpath = join(dir, manifest.weightsFile);
  if (!existsSync(wpath)) throw new DataFileError(wpath, "weights file missing");
  fileInFolder(dir, manifest.weightsFile, "weights file");
  const declared = declaredWeightBytes(manifest.weightSpecs) as number;
  const size = fileSize(wpath);
  if (size !== declared) {
    throw new DataFileError(wpath, `holds ${size} B, the manifest's weightSpecs declare ${declared} B (${size > declared ? `${size - declared} trailing bytes` : `${declared - size} bytes missing`})`);
  }
  return {manifest, weights: readBytes(wpath, "weights file", MAX_WEIGHTS_BYTES), weightsPath: wpath};
}

/** Reads a model directory (readModelDir) and builds the model; problems are DataFileErrors naming the file. */
export async function loadModelDir(dir: string): Promise<{model: tfl.LayersModel; manifest: ModelManifest; weights: Uint8Array}> {
  const {manifest, weights, weightsPath} = readModelDir(dir);
  try {
    return {model: await deserializeModel(manifest, weights), manifest, weights};
  } catch (e) {
    throw new DataFileError(weightsPath, (e as Error).message);
  }
}

/**
 * Labeled records of the events group of cait files, one detector per (file, channel). Labels
 * come from `events/labels`; where `labelFiles[f]` names a label table (docs/labels.md) for
 * file f, its entries replace those labels record by record (data-loaders/trainLabels.ts checks
 * that the table belongs to the file). Records left unlabelled (class 0) are not used.
 */
export async function labeledSetFromFiles(paths: string[], labelFiles: (string | undefined)[] = []): Promise<LabeledSet & {labelSources: {[k: string]: unknown}[]; channelOfDetector: Map<number, number>}> {
  const parts: LabeledSet[] = [];
  const channelOfDetector = new Map<number, number>();
  const labelSources: {[k: string]: unknown}[] = [];
  for (const [f, path] of paths.entries()) {
    const file = await openCaitFile(path);
    try {
      const override = labelFiles[f] ? labelOverrideFor(labelFiles[f]!, path, file.count("events"), file.dataset.channels.length) : null;
      const set = labeledSetFromCait(file, {fileIndex: f, override: override?.labels, overrideHint: "a label file (--labels)"});
      if (override) {
        labelSources.push({file: path, labels: fileIdentity(labelFiles[f]!), entries: override.entries, dataset: override.dataset, identityCheck: override.identity, recordsLabelledByTable: set.fromOverride, recordsLabelledByFile: set.y.length - set.fromOverride});
      }
      parts.push(set);
      const nChannels = file.dataset.channels.length;
      for (const d of set.detector) channelOfDetector.set(d, d - f * nChannels);
    } finally {
      file.close();
    }
  }
  return {...concatSets(parts), labelSources, channelOfDetector};
}

export interface TrainCommandOptions {
  /** The network to build; with `init`, the init model's kind (a different one is refused). */
  model?: ModelKind;
  /**
   * Fine-tuning: a model directory whose weights training starts from (same architecture, its
   * files checked as classify checks them). Needs `data` files; without `validation`, a
   * stratified `holdOut` share of the labelled records is kept apart for the held-out check.
   */
  init?: string;
  /** Held-out share of the labelled records when fine-tuning without validation files (default 0.25). */
  holdOut?: number;
  /** Optimizer steps when fine-tuning and `epochs` is not given (default FINE_TUNE.steps). */
  steps?: number;
  /** Fine-tuning: simulated training-family records mixed in, × the labelled training records (default FINE_TUNE.replay). */
  replay?: number;
  /**
   * Fine-tuning: the channels the new model serves (model.json `channels`); classify sends the
   * others to the init model, copied into the new folder. Trained on every label all the same.
   */
  channels?: number[];
  /** "sim" or a list of labeled cait files (then `validation` files are required). */
  data: "sim" | string[];
  validation?: string[];
  /** Label tables for the `data` files, by position (undefined: the file's events/labels). */
  labels?: (string | undefined)[];
  /** Label tables for the `validation` files, by position. */
  validationLabels?: (string | undefined)[];
  out: string;
  /** Default 15; when fine-tuning, enough epochs for `steps` optimizer steps. */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  backend?: BackendName[];
  /** Threads sharing each mini-batch (this one + threads−1 helper workers); wasm/cpu only. */
  threads?: number;
  /** Learning-rate schedule (default constant, as in the paper). */
  schedule?: LearningRateSchedule;
  /** Simulation sizes (data = "sim"). */
  sim?: {trainModules: number; validationModules: number; testModules: number; eventsPerModule: number};
  log?: (line: string) => void;
  /** Polled between steps: true stops training; the best epoch so far is saved. */
  shouldStop?: () => boolean;
}

export async function trainCommand(o: TrainCommandOptions): Promise<{manifest: ModelManifest; epochs: EpochRecord[]}> {
  const log = o.log ?? (() => {});
  const initDir = o.init;
  if (initDir && o.data === "sim") throw new Error("--init fine-tunes on your labelled files: give --data FILE.h5[,…], not sim");
  if (o.channels && !initDir) throw new Error("--channels is for fine-tuning (--init DIR): the other channels keep the model it starts from");
  if (initDir && resolve(initDir) === resolve(o.out)) throw new Error(`--out ${o.out} is the --init model: fine-tuning writes a new model folder and keeps the one it started from`);
  // Read and check the init model before anything slow (its problems name its files).
  const init = initDir ? readModelDir(initDir) : null;
  const initFiles = initDir && o.channels ? readModelFiles(initDir) : undefined;
  const kind: ModelKind = init ? init.manifest.model : o.model ?? "cnn";
  if (init && o.model && o.model !== kind) throw new Error(`--model ${o.model} differs from the --init model's kind ${kind} (${initDir}): fine-tuning keeps the architecture`);
  if (!MODEL_KINDS.includes(kind)) throw new Error(`unknown model "${kind}" (known: ${MODEL_KINDS.join(", ")})`);
  if (o.backend?.includes("webgpu")) await installNodeWebgpu();
  const backend = await selectBackend(o.backend ?? [...BACKEND_NAMES]);
  log(`backend: ${backend} (${backendInfo().detail})`);
  let train: LabeledSet, validation: LabeledSet, test: LabeledSet | null = null;
  let replayed = 0;
  let channelOfDetector = new Map<number, number>();
  void evaluate;
  let data: {[k: string]: unknown};
  if (o.data === "sim") {
    const sim = o.sim ?? {trainModules: 12, validationModules: 2, testModules: 3, eventsPerModule: 1000};
    const split = simulatedSplit({...sim, seed: o.seed ?? 1});
    ({train, validation} = split);
    test = split.test;
    data = split.description;
  } else {
    if (!o.validation?.length && !init) throw new Error("--validation FILE.h5[,…] is required when training on files");
    if (o.labels && o.labels.length !== o.data.length) throw new Error(`--labels names ${o.labels.length} label files for ${o.data.length} data files (leave an entry empty to use a file's own events/labels)`);
    if (o.validationLabels && o.validationLabels.length !== (o.validation?.length ?? 0)) throw new Error(`--validation-labels names ${o.validationLabels.length} label files for ${o.validation?.length ?? 0} validation files`);
    const t = await labeledSetFromFiles(o.data, o.labels);
    const labelled = new Set(t.channelOfDetector.values());
    const unlabelled = o.channels?.filter((c) => !labelled.has(c)) ?? [];
    if (unlabelled.length) throw new Error(`--channels ${o.channels!.join(",")}: ${o.data.join(", ")} hold no labelled record of channel ${unlabelled.join(", ")} (labelled: ${[...labelled].sort().join(", ")})`);
    const v = o.validation?.length ? await labeledSetFromFiles(o.validation, o.validationLabels) : {labelSources: [], channelOfDetector: new Map<number, number>()};
    // The held-out check compares per channel: records of channels outside --channels keep the init model.
    channelOfDetector = "y" in v ? v.channelOfDetector : t.channelOfDetector;
    let heldOut: {[k: string]: unknown} | null = null;
    if ("y" in v) {
      train = t;
      validation = v;
    } else {
      // Fine-tuning on one labelled run: the check is on labels the model never trained on.
      const fraction = o.holdOut ?? 0.25;
      const split = holdOutSplit(t, fraction, new Rng(o.seed ?? 1, 0x401d));
      if (split.heldOut.y.every((y) => y === split.heldOut.y[0]) || split.train.y.length === 0) {
        throw new Error(`the labels give ${t.y.length} records (${t.y.reduce((a, b) => a + b, 0)} clean pulses): too few of each class to hold ${fraction} out for the check; label more records of both kinds, or give --validation`);
      }
      ({train, heldOut: validation} = split);
      heldOut = {fraction, seed: o.seed ?? 1, records: validation.y.length, note: "stratified share of the --data labels, never trained on"};
    }
    data = {
      source: "cait files", train: o.data.map(fileIdentity), validation: o.validation?.length ? o.validation.map(fileIdentity) : "held out from the training labels", trainRecords: train.y.length, validationRecords: validation.y.length,
      ...(heldOut ? {heldOut} : {}),
      ...(t.labelSources.length ? {trainLabelFiles: t.labelSources} : {}), ...(v.labelSources.length ? {validationLabelFiles: v.labelSources} : {})
    };
    for (const s of [...t.labelSources, ...v.labelSources]) log(`labels of ${s.file}: ${s.recordsLabelledByTable} records from ${(s.labels as {path: string}).path}, ${s.recordsLabelledByFile} from its events/labels`);
  }
  if (init) {
    const own = train.y.length;
    train = withReplay(train, o.replay ?? FINE_TUNE.replay);
    replayed = train.y.length - own;
    if (replayed) log(`mixing in ${replayed} simulated records of the training family (--replay ${o.replay ?? FINE_TUNE.replay})`);
  }
  log(`training records ${train.y.length} (${(100 * train.y.reduce((a, b) => a + b, 0) / train.y.length).toFixed(1)} % positive), validation ${validation.y.length}`);
  let model: tfl.LayersModel;
  let before: HeldOutCheck | null = null;
  let beforeProb: Float32Array | null = null;
  if (init) {
    try {
      model = await deserializeModel(init.manifest, init.weights);
    } catch (e) {
      throw new DataFileError(init.weightsPath, (e as Error).message);
    }
    beforeProb = await predictRecords(model, validation.x, validation.samples);
    before = heldOutCheckOf(beforeProb, validation);
    log(`${initDir} on the held-out labels before fine-tuning: ${describeCheck(before)}`);
  } else {
    model = buildModel(kind, o.seed ?? 1);
  }
  const learningRate = o.learningRate ?? (init ? FINE_TUNE.learningRate : PAPER_LEARNING_RATE[kind]);
  const batchSize = o.batchSize ?? (init ? FINE_TUNE.batchSize : 64);
  const epochs = o.epochs ?? (init ? epochsForSteps(train.y.length, o.steps ?? FINE_TUNE.steps, batchSize) : 15);
  const augment = !init || FINE_TUNE.augment;
  const threads = backend === "webgpu" ? 1 : o.threads ?? 1;
  let pool: InferencePool | null = null;
  if (threads > 1) {
    const start = await serializeModel(model, {model: kind, backend: backendInfo(), metrics: {}, training: {}});
    pool = await InferencePool.create(start.manifest, start.weights, {workers: threads - 1, backend: [backend]});
    log(`training on ${threads} threads`);
  }
  // The pool closes on failure too (a dead helper rejects its step): live workers would keep
  // the process from exiting.
  const result = await trainClassifier(model, train, validation, {
    epochs, batchSize, learningRate, seed: o.seed ?? 1, helpers: pool?.gradientHelpers(), shouldStop: o.shouldStop, schedule: o.schedule, ...(augment ? {} : {augmentation: null}),
    onEpoch: (e) => log(`epoch ${e.epoch + 1}/${epochs}: train loss ${e.trainLoss.toFixed(4)}, validation loss ${e.validationLoss.toFixed(4)}, BA ${e.validation.balancedAccuracy.toFixed(4)}, ${e.recordsPerSecond.toFixed(0)} records/s`)
  }).finally(() => pool?.close());
  const metrics: {[k: string]: unknown} = {validation: result.epochs[result.bestEpoch]?.validation};
  let lineage: {[k: string]: unknown} | null = null;
  if (init && before) {
    let prob = await predictRecords(model, validation.x, validation.samples);
    if (o.channels && beforeProb) {
      const chain = [{channels: o.channels}, {}];
      prob = mergeByChannel(chain, [prob, beforeProb], Array.from(validation.detector, (d) => channelOfDetector.get(d)!));
    }
    const after = heldOutCheckOf(prob, validation);
    log(`fine-tuned${o.channels ? ` (channels ${o.channels.join(",")}; the others keep ${initDir})` : ""}, on the same held-out labels: ${describeCheck(after)}`);
    metrics.heldOut = {description: o.validation?.length ? "the --validation files' labels" : `${validation.y.length} records held out of the --data labels`, before, after};
    const parent = init.manifest.training as {lineage?: {generation?: number}};
    lineage = {
      parent: {dir: resolve(initDir!), model: init.manifest.model, createdAt: init.manifest.createdAt, weightsSha256: init.manifest.weightsSha256},
      parentLineage: parent.lineage ?? null,
      generation: (parent.lineage?.generation ?? 0) + 1,
      labels: (data.trainLabelFiles as {labels: unknown}[] | undefined)?.map((l) => l.labels) ?? "the files' events/labels"
    };
  }
  const serialized = await serializeModel(model, {
    model: kind,
    backend: result.backend,
    metrics,
    training: {
      pulsebookVersion: PULSEBOOK_VERSION, data, ...(lineage ? {fineTuned: true, lineage} : {}), epochs, epochsRun: result.epochs.length, bestEpoch: result.bestEpoch,
      batchSize, learningRate, learningRateSchedule: o.schedule ?? {kind: "constant"}, optimizer: "adam", loss: "class-weighted binary cross-entropy",
      classWeights: result.classWeights, augmentation: augment ? "paper (pile-up 0.2, noise 0.2, shift ±26)" : "none (fine-tuning)", ...(init ? {replayRecords: replayed} : {}), seed: o.seed ?? 1,
      trainingRecordsPerSecond: result.trainingRecordsPerSecond, threads,
      history: result.epochs.map(({epoch, trainLoss, validationLoss, validation, recordsPerSecond}) => ({epoch, trainLoss, validationLoss, validationBalancedAccuracy: validation.balancedAccuracy, recordsPerSecond})),
      provenance: provenanceStamp({stages: {train: moduleVersion(import.meta.url)}, parameters: {model: kind, epochs, batchSize, learningRate, seed: o.seed ?? 1, ...(init ? {init: init.manifest.weightsSha256} : {})}, inputs: data, command: "pulsebook train"})
    }
  });
  const manifest: ModelManifest = o.channels ? {...serialized.manifest, channels: [...o.channels].sort((a, b) => a - b)} : serialized.manifest;
  await saveModelDir(o.out, manifest, serialized.weights, initFiles);
  model.dispose();
  if (test && o.data === "sim") {
    const sim = o.sim ?? {testModules: 3, eventsPerModule: 1000};
    const t = await evaluateCommand(o.out, {testModules: sim.testModules, eventsPerModule: sim.eventsPerModule, seed: o.seed ?? 1, backend: [backend], write: true});
    log(`held-out test detectors: BA ${(t.balancedAccuracy as number).toFixed(4)}, recall ${(t.recall as number).toFixed(4)}, precision ${(t.precision as number).toFixed(4)}, IOR ${(t.ior as number).toFixed(4)}, IOS ${(t.ios as number).toFixed(4)}`);
    return {manifest: (await loadModelDir(o.out)).manifest, epochs: result.epochs};
  }
  return {manifest, epochs: result.epochs};
}

/** Held-out figures on a user's labels: balanced accuracy, recall, selectivity and the share right per label class. */
export interface HeldOutCheck {
  records: number;
  balancedAccuracy: number;
  recall: number;
  selectivity: number;
  precision: number;
  byClass: {[name: string]: {records: number; correct: number; fraction: number}};
}

function heldOutCheckOf(prob: Float32Array, set: LabeledSet): HeldOutCheck {
  const m = classifierMetrics(prob, set.y);
  const byClass: HeldOutCheck["byClass"] = {};
  for (let i = 0; i < prob.length; i++) {
    const name = LABEL_CLASSES[set.labelClass[i] as keyof typeof LABEL_CLASSES] ?? String(set.labelClass[i]);
    const c = (byClass[name] ??= {records: 0, correct: 0, fraction: 0});
    c.records++;
    if ((prob[i] >= 0.5 ? 1 : 0) === set.y[i]) c.correct++;
  }
  for (const c of Object.values(byClass)) c.fraction = c.correct / c.records;
  return {records: prob.length, balancedAccuracy: m.balancedAccuracy, recall: m.recall, selectivity: m.selectivity, precision: m.precision, byClass};
}

const describeCheck = (c: HeldOutCheck) =>
  `${c.records} records, BA ${c.balancedAccuracy.toFixed(4)}, recall ${c.recall.toFixed(4)}, selectivity ${c.selectivity.toFixed(4)}; right per class: ` +
  Object.entries(c.byClass).map(([k, v]) => `${k} ${v.correct}/${v.records}`).join(", ");

/** Version of the predictions table: the source of this module and the model code it imports. */
export const predictionsVersion = (): string => moduleVersion(import.meta.url);

/** One probability per (event, channel) of the events group → Parquet. */
export async function classifyCommand(input: string, modelDir: string, output: string, opts: {backend?: BackendName[]; chunkEvents?: number; command?: string; threads?: number} = {}): Promise<{rows: number; backend: BackendName; seconds: number}> {
  // WebGPU in Node only when asked for: without a GPU, Dawn runs on Mesa's llvmpipe, far
  // slower than wasm.
  if (opts.backend?.includes("webgpu")) await installNodeWebgpu();
  const backend = await selectBackend(opts.backend ?? [...BACKEND_NAMES]);
  const {model, manifest, weights} = await loadModelDir(modelDir);
  // A model fine-tuned for some channels: the others go to its parent (lib/ml/nets/channelModels.ts).
  const chain: ModelFiles[] = [];
  for (let m: ModelFiles | undefined = readModelFiles(modelDir); m; m = m.parent) chain.push(m);
  const models = [model, ...await Promise.all(chain.slice(1).map((m, k) => deserializeModel(m.manifest, m.weights).catch((e: Error) => {
    throw new DataFileError(join(modelDir, ...Array(k + 1).fill(PARENT_DIR), m.manifest.weightsFile), e.message);
  })))];
  // Several threads: worker threads with their own backend and copy of the model.
  const pools = (opts.threads ?? 1) > 1 && backend !== "webgpu"
    ? await Promise.all(chain.map((m) => InferencePool.create(m.manifest, m.weights, {workers: opts.threads, backend: [backend]})))
    : null;
  const predictWith = (k: number, x: Float32Array) => (pools ? pools[k].predict(x) : predictRecords(models[k], x));
  // Records come channel by channel (preprocessChunk), each channel's from the model serving it.
  const manifests = chain.map((m) => m.manifest);
  const predict = async (x: Float32Array, count: number, nChannels: number): Promise<Float32Array> => {
    if (chain.length === 1) return predictWith(0, x);
    const prob = new Float32Array(count * nChannels);
    for (let c = 0; c < nChannels; c++) prob.set(await predictWith(modelIndexForChannel(manifests, c), x.subarray(c * count * MODEL_SAMPLES, (c + 1) * count * MODEL_SAMPLES)), c * count);
    return prob;
  };
  const file = await openCaitFile(input);
  const t0 = performance.now();
  try {
    const total = file.count("events");
    if (total === 0) throw new DataFileError(input, "group holds no events", "events/event");
    const L = file.dataset.layout.recordLength;
    if (L % MODEL_SAMPLES !== 0) throw new DataFileError(input, `record length ${L} is not a multiple of ${MODEL_SAMPLES}: cannot downsample`, "events/event");
    const hasLabels = file.dataset.hasLabels;
    async function* batches(): AsyncGenerator<Columns> {
      for (const chunk of file.chunks("events", opts.chunkEvents ?? 512)) {
        const x = preprocessChunk(chunk);
        const prob = await predict(x, chunk.count, chunk.nChannels);
        const n = chunk.count * chunk.nChannels;
        const cols: Columns = {event: new Int32Array(n), channel: new Int32Array(n), probability: prob};
        for (let c = 0; c < chunk.nChannels; c++) {
          for (let i = 0; i < chunk.count; i++) {
            (cols.event as Int32Array)[c * chunk.count + i] = chunk.start + i;
            (cols.channel as Int32Array)[c * chunk.count + i] = c;
          }
        }
        if (hasLabels) cols.label = Int32Array.from(chunk.labels!);
        yield cols;
      }
    }
    const version = predictionsVersion();
    const model = {dir: resolve(modelDir), model: manifest.model, createdAt: manifest.createdAt, weightsSha256: manifest.weightsSha256, ...channelsNote(chain)};
    const stamp = provenanceStamp({stages: {classify: version}, parameters: {model, cutoff: 0.5}, inputs: {file: fileIdentity(input)}, command: opts.command ?? "classifyCommand"});
    const {rows} = await writeParquetStream(output, batches(), parquetProvenance(stamp, {
      "pulsebook.table": "predictions",
      "pulsebook.format_version": version,
      "pulsebook.input": JSON.stringify(fileIdentity(input)),
      "pulsebook.model": JSON.stringify(model),
      "pulsebook.backend": JSON.stringify(backendInfo()),
      "pulsebook.cutoff": "0.5"
    }));
    return {rows, backend, seconds: (performance.now() - t0) / 1000};
  } finally {
    file.close();
    for (const m of models) m.dispose();
    await Promise.all(pools?.map((p) => p.close()) ?? []);
  }
}


/** For the predictions' provenance: which channels the model serves and the parent's weights for the others. */
function channelsNote(chain: ModelFiles[]): {[k: string]: unknown} {
  if (chain.length === 1) return {};
  return {channels: chain[0].manifest.channels, otherChannels: chain.slice(1).map((m) => ({model: m.manifest.model, channels: m.manifest.channels ?? "every other", weightsSha256: m.manifest.weightsSha256}))};
}

/**
 * Held-out evaluation of a model directory on simulated test modules (never used in training
 * with the same seed): balanced accuracy, recall, precision, the cutoff sweep, IOR and IOS.
 * With `write`, the figures replace `metrics.test` in the manifest (atomically).
 */
export async function evaluateCommand(modelDir: string, o: {testModules?: number; eventsPerModule?: number; probes?: number; seed?: number; backend?: BackendName[]; write?: boolean} = {}): Promise<{[k: string]: unknown}> {
  const backend = await selectBackend(o.backend ?? [...BACKEND_NAMES]);
  const {model, manifest, weights} = await loadModelDir(modelDir);
  const seed = o.seed ?? 1;
  const split = simulatedSplit({trainModules: 0, validationModules: 0, testModules: o.testModules ?? 10, eventsPerModule: o.eventsPerModule ?? 1500, seed});
  const t0 = performance.now();
  const prob = await predictRecords(model, split.test.x);
  const seconds = (performance.now() - t0) / 1000;
  const m = classifierMetrics(prob, split.test.y);
  const sim = await evaluateOnSimulation((x) => predictRecords(model, x), split.testPresets, o.probes ?? 1000, seed * 7919);
  const byClass: {[name: string]: {records: number; correct: number}} = {};
  for (let i = 0; i < prob.length; i++) {
    const name = LABEL_CLASSES[split.test.labelClass[i] as keyof typeof LABEL_CLASSES] ?? String(split.test.labelClass[i]);
    const c = (byClass[name] ??= {records: 0, correct: 0});
    c.records++;
    if ((prob[i] >= 0.5 ? 1 : 0) === split.test.y[i]) c.correct++;
  }
  const test = {
    description: `${split.testPresets.length} held-out simulated modules (preset seeds ${seed * 100_000 + 70_000}…), ${prob.length} records`,
    balancedAccuracy: m.balancedAccuracy, recall: m.recall, precision: m.precision, selectivity: m.selectivity,
    tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn,
    ior: sim.ior, ios: sim.ios, iosLaterSmaller: sim.iosLaterSmaller, recallBySnr: sim.recallBySnr,
    selectivityByOnsetWindow: sim.selectivityByOnsetWindow, selectivityByRelativeDifference: sim.selectivityByRelativeDifference, selectivityGrid: sim.selectivityGrid,
    selectivityByOnset: sim.selectivityByOnset, selectivityByRelativeHeight: sim.selectivityByRelativeHeight,
    cutoffSweep: cutoffSweep(prob, split.test.y).map(({cutoff, balancedAccuracy, recall, precision}) => ({cutoff, balancedAccuracy, recall, precision})),
    byClass,
    inference: {backend, recordsPerSecond: prob.length / seconds}
  };
  if (o.write) {
    await saveModelDir(modelDir, {...manifest, metrics: {...manifest.metrics, test}}, weights);
  }
  model.dispose();
  return test;
}
