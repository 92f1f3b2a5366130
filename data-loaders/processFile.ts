// A processing config file → runProcess: what `pulsebook process` and data loaders call.

import {statSync} from "node:fs";
import {resolve} from "node:path";
import {ConfigError, parseProcessConfig} from "../lib/config/processConfig.js";
import {readText} from "./io/readFile.js";
import {runProcess, type ProcessOptions, type ProcessSummary} from "./process.js";

/** Reads, validates and runs the config at `path`; returns the summary and the output folder. */
export async function processFromFile(path: string, options: ProcessOptions = {}): Promise<ProcessSummary & {output: string}> {
  const config = parseProcessConfig(readText(path, "processing config"), resolve(path));
  // The output is a folder of tables; a file there (the input, say) is never replaced.
  let existing;
  try { existing = statSync(config.output); } catch { /* made when written */ }
  if (existing && !existing.isDirectory()) {
    throw new ConfigError(path, "output", `names ${JSON.stringify(config.output)}, which is a file; output is the folder the tables go to: name a folder`);
  }
  const summary = await runProcess(config, options);
  return {...summary, output: config.output};
}
