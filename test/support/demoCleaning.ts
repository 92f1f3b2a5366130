// The demo run cleaned the way the limit report and `pulsebook limit RUN.yaml` clean it, computed
// here independently of data-loaders/runEfficiency.ts: the processed event table as
// `pulsebook process` wrote it, the cut files through `applyCuts` (the cuts page's code), the
// 4-feature tree model, the trigger threshold on the phonon OF amplitude.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {featureMatrix} from "../../lib/ml/trees/treeData.js";
import {predictProba} from "../../lib/ml/trees/trees.js";
import {readParquet} from "../../data-loaders/io/parquet.js";
import {applyCuts, readCutDir} from "../../data-loaders/cuts.js";
import {readTreeClassifier} from "../../data-loaders/runEfficiency.js";
import {DEFAULT_TREE_MODEL_DIRS} from "../../data-loaders/modelDirs.js";
import {ensureDemoProcessed} from "../../data-loaders/demoProcess.js";

export const DEMO_CUTS = fileURLToPath(new URL("../../src/cuts", import.meta.url));

/** Energies (keV) of the demo's phonon events above `threshold_V` that pass every cut and the trees; and the run's exposure for `mass_kg`. */
export async function demoCleaned(threshold_V: number, mass_kg = 0.0236): Promise<{energies: number[]; exposure_kg_day: number}> {
  const dir = await ensureDemoProcessed();
  const evBytes = new Uint8Array(readFileSync(join(dir, "events.parquet")));
  const t = readParquet(evBytes, "events.parquet");
  const col = (n: string) => Array.from(t.getChild(n)!.toArray() as ArrayLike<number>, Number);
  const channel = col("channel"), event = col("event"), energy = col("energy_keV"), ofA = col("of_amplitude_V");
  const report = await applyCuts(evBytes, readCutDir(DEMO_CUTS).map((c) => c.cut), "events.parquet");
  const rows = channel.flatMap((c, r) => (c === 0 ? [r] : []));
  const trees = readTreeClassifier(DEFAULT_TREE_MODEL_DIRS.four, "trees-four");
  const x = featureMatrix(Object.fromEntries(trees.model.features.map((f) => { const c = col(f); return [f, rows.map((r) => c[r])]; })), trees.model.features);
  const prob = predictProba(trees.model, x);
  const at = new Map(Array.from(report.events, (e, i) => [e, i]));
  const energies = rows.filter((r, i) => ofA[r] > threshold_V && report.passes.every((p) => p[at.get(event[r])!]) && prob[i] >= 0.5).map((r) => energy[r]);
  // Exposure: mass × (span of all records + one record − one record per event and test pulse).
  const hours = ["events", "testpulses", "noise"].flatMap((g) => Array.from(readParquet(new Uint8Array(readFileSync(join(dir, `${g}.parquet`))), g).getChild("hours")!.toArray() as ArrayLike<number>, Number));
  const record_h = 16384 / 25000 / 3600;
  const live = Math.max(...hours) - Math.min(...hours) + record_h;
  const triggered = new Set(event).size + new Set(Array.from(readParquet(new Uint8Array(readFileSync(join(dir, "testpulses.parquet"))), "tp").getChild("event")!.toArray() as ArrayLike<number>, Number)).size;
  return {energies, exposure_kg_day: (mass_kg * (live - triggered * record_h)) / 24};
}
