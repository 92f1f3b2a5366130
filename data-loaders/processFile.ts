// A processing config file → runProcess: what `pulsebook process` and data loaders call.

import {resolve} from "node:path";
import {parseProcessConfig} from "../lib/config/processConfig.js";
import {readText} from "./io/readFile.js";
import {runProcess, type ProcessOptions, type ProcessSummary} from "./process.js";

/** Reads, validates and runs the config at `path`; returns the summary and the output folder. */
export async function processFromFile(path: string, options: ProcessOptions = {}): Promise<ProcessSummary & {output: string}> {
  const config = parseProcessConfig(readText(path, "processing config"), resolve(path));
  const summary = await runProcess(config, options);
  return {...summary, output: config.output};
}
