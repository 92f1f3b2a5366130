// The demo run through `pulsebook process` (data-loaders/process.ts), for the pages: the same
// stages, the same reuse store as the CLI. The output is reused only while its lineage — every
// stage's source-derived version, parameters and the demo file's identity, recorded in
// summary.json — is unchanged; after a code change only the stages it touches are recomputed.

import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {validateProcessConfig} from "../lib/config/processConfig.js";
import {ensureDemoFile} from "./demo.js";
import {processLineage, runProcess, type ProcessSummary} from "./process.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The demo processing config: every step, calibrated on the simulated line. */
export function demoConfigObject(input: string): object {
  return {
    version: 1,
    input,
    output: join(ROOT, ".pulsebook", "demo-process"),
    sev: {selection: ["label = 1 AND pulse_height_V BETWEEN 0.2 AND 1", "label = 1"]},
    nps: {selection: "abs(baseline_slope_V_per_s) < 0.05"},
    sevFit: true,
    calibration: {amplitude: "of_amplitude_V", line_keV: 5.895, polyOrder: 2}
  };
}

/** Output folder of the processed demo run, processing it first when its lineage changed. */
export async function ensureDemoProcessed(): Promise<string> {
  const input = await ensureDemoFile();
  const config = validateProcessConfig(demoConfigObject(input), join(ROOT, "data-loaders", "demoProcess.ts"));
  const summaryPath = join(config.output, "summary.json");
  if (existsSync(summaryPath)) {
    const old = JSON.parse(readFileSync(summaryPath, "utf8")) as Partial<ProcessSummary>;
    if (old.lineage === processLineage(config)) return config.output;
  }
  await runProcess(config);
  return config.output;
}

/** summary.json of the processed demo run. */
export async function demoProcessSummary(): Promise<Uint8Array> {
  return readFileSync(join(await ensureDemoProcessed(), "summary.json"));
}

/** A table of the processed demo run (`events.parquet`, …). */
export async function demoProcessTable(name: string): Promise<Uint8Array> {
  return readFileSync(join(await ensureDemoProcessed(), name));
}
