// The bundled demo data: a small simulated module, made once and reused while its lineage
// (simulator source, seed, size) is unchanged. Both demo loaders share it, so the features
// the pages show are those of the very records the record viewer draws.

import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {join} from "node:path";
import {writeSimulation} from "./simulate.js";
import {PULSEBOOK_VERSION} from "./provenance.js";

export const DEMO = {events: 200, testpulses: 40, noise: 40, seed: 20261122} as const;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE = join(ROOT, ".pulsebook", "demo");

/** Hash of everything the demo file depends on: simulator and writer sources, sizes, seed. */
function lineage(): string {
  const hash = createHash("sha256").update(JSON.stringify({DEMO, PULSEBOOK_VERSION}));
  for (const dir of ["lib/sim", "lib/io"]) {
    for (const f of readdirSync(join(ROOT, dir)).sort()) hash.update(f).update(readFileSync(join(ROOT, dir, f)));
  }
  hash.update(readFileSync(join(ROOT, "data-loaders/simulate.ts")));
  return hash.digest("hex").slice(0, 16);
}

/** Path of the demo HDF5 file, simulating it first when no file of the current lineage exists. */
export async function ensureDemoFile(): Promise<string> {
  const path = join(CACHE, `demo-${lineage()}.h5`);
  if (existsSync(path)) return path;
  mkdirSync(CACHE, {recursive: true});
  await writeSimulation(path, DEMO);
  // Older lineages are stale: remove them so the cache does not grow.
  for (const f of readdirSync(CACHE)) if (f.endsWith(".h5") && join(CACHE, f) !== path) rmSync(join(CACHE, f), {force: true});
  return path;
}
