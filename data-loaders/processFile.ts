// A processing config file → runProcess: what `pulsebook process` and data loaders call.

import {statSync} from "node:fs";
import {resolve} from "node:path";
import {ConfigError, parseProcessConfig, type ProcessConfig} from "../lib/config/processConfig.js";
import type {Shard, ShardStep} from "../lib/pipeline/shard.js";
import {readText} from "./io/readFile.js";
import {runProcess, type ProcessOptions, type ProcessSummary} from "./process.js";

/** Reads and validates the config at `path`, whose output must be a folder (or absent). */
export function readProcessConfig(path: string): ProcessConfig {
  const config = parseProcessConfig(readText(path, "processing config"), resolve(path));
  // The output is a folder of tables; a file there (the input, say) is never replaced.
  let existing;
  try { existing = statSync(config.output); } catch { /* made when written */ }
  if (existing && !existing.isDirectory()) {
    throw new ConfigError(path, "output", `names ${JSON.stringify(config.output)}, which is a file; output is the folder the tables go to: name a folder`);
  }
  return config;
}

/** Reads, validates and runs the config at `path`; returns the summary and the output folder. */
export async function processFromFile(path: string, options: ProcessOptions = {}): Promise<ProcessSummary & {output: string}> {
  const config = readProcessConfig(path);
  const summary = await runProcess(config, options);
  return {...summary, output: config.output};
}

/** One step of a sharded run of the config at `path` (data-loaders/shards.ts). */
export async function shardStepFromFile(path: string, step: ShardStep, where: {shard?: Shard; count?: number}, options: ProcessOptions = {}) {
  const {runShardStep} = await import("./shards.js");
  return runShardStep(readProcessConfig(path), step, where, options);
}

/**
 * `pulsebook submit`: plans and submits the run's Slurm jobs (data-loaders/slurm.ts); with
 * `wait`, waits for them and returns 1 when a step is still not done (naming the shards).
 */
export async function submitFromFile(path: string, options: import("./slurm.js").SlurmOptions & {dryRun?: boolean; wait?: boolean; log?: (m: string) => void; print: (m: string) => void}): Promise<number> {
  const {submitSlurm, waitForJobs} = await import("./slurm.js");
  const {shardStatus} = await import("./shards.js");
  const config = readProcessConfig(path);
  const {jobs} = await submitSlurm(config, options);
  if (options.dryRun) {
    for (const j of jobs) options.print(`# ${j.file}${j.shards ? ` (shards ${j.shards.join(",")})` : ""}, after the job above\n${j.script}`);
    return 0;
  }
  if (!options.wait || jobs.length === 0) return 0;
  await waitForJobs(jobs.map((j) => (j as {jobId: string}).jobId));
  const status = await shardStatus(config, options.shards);
  if (status.final) {
    options.log?.(`done: ${config.output}/summary.json`);
    return 0;
  }
  const left = [
    status.features.length ? `features of shards ${status.features.join(", ")}` : "",
    status.shared ? "" : "the shared step",
    status.records.length ? `records of shards ${status.records.join(", ")}` : "",
    "the final step"
  ].filter(Boolean);
  console.error(`pulsebook: ${path}: not done: ${left.join("; ")} (logs in ${config.output}/slurm/); run the same submit again to resubmit only those`);
  return 1;
}
