// DARWIN anomaly-aware search, the I/O side: train the ER/NR classifier and the ER-only VAE on
// simulated TPC events and write them as model files (`pulsebook train-anomaly`); score
// template events with them (the report's data loader); run the sensitivity scan
// (`pulsebook anomaly-search`).
import {existsSync} from "node:fs";
import {dirname, join} from "node:path";
import {DataFileError} from "../lib/io/errors.js";
import {selectBackend, type BackendName} from "../lib/ml/nets/backend.js";
import {accuracy, backgroundCrossEntropy, disposeClassifier, loadClassifier, predictNR, saveClassifier, trainClassifier} from "../lib/ml/darwin/tpcClassifier.js";
import {disposeVae, loadVae, saveVae, trainVae, vaeLoss} from "../lib/ml/darwin/vae.js";
import {Rng, featureLength, simulateTpc, tpcFeatures, uniformEnergies} from "../lib/sim/index.js";
import {sensitivityVsExposure, type AnomalyTemplates, type SearchParams} from "../lib/stats/darwinSearch.js";
import {compareStatistics, COMPARISON_EXPOSURES, COMPARISON_SIGNALS, type SignalSpec} from "../lib/stats/darwinComparison.js";
import {fileIdentity, moduleVersion, provenanceStamp, PULSEBOOK_VERSION} from "./provenance.js";
import {atomicWriteJson} from "./io/atomicWrite.js";
import {readJson} from "./io/readFile.js";
import {MAX_MODEL_JSON_BYTES} from "../lib/ml/fileFormat.js";

import {DEFAULT_ANOMALY_MODEL_DIR as DEFAULT_MODEL_DIR} from "./modelDirs.js";
export {DEFAULT_MODEL_DIR};
/** True-energy ranges of the training and template events (keVee for ER, keVnr for NR). */
export const ER_RANGE_keVee: [number, number] = [2, 10];
export const NR_RANGE_keVnr: [number, number] = [3, 60];
export const TEMPLATES_FORMAT_VERSION = 1;

function readModelJson(path: string): unknown {
  if (!existsSync(path)) throw new DataFileError(path, "model file not found (run `pulsebook train-anomaly`)");
  return readJson(path, "model file", MAX_MODEL_JSON_BYTES);
}

export interface TrainAnomalyOptions {
  /** Events per class for training (the classifier sees ER + NR, the VAE ER only). */
  events?: number;
  epochs?: number;
  beta?: number;
  seed?: number;
  outDir?: string;
  backend?: BackendName;
  log?: (msg: string) => void;
}

export async function trainAnomalyModels(o: TrainAnomalyOptions = {}): Promise<{classifier: string; vae: string; testAccuracy: number; backend: BackendName}> {
  const {events = 20000, epochs = 30, beta = 1, seed = 1, outDir = DEFAULT_MODEL_DIR, log = () => {}} = o;
  const backend = await selectBackend(o.backend ? [o.backend] : ["wasm", "cpu"]);
  const rng = new Rng(seed, 0xda);
  const d = featureLength();
  const sim = (n: number, s: number) => simulateTpc([
    {kind: "ER", energy_keV: uniformEnergies(n, ...ER_RANGE_keVee, rng)},
    {kind: "NR", energy_keV: uniformEnergies(n, ...NR_RANGE_keVnr, rng)}
  ], s);
  const train = sim(events, seed * 1000 + 1), test = sim(Math.ceil(events / 4), seed * 1000 + 2);
  log(`backend ${backend}; classifier on ${2 * events} events, ${epochs} epochs`);
  const {model: clf} = await trainClassifier(tpcFeatures(train), train.kind, d, {epochs, seed, onEpoch: (e, l) => log(`  classifier epoch ${e + 1}: loss ${l.toFixed(4)}`)});
  const testAccuracy = accuracy(predictNR(clf, tpcFeatures(test)), test.kind);
  log(`  test accuracy ${(100 * testAccuracy).toFixed(2)} %`);
  const erOnly = simulateTpc([{kind: "ER", energy_keV: uniformEnergies(events, ...ER_RANGE_keVee, rng)}], seed * 1000 + 3);
  log(`VAE on ${events} ER events, β = ${beta}`);
  const {model: vae} = await trainVae(tpcFeatures(erOnly), d, {epochs, beta, seed, onEpoch: (e, l) => log(`  VAE epoch ${e + 1}: −ELBO ${l.toFixed(2)}`)});
  const meta = {
    pulsebook: PULSEBOOK_VERSION, command: "pulsebook train-anomaly", seed, events, epochs, backend, erRange_keVee: ER_RANGE_keVee, nrRange_keVnr: NR_RANGE_keVnr,
    stamp: provenanceStamp({stages: {trainAnomaly: moduleVersion(import.meta.url)}, parameters: {seed, events, epochs, beta, backend}, command: "pulsebook train-anomaly"})
  };
  const cPath = join(outDir, "classifier.json"), vPath = join(outDir, "vae.json");
  atomicWriteJson(cPath, saveClassifier(clf, {...meta, testAccuracy}));
  atomicWriteJson(vPath, saveVae(vae, meta));
  disposeClassifier(clf);
  disposeVae(vae);
  return {classifier: cPath, vae: vPath, testAccuracy, backend};
}

const round = (a: ArrayLike<number>, digits: number) => Array.from(a, (v) => +v.toFixed(digits));

/** Simulate template events uniformly in energy and score them with the trained models. */
export async function scoreTemplates(o: {events?: number; seed?: number; modelDir?: string} = {}): Promise<AnomalyTemplates & {format: string; version: number; provenance: {[k: string]: unknown}}> {
  const {events = 10000, seed = 7, modelDir = DEFAULT_MODEL_DIR} = o;
  await selectBackend(["wasm", "cpu"]);
  const cPath = join(modelDir, "classifier.json"), vPath = join(modelDir, "vae.json");
  const clfJson = readModelJson(cPath), vaeJson = readModelJson(vPath);
  const load = <T>(f: () => T, path: string): T => {
    try {
      return f();
    } catch (e) {
      throw new DataFileError(path, (e as Error).message.replace(`${path}: `, ""));
    }
  };
  const clf = load(() => loadClassifier(clfJson, cPath), cPath);
  const vae = load(() => loadVae(vaeJson, vPath), vPath);
  const rng = new Rng(seed, 0x7e);
  const one = (kind: "ER" | "NR", range: [number, number], s: number) => {
    const ev = simulateTpc([{kind, energy_keV: uniformEnergies(events, ...range, rng)}], s);
    const x = tpcFeatures(ev);
    return {
      energyRange_keV: range,
      energy_keV: round(ev.energy_keV, 3),
      energyRec_keVee: round(ev.energyRec_keVee, 3),
      negElbo: round(vaeLoss(vae, x), 3),
      hB: round(backgroundCrossEntropy(predictNR(clf, x)), 5),
      s1_PE: round(ev.s1_PE, 1),
      s2_PE: round(ev.s2_PE, 0)
    };
  };
  const out = {
    format: "pulsebook-anomaly-templates", version: TEMPLATES_FORMAT_VERSION,
    provenance: {
      pulsebook: PULSEBOOK_VERSION, seed, events, classifier: (clfJson as {meta: unknown}).meta, vae: (vaeJson as {meta: unknown}).meta,
      stamp: provenanceStamp({stages: {scoreTemplates: moduleVersion(import.meta.url)}, parameters: {seed, events}, inputs: {classifier: fileIdentity(cPath), vae: fileIdentity(vPath)}})
    },
    er: one("ER", ER_RANGE_keVee, seed * 1000 + 11),
    nr: one("NR", NR_RANGE_keVnr, seed * 1000 + 12)
  };
  disposeClassifier(clf);
  disposeVae(vae);
  return out;
}

export async function anomalySearch(o: {params: Omit<SearchParams, "exposure_tonne_yr">; exposures: number[]; nNull?: number; nSignal?: number; events?: number; modelDir?: string; out?: string}) {
  const t = await scoreTemplates({events: o.events, modelDir: o.modelDir});
  const points = sensitivityVsExposure(t, o.params, o.exposures, {nNull: o.nNull, nSignal: o.nSignal});
  const stamp = provenanceStamp({
    stages: {anomalySearch: moduleVersion(import.meta.url)},
    parameters: {params: o.params, exposures: o.exposures, nNull: o.nNull, nSignal: o.nSignal},
    inputs: {templates: t.provenance.stamp}
  });
  const result = {format: "pulsebook-anomaly-sensitivity", version: 1, params: o.params, provenance: {...t.provenance, stamp}, points};
  if (o.out) atomicWriteJson(o.out, result);
  return result;
}

/**
 * The three statistics (monotone anomaly LR, unbinned −2 ln L, binned ER veto) on the same
 * pseudo-data against exposure, for the report's signals (`pulsebook anomaly-compare`, the bench).
 */
export async function anomalyCompare(o: {R?: number; exposures?: number[]; signals?: SignalSpec[]; nNull?: number; nNullBinned?: number; nSignal?: number; nCheck?: number; events?: number; modelDir?: string; out?: string; log?: (m: string) => void}) {
  const t = await scoreTemplates({events: o.events, modelDir: o.modelDir});
  const exposures = o.exposures ?? COMPARISON_EXPOSURES, signals = o.signals ?? COMPARISON_SIGNALS, R = o.R ?? 100;
  const sizes = {nNull: o.nNull ?? 10000, nNullBinned: o.nNullBinned ?? 1000000, nSignal: o.nSignal ?? 1000, nCheck: o.nCheck ?? 2000};
  const {points, nullChecks} = compareStatistics(t, signals, exposures, {R, ...sizes}, o.log);
  const stamp = provenanceStamp({
    stages: {anomalyCompare: moduleVersion(import.meta.url)},
    parameters: {R, exposures, signals, ...sizes},
    inputs: {templates: t.provenance.stamp}
  });
  const result = {format: "pulsebook-anomaly-comparison", version: 1, R, signals, exposures, ...sizes, provenance: {...t.provenance, stamp}, points, nullChecks};
  if (o.out) atomicWriteJson(o.out, result);
  return result;
}
