// The bundled demo data: a small simulated module, made once and reused while its lineage
// (the simulator's source-derived version, sizes, seed) is unchanged; and its feature table,
// reused while the demo file and the feature code are unchanged. The demo loaders share them,
// so the features the pages show are those of the very records the record viewer draws.

import {fileURLToPath} from "node:url";
import {join} from "node:path";
import {inputLineage, stageLineage} from "../lib/pipeline/index.js";
import {featuresVersion, writeFeatures} from "./features.js";
import {storedFile} from "./pipeline/store.js";
import {fileIdentity} from "./provenance.js";
import {simulatorVersion, writeSimulation} from "./simulate.js";

export const DEMO = {events: 200, testpulses: 40, noise: 40, seed: 20261122} as const;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The repository's reuse store (git-ignored): `.pulsebook/store/<stage>/<lineage>/…`. */
export const STORE = join(ROOT, ".pulsebook", "store");

/** Lineage of the demo file: the simulator's source-derived version and the demo's sizes and seed. */
export function demoLineage(): string {
  return stageLineage("demo", simulatorVersion(), DEMO, {});
}

/** Path of the demo HDF5 file, simulating it first when no file of the current lineage exists. */
export async function ensureDemoFile(): Promise<string> {
  return storedFile(STORE, "demo", demoLineage(), "demo.h5", (tmp) => writeSimulation(tmp, DEMO));
}

/** Path of the demo's feature table (events, Parquet), computed when its lineage changed. */
export async function ensureDemoFeatures(): Promise<string> {
  const demo = await ensureDemoFile();
  const lineage = stageLineage("demo-features", featuresVersion(), {group: "events"}, {input: inputLineage(fileIdentity(demo))});
  return storedFile(STORE, "demo-features", lineage, "features.parquet", (tmp) => writeFeatures(demo, tmp, {command: "ensureDemoFeatures"}));
}

