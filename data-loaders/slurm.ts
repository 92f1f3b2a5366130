// `pulsebook submit CONFIG --slurm --shards N`: a run as Slurm jobs. Four jobs, each waiting
// for the one before (`--dependency=afterok`): the features array, the shared step, the records
// array and the final step (data-loaders/shards.ts). Only what is not yet done is submitted:
// a rerun after a failure resubmits the failed shards alone, and nothing when all is done.
// Slurm itself does the scheduling, retries and accounting; this writes its job scripts.

import {execFileSync} from "node:child_process";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import type {ProcessConfig} from "../lib/config/processConfig.js";
import type {ShardStep} from "../lib/pipeline/shard.js";
import {atomicWrite} from "./io/atomicWrite.js";
import {runName, shardStatus, type ShardStatus} from "./shards.js";

export interface SlurmOptions {
  shards: number;
  partition?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: number;
  /** Extra `#SBATCH` lines, e.g. `--account=…`. */
  extra?: string[];
}

/** One job of the plan: its step, the shards of an array step, and the script. */
export interface PlannedJob {
  step: ShardStep;
  shards?: number[];
  script: string;
  file: string;
}

const PULSEBOOK = fileURLToPath(new URL("../bin/pulsebook.mjs", import.meta.url));
const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The job script of one step; `shards` makes it an array over those shard indices. */
export function jobScript(config: ProcessConfig, step: ShardStep, options: SlurmOptions, shards?: number[]): string {
  const name = runName(config);
  const logs = join(config.output, "slurm");
  const lines = ["#!/bin/bash", `#SBATCH --job-name=${quote(`pulsebook-${name}-${step}`)}`];
  if (shards) lines.push(`#SBATCH --array=${shards.join(",")}`);
  lines.push(`#SBATCH --output=${quote(join(logs, shards ? `${step}-%A_%a.log` : `${step}-%j.log`))}`);
  if (options.partition) lines.push(`#SBATCH --partition=${quote(options.partition)}`);
  if (options.time) lines.push(`#SBATCH --time=${quote(options.time)}`);
  if (options.mem) lines.push(`#SBATCH --mem=${quote(options.mem)}`);
  lines.push(`#SBATCH --cpus-per-task=${options.cpusPerTask ?? 1}`);
  for (const x of options.extra ?? []) lines.push(`#SBATCH ${x}`);
  const where = shards ? `--shard "$SLURM_ARRAY_TASK_ID/${options.shards}"` : `--shards ${options.shards}`;
  lines.push("set -euo pipefail", `cd ${quote(process.cwd())}`,
    `exec ${quote(process.execPath)} ${quote(PULSEBOOK)} process ${quote(resolve(config.source))} --step ${step} ${where}`);
  return lines.join("\n") + "\n";
}

/** The jobs still needed, given what is done. */
export function planJobs(config: ProcessConfig, status: ShardStatus, options: SlurmOptions): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  const add = (step: ShardStep, shards?: number[]) =>
    jobs.push({step, shards, script: jobScript(config, step, options, shards), file: join(config.output, "slurm", `${step}.sh`)});
  if (status.features.length) add("features", status.features);
  if (!status.shared || jobs.length) add("shared");
  // Records depend on the shared outputs: new ones make every shard's records stale.
  const records = jobs.length ? [...Array(options.shards).keys()] : status.records;
  if (records.length) add("records", records);
  if (!status.final || jobs.length) add("final");
  return jobs;
}

export interface Submitted extends PlannedJob {
  jobId: string;
}

/**
 * Writes the scripts of the jobs still needed and submits them in a chain of dependencies.
 * `sbatch` is the command to call (a path, for tests of other installations).
 */
export async function submitSlurm(config: ProcessConfig, options: SlurmOptions & {dryRun?: boolean; sbatch?: string; log?: (m: string) => void}): Promise<{status: ShardStatus; jobs: (PlannedJob | Submitted)[]}> {
  const log = options.log ?? (() => {});
  const status = await shardStatus(config, options.shards);
  const jobs = planJobs(config, status, options);
  if (jobs.length === 0) {
    log(`${runName(config)}: every step of ${options.shards} shards is done (summary.json matches this lineage); nothing to submit`);
    return {status, jobs};
  }
  if (options.dryRun) return {status, jobs};
  const submitted: Submitted[] = [];
  let previous: string | undefined;
  for (const job of jobs) {
    atomicWrite(job.file, job.script);
    const args = ["--parsable", "--kill-on-invalid-dep=yes", ...(previous ? [`--dependency=afterok:${previous}`] : []), job.file];
    let out: string;
    try {
      out = execFileSync(options.sbatch ?? "sbatch", args, {encoding: "utf8", stdio: ["ignore", "pipe", "pipe"]});
    } catch (e) {
      const err = e as {code?: string; stderr?: string; message: string};
      if (err.code === "ENOENT") throw new Error(`sbatch not found: is this a Slurm login node? (${job.step} not submitted${submitted.length ? `; already submitted: ${submitted.map((j) => `${j.step} ${j.jobId}`).join(", ")}` : ""})`);
      throw new Error(`sbatch refused the ${job.step} job (${job.file}): ${(err.stderr ?? err.message).trim()}`);
    }
    const jobId = out.trim().split(";")[0];
    submitted.push({...job, jobId});
    log(`submitted ${job.step}${job.shards ? ` (shards ${job.shards.join(",")})` : ""}: job ${jobId}${previous ? ` after ${previous}` : ""}`);
    previous = jobId;
  }
  return {status, jobs: submitted};
}

/** Waits until none of `jobIds` is in Slurm's queue (pending or running). */
export async function waitForJobs(jobIds: string[], options: {squeue?: string; pollMs?: number; timeoutMs?: number} = {}): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    let out: string;
    try {
      out = execFileSync(options.squeue ?? "squeue", ["-h", "-o", "%i", "-j", jobIds.join(",")], {encoding: "utf8", stdio: ["ignore", "pipe", "pipe"]}).trim();
    } catch (e) {
      // Jobs purged from the controller's memory are "invalid": they are long finished.
      if (/Invalid job id/i.test(String((e as {stderr?: string}).stderr))) return;
      throw e;
    }
    if (!out) return;
    if (options.timeoutMs !== undefined && Date.now() - t0 > options.timeoutMs) throw new Error(`jobs still queued after ${options.timeoutMs / 1000} s: ${out.split("\n").join(", ")}`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
}
