// A processing config file → runProcess: what `pulsebook process` and data loaders call.

import {readFileSync} from "node:fs";
import {parseProcessConfig} from "../lib/config/processConfig.js";
import {runProcess, type ProcessOptions, type ProcessSummary} from "./process.js";

/** Reads, validates and runs the config at `path`; returns the summary and the output folder. */
export async function processFromFile(path: string, options: ProcessOptions = {}): Promise<ProcessSummary & {output: string}> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`${path}: cannot read the processing config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const config = parseProcessConfig(text, path);
  const summary = await runProcess(config, options);
  return {...summary, output: config.output};
}
