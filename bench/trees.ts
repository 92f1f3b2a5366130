// Boosted-tree bench (part of `npm run bench`; alone: `npm run bench -- --only trees`): training
// and inference records/s of the GBDT (both feature sets) and TreeSHAP records/s, on feature
// rows of simulated modules (simulation and feature extraction not timed). Writes
// bench/results/trees.json. The development machine is shared: treat figures as indicative.
import {mkdirSync, writeFileSync} from "node:fs";
import {cpus, totalmem} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {FEATURE_SETS, featureMatrix, simulatedFeatureSplit} from "../lib/ml/trees/treeData.js";
import {DEFAULT_GBDT_PARAMS, predictProba, trainGbdt} from "../lib/ml/trees/trees.js";
import {shapValues} from "../lib/ml/trees/treeShap.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const split = simulatedFeatureSplit({trainModules: 12, testModules: 3, eventsPerModule: 1000, seed: 1});
const out: {[k: string]: unknown} = {
  date: new Date().toISOString(),
  machine: {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_GiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version},
  data: split.description, params: DEFAULT_GBDT_PARAMS
};
for (const set of ["all", "four"] as const) {
  const names = [...FEATURE_SETS[set]];
  const x = featureMatrix(split.train.columns, names);
  let t = performance.now();
  const model = trainGbdt(x, split.train.y, names);
  const trainS = (performance.now() - t) / 1000;
  const xt = featureMatrix(split.test.columns, names);
  t = performance.now();
  for (let k = 0; k < 5; k++) predictProba(model, xt);
  const predictS = (performance.now() - t) / 1000 / 5;
  t = performance.now();
  shapValues(model, xt);
  const shapS = (performance.now() - t) / 1000;
  out[set] = {
    features: names.length, trees: model.trees.length, trainRecords: split.train.rows, testRecords: split.test.rows,
    training_records_per_s: split.train.rows / trainS,
    training_record_trees_per_s: (split.train.rows * model.trees.length) / trainS,
    training_seconds: trainS,
    inference_records_per_s: split.test.rows / predictS,
    shap_records_per_s: split.test.rows / shapS
  };
  console.error(`trees (${set}): training ${split.train.rows} records × ${model.trees.length} trees in ${trainS.toFixed(1)} s; inference ${Math.round(split.test.rows / predictS)} records/s; SHAP ${Math.round(split.test.rows / shapS)} records/s`);
}
mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
const file = join(ROOT, "bench", "results", "trees.json");
writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
console.log(JSON.stringify(out, null, 2));
console.error(`wrote ${file}`);
