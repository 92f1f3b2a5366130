// The data-cleaning report's numbers: the pretrained networks' manifests (the paper's CNN and
// cnn-full: training history, held-out metrics, IOR/IOS curves, backend) and a pulse-height
// spectrum of a held-out
// simulated run (CRESST-like module, a seed never used in training): raw, classical cuts,
// the model, the boosted trees (all features and four; their manifests hold held-out metrics on
// the CNN's test records) with SHAP values, and the simulation's true labels.
// TensorFlow.js must be registered (data-loaders/tfjs/registerTfjsEsm.mjs) before this module is imported.
import {CRESST_LIKE, simulateChunk} from "../lib/sim/index.js";
import {computeFeatures} from "../lib/dsp/features.js";
import {preprocessChunk} from "../lib/ml/data/preprocess.js";
import {binaryTarget} from "../lib/ml/data/labels.js";
import {classicalCuts} from "../lib/ml/eval/classicalCuts.js";
import {predictRecords} from "../lib/ml/nets/models.js";
import {selectBackend, backendInfo} from "../lib/ml/nets/backend.js";
import {loadModelDir, SHIPPED_MODEL_DIRS} from "./ml.js";
import {readTreeModel, DEFAULT_TREE_MODEL_DIRS} from "./trees.js";
import {featureMatrix} from "../lib/ml/trees/treeData.js";
import {predictProba} from "../lib/ml/trees/trees.js";
import {shapValues, expectedValue} from "../lib/ml/trees/treeShap.js";

/** The report's numbers (held-out simulated run, every model). */
export async function dataCleaningReport(): Promise<object> {
  const EVENTS = 2000;
  const SEED = 777_001;
  await selectBackend(["wasm", "cpu"]);
  const {model, manifest} = await loadModelDir(SHIPPED_MODEL_DIRS["cnn-full"]);
  const paper = await loadModelDir(SHIPPED_MODEL_DIRS.cnn);
  const treesAll = readTreeModel(DEFAULT_TREE_MODEL_DIRS.all);
  const treesFour = readTreeModel(DEFAULT_TREE_MODEL_DIRS.four);
  const rows: {channel: number; ph_V: number; truth: number; cut: number; prob: number; probPaper: number; treesAll: number; treesFour: number; label: number}[] = [];
  // SHAP values of the all-features trees for every 8th row (log-odds, rounded), ranked by feature value (the beeswarm's colour).
  const shap: {feature: string; shap: number; value?: number; rank: number; channel: number}[] = [];
  for (let start = 0; start < EVENTS; start += 250) {
    const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start, count: 250, seed: SEED});
    const f = computeFeatures(chunk, CRESST_LIKE.layout);
    const cut = classicalCuts(f as never);
    const x = preprocessChunk(chunk);
    const prob = await predictRecords(model, x);
    const probPaper = await predictRecords(paper.model, x);
    const xAll = featureMatrix(f as never, treesAll.model.features);
    const pAll = predictProba(treesAll.model, xAll);
    const pFour = predictProba(treesFour.model, featureMatrix(f as never, treesFour.model.features));
    const k = treesAll.model.features.length;
    const sub = Array.from({length: Math.ceil(f.event.length / 8)}, (_, j) => 8 * j);
    const xSub = new Float64Array(sub.length * k);
    sub.forEach((r, j) => xSub.set(xAll.subarray(r * k, (r + 1) * k), j * k));
    const phi = shapValues(treesAll.model, xSub);
    sub.forEach((r, j) => treesAll.model.features.forEach((name, q) => {
      shap.push({feature: name, shap: +phi[j * k + q].toFixed(4), value: xAll[r * k + q], rank: 0, channel: f.channel[r]});
    }));
    // Feature rows are event-major (event, channel); records are channel-major.
    for (let r = 0; r < f.event.length; r++) {
      const c = f.channel[r], i = f.event[r] - chunk.start;
      const label = chunk.labels![c * chunk.count + i];
      rows.push({channel: c, ph_V: +f.pulse_height_V[r].toFixed(5), truth: binaryTarget(label), cut: cut[r], prob: +prob[c * chunk.count + i].toFixed(4), probPaper: +probPaper[c * chunk.count + i].toFixed(4), treesAll: +pAll[r].toFixed(4), treesFour: +pFour[r].toFixed(4), label});
    }
  }
  // Colour of the beeswarm: the feature value's rank (0–1) within its feature, robust to units and outliers.
  for (const name of treesAll.model.features) {
    const of = shap.filter((d) => d.feature === name).sort((a, b) => (Number.isNaN(a.value!) ? -Infinity : a.value!) - (Number.isNaN(b.value!) ? -Infinity : b.value!));
    of.forEach((d, j) => { d.rank = +(j / Math.max(1, of.length - 1)).toFixed(3); delete d.value; });
  }
  const treeAbout = (t: typeof treesAll) => ({featureSet: t.doc.featureSet, features: t.model.features, trees: t.model.trees.length, createdAt: t.doc.createdAt, training: t.doc.training, metrics: t.doc.metrics, expectedValue: expectedValue(t.model)});
  const strip = ({weightSpecs: _w, topology: _t, ...about}: typeof manifest) => about;
  return {model: strip(manifest), paperModel: strip(paper.manifest), trees: {all: treeAbout(treesAll), four: treeAbout(treesFour), shap}, spectrum: {events: EVENTS, seed: SEED, preset: CRESST_LIKE.name, backend: backendInfo(), rows}};
}
