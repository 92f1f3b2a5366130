// Main pulse parameters of the demo events, one row per (event, channel), as Parquet.
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {ensureDemoFile} from "../../data-loaders/demo.js";
import {writeFeatures} from "../../data-loaders/features.js";
import {fileToStdout} from "../../data-loaders/stdout.js";

const dir = mkdtempSync(join(tmpdir(), "pulsebook-features-"));
try {
  const out = join(dir, "features.parquet");
  await writeFeatures(await ensureDemoFile(), out, {command: "src/data/features.parquet.ts"});
  await fileToStdout(out);
} finally {
  rmSync(dir, {recursive: true, force: true});
}
