// `pulsebook process CONFIG --step S --shard I/N`: one run processed by many batch jobs, with
// the very outputs one process makes. The chain splits where it needs the whole run:
//
//   features  (array, shard I of N)  main parameters of shard I's events     → shard store
//   shared    (one job)              joins the features; SEV, NPS, optimum filter (their
//                                    selections need every record)          → run's store
//   records   (array, shard I of N)  OF amplitudes and SEV fits of shard I,  → shard store, and
//                                    its part of the Hive dataset             parts/GROUP/run=NAME/shard=I/part.parquet
//   final     (one job)              checks every shard, joins them, then the calibration and
//                                    the outputs of `pulsebook process`, summary.json included
//
// Each step stores what it made under the stage's lineage (lib/pipeline), so a shard whose
// output of the same lineage exists is skipped, a missing one is named, and the final step
// runs the ordinary chain with every stage but the calibration already in the store. Steps talk
// only through files on the shared file system.

import {existsSync} from "node:fs";
import {basename, extname, join} from "node:path";
import type {ProcessConfig} from "../lib/config/processConfig.js";
import {hashJson} from "../lib/hash.js";
import {planChain, runChain, type StageOutput, type StageRecord, type StageStore} from "../lib/pipeline/index.js";
import {PROCESS_STAGES} from "../lib/pipeline/process/index.js";
import {tableOf, type Columns, type ProcessContext} from "../lib/pipeline/process/context.js";
import {joinShardOutputs, shardRanges, type Shard, type ShardStep} from "../lib/pipeline/shard.js";
import type {RecordGroup} from "../lib/types.js";
import {atomicWrite} from "./io/atomicWrite.js";
import {encodeParquet, type Columns as ParquetColumns} from "./io/parquetWrite.js";
import {fileStore} from "./pipeline/store.js";
import {openRun, runProcess, storeDir, type OpenRun, type ProcessOptions, type ProcessSummary} from "./process.js";
import {parquetProvenance, provenanceStamp} from "./provenance.js";


/** Stages computed record by record, shard by shard, in the order of the chain. */
const PER_RECORD = ["features", "ofAmplitude", "sevFit"] as const;
/** Stages that need the whole run, computed by the shared step. */
const SHARED = ["features", "sev", "nps", "optimumFilter"];

/** The run's name in the Hive dataset: the config file's name without extension. */
export const runName = (config: ProcessConfig) => basename(config.source, extname(config.source));

/** Where shard `index` of `count` keeps its stage outputs. */
const shardStore = (config: ProcessConfig, {index, count}: Shard): StageStore =>
  fileStore(join(config.output, ".shards", `${index}-of-${count}`));

/** The file of one shard's part of group `g` in the Hive-partitioned dataset. */
export const partPath = (config: ProcessConfig, g: RecordGroup, index: number) =>
  join(config.output, "parts", g, `run=${runName(config)}`, `shard=${index}`, "part.parquet");

/** What is done of a sharded run of `count` shards: which shards each array step still needs. */
export interface ShardStatus {
  count: number;
  /** Shards whose features are missing. */
  features: number[];
  /** Whether SEV, NPS and optimum filter of the current lineage are stored. */
  shared: boolean;
  /** Shards whose records step (OF amplitudes, SEV fits, part files) is missing. */
  records: number[];
  /** Whether summary.json describes the current lineage. */
  final: boolean;
}

function planOf(run: OpenRun, config: ProcessConfig): Map<string, StageRecord> {
  const plan = planChain(PROCESS_STAGES, config, run.versions, run.identity);
  return new Map(plan.stages.map((s) => [s.stage, s]));
}

/** The whole run's lineage, as runProcess stamps summary.json. */
function runLineage(plan: Map<string, StageRecord>): string {
  return hashJson([...plan.values()].map((r) => r.lineage));
}

async function has(store: StageStore, record: StageRecord | undefined): Promise<boolean> {
  return record === undefined || (await store.get(record.stage, record.lineage)) !== undefined;
}

/** What a sharded run of `count` shards still needs, from the files on disk. */
export async function shardStatus(config: ProcessConfig, count: number, options: ProcessOptions = {}): Promise<ShardStatus> {
  const run = await openRun(config, options);
  try {
    const plan = planOf(run, config);
    const missing = async (stages: readonly string[], part: boolean) => {
      const out: number[] = [];
      for (let index = 0; index < count; index++) {
        const store = shardStore(config, {index, count});
        let done = true;
        for (const s of stages) done &&= await has(store, plan.get(s));
        if (part) done &&= partGroups(config).every((g) => existsSync(partPath(config, g, index)));
        if (!done) out.push(index);
      }
      return out;
    };
    let shared = true;
    for (const s of SHARED) shared &&= await has(run.store, plan.get(s));
    let final = false;
    try {
      const {readFileSync} = await import("node:fs");
      final = JSON.parse(readFileSync(join(config.output, "summary.json"), "utf8")).lineage === runLineage(plan);
    } catch { /* no summary yet */ }
    return {count, features: await missing(["features"], false), shared, records: await missing(["ofAmplitude", "sevFit"], true), final};
  } finally {
    await run.close();
  }
}

/** Groups written as tables (and so as parts of the dataset). */
const partGroups = (config: ProcessConfig): RecordGroup[] => (config.features.enabled ? config.groups : []);

/** Runs one step of a sharded run. `shard` for the array steps, `count` for the others. */
export async function runShardStep(config: ProcessConfig, step: ShardStep, where: {shard?: Shard; count?: number}, options: ProcessOptions = {}): Promise<{ran: string[]; summary?: ProcessSummary}> {
  const shardStep = step === "features" || step === "records";
  if (shardStep && !where.shard) throw new RangeError(`step ${step} runs one shard: give --shard I/N`);
  if (!shardStep && !where.count) throw new RangeError(`step ${step} joins the shards: give --shards N`);
  if (step === "final") return finalStep(config, where.count!, options);
  const run = await openRun(config, options);
  try {
    const plan = planOf(run, config);
    if (step === "shared") return {ran: await sharedStep(config, run, plan, where.count!)};
    const shard = where.shard!;
    const counts = Object.fromEntries(Object.keys(run.file.dataset.groups).map((g) => [g, run.file.count(g as RecordGroup)]));
    const context: ProcessContext = {...run.context, range: shardRanges(counts, shard)};
    return {ran: step === "features" ? await featuresStep(config, run, plan, shard, context) : await recordsStep(config, run, plan, shard, context)};
  } finally {
    await run.close();
  }
}

/**
 * Computes (or finds) per-record stages for one shard. Those not stored that share a pass
 * (Stage.pass: OF amplitudes and SEV fits) are computed together, from one read of each record,
 * as runChain does in a single process; each is stored under its own lineage.
 */
async function perRecord(names: string[], inputs: {[stage: string]: StageOutput}, plan: Map<string, StageRecord>, store: StageStore, context: ProcessContext, ran: string[]): Promise<{[stage: string]: StageOutput}> {
  const outputs: {[stage: string]: StageOutput} = {};
  const todo: StageRecord[] = [];
  for (const name of names) {
    const record = plan.get(name);
    if (!record) continue;
    const found = await store.get(name, record.lineage);
    if (found) outputs[name] = found; else todo.push(record);
  }
  const stageOf = (record: StageRecord) => PROCESS_STAGES.find((s) => s.name === record.stage)!;
  const pass = todo.length > 1 ? stageOf(todo[0]).pass : undefined;
  const together = pass && todo.every((r) => stageOf(r).pass?.compute === pass.compute);
  const computed = together ? await pass.compute(todo.map((r) => ({stage: r.stage, inputs, params: r.params})), context) : [];
  for (const [k, record] of todo.entries()) {
    computed[k] ??= await stageOf(record).compute(inputs, record.params, context);
    await store.put(record.stage, record.lineage, computed[k], record);
    ran.push(record.stage);
    outputs[record.stage] = computed[k];
  }
  return outputs;
}

async function featuresStep(config: ProcessConfig, run: OpenRun, plan: Map<string, StageRecord>, shard: Shard, context: ProcessContext): Promise<string[]> {
  const ran: string[] = [];
  await perRecord(["features"], {}, plan, shardStore(config, shard), context, ran);
  run.log(`shard ${shard.index}/${shard.count}: features ${ran.length ? "computed" : "reused"}`);
  return ran;
}

/** The outputs of `stage` of every shard, joined; names every missing shard. */
async function joined(config: ProcessConfig, record: StageRecord, count: number, step: ShardStep): Promise<StageOutput> {
  const parts: StageOutput[] = [], missing: number[] = [];
  for (let index = 0; index < count; index++) {
    const out = await shardStore(config, {index, count}).get(record.stage, record.lineage);
    if (out) parts.push(out); else missing.push(index);
  }
  if (missing.length) {
    throw new Error(`${config.source}: ${record.stage} of shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of ${count} missing ` +
      `(not run, failed, or made by other code or parameters): rerun step ${step} for ${missing.length > 1 ? "them" : "it"} (pulsebook submit resubmits only those)`);
  }
  return joinShardOutputs(parts, record.stage);
}

/** Checks that a joined per-record output has one row per record of the file, group by group. */
function checkRows(config: ProcessConfig, run: OpenRun, output: StageOutput, stage: string): void {
  const nChannels = run.file.dataset.channels.length;
  const columns = (output.json as {columns: {[g: string]: string[]}}).columns;
  for (const [g, names] of Object.entries(columns)) {
    const want = run.file.count(g as RecordGroup) * nChannels;
    for (const n of names) {
      const got = output.arrays[`${g}/${n}`].length;
      if (got !== want) throw new Error(`${config.source}: the shards' ${stage} has ${got} rows of ${g}/${n}, the file ${want} (${nChannels} channels): shards of different N mixed? rerun all shards`);
    }
  }
}

async function sharedStep(config: ProcessConfig, run: OpenRun, plan: Map<string, StageRecord>, count: number): Promise<string[]> {
  const features = plan.get("features")!;
  if (!(await has(run.store, features))) {
    const all = await joined(config, features, count, "features");
    checkRows(config, run, all, "features");
    await run.store.put("features", features.lineage, all, features);
  }
  const stages = PROCESS_STAGES.filter((s) => SHARED.includes(s.name));
  const chain = await runChain(stages, config, {versions: run.versions, inputIdentity: run.identity, context: run.context, store: run.store, log: run.log});
  return chain.ran;
}

async function recordsStep(config: ProcessConfig, run: OpenRun, plan: Map<string, StageRecord>, shard: Shard, context: ProcessContext): Promise<string[]> {
  const inputs: {[stage: string]: StageOutput} = {};
  for (const name of SHARED.slice(1)) {
    const record = plan.get(name);
    if (!record) continue;
    const out = await run.store.get(name, record.lineage);
    if (!out) throw new Error(`${config.source}: ${name} of this run's lineage is not in ${storeDir(config)}: run step shared first (pulsebook submit orders the steps)`);
    inputs[name] = out;
  }
  const store = shardStore(config, shard);
  const ran: string[] = [];
  const {features} = await perRecord(["features"], {}, plan, store, context, ran);
  if (!features) throw new Error(`${config.source}: shard ${shard.index}/${shard.count} has no features: run step features first`);
  if (ran.length) throw new Error(`${config.source}: shard ${shard.index}/${shard.count} had no stored features (computed now; the shared step used others): rerun from step features`);
  const outputs: {[stage: string]: StageOutput | undefined} = {features, ...await perRecord(["ofAmplitude", "sevFit"], inputs, plan, store, context, ran)};
  // This shard's rows of every table, stamped with the lineage of the stages that made them.
  const used = PER_RECORD.map((s) => plan.get(s)).filter((r) => r !== undefined);
  const stamp = provenanceStamp({
    lineage: hashJson(used.map((r) => r.lineage)),
    stages: Object.fromEntries(used.map((r) => [r.stage, r.version])),
    parameters: Object.fromEntries(used.map((r) => [r.stage, r.params])),
    inputs: {file: run.input, lineage: Object.fromEntries(used.map((r) => [r.stage, r.lineage]))},
    command: `pulsebook process ${config.source} --step records --shard ${shard.index}/${shard.count}`
  });
  for (const g of partGroups(config)) {
    const table: Columns = {};
    for (const s of PER_RECORD) Object.assign(table, tableOf(outputs[s], g));
    atomicWrite(partPath(config, g, shard.index), encodeParquet(table as ParquetColumns, parquetProvenance(stamp, {
      "pulsebook.table": "features", "pulsebook.group": g, "pulsebook.run": runName(config),
      "pulsebook.shard": `${shard.index}/${shard.count}`, "pulsebook.events": JSON.stringify(context.range?.[g])
    })));
  }
  run.log(`shard ${shard.index}/${shard.count}: ${ran.length ? ran.join(", ") : "all reused"}; parts written`);
  return ran;
}

async function finalStep(config: ProcessConfig, count: number, options: ProcessOptions): Promise<{ran: string[]; summary: ProcessSummary}> {
  const run = await openRun(config, options);
  try {
    const plan = planOf(run, config);
    for (const name of SHARED) {
      if (!(await has(run.store, plan.get(name)))) throw new Error(`${config.source}: ${name} is not in ${storeDir(config)}: run step shared first`);
    }
    for (const name of PER_RECORD.slice(1)) {
      const record = plan.get(name);
      if (record && !(await has(run.store, record))) {
        const all = await joined(config, record, count, "records");
        checkRows(config, run, all, name);
        await run.store.put(name, record.lineage, all, record);
      }
    }
    const missingParts = [];
    for (let index = 0; index < count; index++) for (const g of partGroups(config)) if (!existsSync(partPath(config, g, index))) missingParts.push(`${g} of shard ${index}`);
    if (missingParts.length) throw new Error(`${config.source}: parts missing: ${missingParts.join(", ")}: rerun step records for them`);
  } finally {
    await run.close();
  }
  // Every stage but the calibration is in the store now: the ordinary run reuses them.
  const summary = await runProcess(config, options);
  const extra = summary.ran.filter((s) => s !== "calibration");
  if (extra.length) throw new Error(`${config.source}: the final step recomputed ${extra.join(", ")}, which the shards should have made`);
  return {ran: summary.ran, summary};
}
