// The run the pages show (docs/runs.md): the chosen run file's data made ready for the loaders
// of src/data — its HDF5 input (raw .rdt converted once into the reuse store), its feature
// table, its processed output — or the demo when no run file exists. Every failure names the
// run file, the file and the key; nothing falls back to the demo when a run file exists.
//
// Reuse: the feature table is kept in the reuse store under a lineage of the feature code,
// the input's identity and the metadata the run file gives; the processed output is reused
// while its lineage (every stage's version and parameters, the input's identity) is unchanged.

import {existsSync, readFileSync} from "node:fs";
import {join, relative, resolve} from "node:path";
import {parse as parseYaml} from "yaml";
import {ConfigError, validateProcessConfig, type ProcessConfig} from "../lib/config/processConfig.js";
import {describeSample, publishedSample, type RecordSample} from "../lib/io/recordSample.js";
import {unitColumn} from "../lib/math/units.js";
import {inputLineage, stageLineage} from "../lib/pipeline/index.js";
import {resolveMetadata} from "../lib/pipeline/process/preflight.js";
import type {RunFile} from "../lib/config/runFile.js";
import type {RunBannerInput} from "../lib/plot/runBanner.js";
import {RECORD_GROUPS, type Dataset, type RecordGroup} from "../lib/types.js";
import {ensureDemoFeatures, ensureDemoFile, STORE} from "./demo.js";
import {demoConfigObject, ensureDemoProcessed} from "./demoProcess.js";
import {featuresVersion, testpulseFeatures, writeFeatures} from "./features.js";
import {openCaitFile} from "./io/node.js";
import {readText} from "./io/readFile.js";
import {readProcessConfig} from "./processFile.js";
import {storedFile} from "./pipeline/store.js";
import {processLineage, runProcess, type ProcessSummary} from "./process.js";
import {progressLines} from "./progress.js";
import {fileIdentity} from "./provenance.js";
import {chosenRunFile, findRunFiles, PROJECT_ROOT, readRunFile} from "./runChoice.js";

export type ActiveRun = {kind: "demo"; why: string} | {kind: "run"; run: RunFile; why: string};

/** The run the pages show: the chosen run file, validated, or the demo (see chooseRun). */
export function activeRun(root = PROJECT_ROOT, env = process.env.PULSEBOOK_RUN): ActiveRun {
  const choice = chosenRunFile(root, env);
  if (choice.kind === "demo") return choice;
  return {kind: "run", run: readRunFile(choice.path), why: choice.why};
}

/** The run file as the user sees it: its path relative to the project (or as it is, outside it). */
export function runFileName(run: RunFile, root = PROJECT_ROOT): string {
  const rel = relative(root, run.source);
  return rel.startsWith("..") ? run.source : rel;
}

/** A failure of a run's input, said with the run and its file. */
export class RunError extends Error {
  constructor(readonly run: RunFile, detail: string, options?: {cause?: unknown}) {
    super(`run ${run.name} (${runFileName(run)}): ${detail}`, options);
    this.name = "RunError";
  }
}

const inputChecked = new Map<string, Promise<string>>();

/** The run's cait HDF5 file: the demo's, the named file (checked: exists, cait layout), or the converted .rdt. */
export async function ensureRunInput(active: ActiveRun = activeRun()): Promise<string> {
  if (active.kind === "demo") return ensureDemoFile();
  const {run} = active;
  const key = `${run.source}\0${run.input.path}`;
  let ready = inputChecked.get(key);
  if (!ready) inputChecked.set(key, (ready = prepareInput(run)));
  return ready;
}

async function prepareInput(run: RunFile): Promise<string> {
  const input = run.input;
  if (!existsSync(input.path)) throw new RunError(run, `input: ${input.path} does not exist (key input${input.kind === "rdt" ? ".rdt" : ""})`);
  let path = input.path;
  if (input.kind === "rdt") {
    const {convertRdt, conversionVersion} = await import("./convert.js");
    if (input.par && !existsSync(input.par)) throw new RunError(run, `input.par: ${input.par} does not exist`);
    const identities = {rdt: fileIdentity(input.path), par: input.par ? fileIdentity(input.par) : null};
    const lineage = stageLineage("run-input", conversionVersion(), {channels: input.channels}, {input: inputLineage(identities)});
    path = await storedFile(STORE, `runs/${run.name}/input`, lineage, `${run.name}.h5`, (tmp) =>
      convertRdt(input.path, tmp, {channels: input.channels, par: input.par ?? undefined, command: `run ${run.name}`, onProgress: progressLines(`run ${run.name}: convert`)}));
  }
  try {
    (await openCaitFile(path)).close();
  } catch (e) {
    throw new RunError(run, `input: ${(e as Error).message}`, {cause: e});
  }
  return path;
}

/** The metadata keys of the run file that it gives (not null). */
function givenMetadata(run: RunFile): {[key: string]: unknown} {
  return Object.fromEntries(Object.entries(run.metadata).filter(([, v]) => v !== null));
}

/** Folder of a run's processed output (`pulsebook process` layout). */
export const runOutputDir = (run: RunFile, root = PROJECT_ROOT) => join(root, ".pulsebook", "runs", run.name, "process");

/**
 * The processing config of a run: its process file or inline config, or the demo's steps
 * adapted to the file (selections in its unit; the SEV, filter and calibration only when the
 * file has labels to choose pulses by). The run's input, output and metadata always win.
 */
export function runProcessConfig(run: RunFile, input: string, dataset: Dataset, root = PROJECT_ROOT): ProcessConfig {
  const fixed = {version: 1, input, output: runOutputDir(run, root), ...givenMetadata(run)};
  if (run.process.kind === "file") {
    const file = run.process.path;
    if (!existsSync(file)) throw new RunError(run, `process: ${file} does not exist`);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, "utf8"), {uniqueKeys: true});
    } catch (e) {
      throw new ConfigError(file, "", `is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError(file, "", "must be a mapping of keys (docs/processing-config.md)");
    try {
      return validateProcessConfig({...(raw as object), ...fixed}, file);
    } catch (e) {
      throw inRunFile(e, run, `${runFileName(run, root)} → process ${shownPath(file, root)}`, "");
    }
  }
  if (run.process.kind === "inline") {
    try {
      return validateProcessConfig({...run.process.config, ...fixed}, run.source);
    } catch (e) {
      // Keys of an inline config live under `process:` in the run file.
      throw inRunFile(e, run, runFileName(run, root), "process");
    }
  }
  const groups = RECORD_GROUPS.filter((g) => (dataset.groups[g] ?? 0) > 0);
  const unit = run.metadata.unit ?? dataset.unit;
  const demo = demoConfigObject(input) as {[key: string]: unknown};
  const adapted = dataset.hasLabels && groups.length === 3
    ? {
      ...demo,
      sev: {selection: [`label = 1 AND ${unitColumn("pulse_height_V", unit)} BETWEEN 0.2 AND 1`, "label = 1"]},
      nps: {selection: `abs(${unitColumn("baseline_slope_V_per_s", unit)}) < 0.05`},
      calibration: {amplitude: unitColumn("of_amplitude_V", unit), line_keV: 5.895, polyOrder: 2}
    }
    : {version: 1, groups, sev: false, nps: false, optimumFilter: false};
  return validateProcessConfig({...adapted, ...fixed, groups}, run.source);
}

const shownPath = (p: string, root: string) => (relative(root, p).startsWith("..") ? p : relative(root, p));

/** A ConfigError of a process config re-said for the run: `file` named, its key under `prefix`. */
function inRunFile(e: unknown, run: RunFile, file: string, prefix: string): unknown {
  if (!(e instanceof ConfigError)) return e;
  const said = `${e.file}: ${e.path ? `${e.path} ` : ""}`;
  const path = [prefix, e.path].filter(Boolean).join(".");
  return new ConfigError(file, path, e.message.startsWith(said) ? e.message.slice(said.length) : e.message);
}

/** The run's dataset as the pages read it: the file's description completed by the run file's metadata. */
function describeWith(run: RunFile, input: string): (dataset: Dataset) => Dataset {
  return (dataset) => resolveMetadata(dataset, {...runProcessConfig(run, input, dataset), source: run.source});
}

/** The run's feature table of events (Parquet path), computed when its lineage changed. */
export async function ensureRunFeatures(active: ActiveRun = activeRun()): Promise<string> {
  if (active.kind === "demo") return ensureDemoFeatures();
  const {run} = active;
  const input = await ensureRunInput(active);
  const lineage = stageLineage("run-features", featuresVersion(), {group: "events", metadata: givenMetadata(run)}, {input: inputLineage(fileIdentity(input))});
  return storedFile(STORE, `runs/${run.name}/features`, lineage, "features.parquet", (tmp) =>
    writeFeatures(input, tmp, {
      command: `run ${run.name} (${runFileName(run)})`, describe: describeWith(run, input),
      onProgress: progressLines(`run ${run.name}: features`), warn: (m) => process.stderr.write(`warning: ${m}\n`)
    }));
}

/** The run's test-pulse feature table with TPA (Parquet bytes). */
export async function runTestpulseFeatures(command: string, active: ActiveRun = activeRun()): Promise<Uint8Array> {
  const input = await ensureRunInput(active);
  return testpulseFeatures(input, command, active.kind === "run" ? describeWith(active.run, input) : undefined);
}

/** The processing config the run is processed with (the demo's for the demo). */
export async function activeProcessConfig(active: ActiveRun = activeRun(), root = PROJECT_ROOT): Promise<ProcessConfig> {
  const input = await ensureRunInput(active);
  if (active.kind === "demo") return validateProcessConfig(demoConfigObject(input), join(PROJECT_ROOT, "data-loaders", "demoProcess.ts"));
  const file = await openCaitFile(input);
  const dataset = file.dataset;
  file.close();
  return runProcessConfig(active.run, input, dataset, root);
}

/**
 * A run file (`pulsebook.yaml`, `runs/NAME.yaml`) or a processing config at `path`: the
 * processing config, the run processed first when it is a run file. Told apart by the keys a
 * processing config must have and a run file cannot (`output`).
 */
export async function processedConfigAt(path: string): Promise<ProcessConfig> {
  const raw = parseYaml(readText(path, "run file or processing config")) as unknown;
  if (raw && typeof raw === "object" && !Array.isArray(raw) && !("output" in raw) && "name" in raw) {
    const active: ActiveRun = {kind: "run", run: readRunFile(resolve(path)), why: `named on the command line: ${path}`};
    await ensureRunProcessed(active);
    return activeProcessConfig(active);
  }
  return readProcessConfig(path);
}

/** Output folder of the run processed (`pulsebook process`), processing it when its lineage changed. */
export async function ensureRunProcessed(active: ActiveRun = activeRun(), root = PROJECT_ROOT): Promise<string> {
  if (active.kind === "demo") return ensureDemoProcessed();
  const {run} = active;
  const config = await activeProcessConfig(active, root);
  const summaryPath = join(config.output, "summary.json");
  if (existsSync(summaryPath)) {
    const old = JSON.parse(readFileSync(summaryPath, "utf8")) as Partial<ProcessSummary>;
    if (old.lineage === processLineage(config)) return config.output;
  }
  const say = (m: string) => process.stderr.write(`run ${run.name}: ${m}\n`);
  await runProcess(config, {log: say, warn: say});
  return config.output;
}

/** summary.json of the processed run. */
export async function runProcessSummary(active: ActiveRun = activeRun()): Promise<Uint8Array> {
  return readFileSync(join(await ensureRunProcessed(active), "summary.json"));
}

/** A table of the processed run (`events.parquet`, …). */
export async function runProcessTable(name: string, active: ActiveRun = activeRun()): Promise<Uint8Array> {
  return readFileSync(join(await ensureRunProcessed(active), name));
}

/**
 * The processed run's events packed for the pages (lib/io/partitionedQuery.ts): the parts of its
 * Hive-partitioned dataset (`parts/events/run=NAME/shard=I/part.parquet`) when it was processed
 * in shards, else its one table as a dataset of one part.
 */
export async function runProcessedParts(active: ActiveRun = activeRun()) {
  const output = await ensureRunProcessed(active);
  const {datasetFolder, packDataset} = await import("./io/partitionedDataset.js");
  const root = datasetFolder(output, "events");
  return packDataset(root, relative(output, root) || "events");
}

/** What the run banner and the runs table say of a run: from its run file and its file's header. */
export interface RunHeader extends RunBannerInput {
  /** Events per record group. */
  groups: {[G in RecordGroup]?: number};
  triggerIndex: number;
  /** Where each piece of metadata came from: file, config (the run file), assumed (cait's default). */
  sources: Dataset["sources"];
  hasLabels: boolean;
  publish: {records: RecordSample; description: string};
  /** Why this run is the one shown (only for the active run). */
  why?: string;
}

/** The header of a run (or the demo): counts and metadata, without reading records. */
export async function runHeader(active: ActiveRun = activeRun(), root = PROJECT_ROOT): Promise<RunHeader> {
  const input = await ensureRunInput(active);
  const f = await openCaitFile(input);
  let dataset: Dataset;
  try {
    dataset = active.kind === "run" ? describeWith(active.run, input)(f.dataset) : f.dataset;
  } finally {
    f.close();
  }
  const events = dataset.groups.events ?? 0;
  const records: RecordSample = publishedSample(events, active.kind === "run" ? active.run.publish.records : undefined);
  const shown = (p: string) => shownPath(p, root);
  return {
    kind: active.kind,
    name: active.kind === "run" ? active.run.name : "demo",
    title: active.kind === "run" ? active.run.title : "a simulated CRESST-like module",
    runFile: active.kind === "run" ? runFileName(active.run, root) : null,
    file: active.kind === "run" ? shown(active.run.input.path) : "demo.h5",
    events,
    groups: dataset.groups,
    channels: dataset.channels.map((c) => c.name),
    recordLength: dataset.layout.recordLength,
    sampleRate_Hz: dataset.layout.sampleFrequency_Hz,
    triggerIndex: dataset.layout.triggerIndex,
    unit: dataset.unit,
    sources: dataset.sources,
    hasLabels: dataset.hasLabels,
    publish: {records, description: describeSample(records, events)},
    why: active.why
  };
}

/** Every declared run (pulsebook.yaml, runs/*.yaml), each as the active run would be. */
export function declaredRuns(root = PROJECT_ROOT): ActiveRun[] {
  const found = findRunFiles(root);
  return [...(found.rootFile ? ["pulsebook.yaml"] : []), ...found.runsDir].map((f) => ({kind: "run", run: readRunFile(join(root, f)), why: `declared in ${f}`}));
}

/** The run's file, or when it has more than `max` events a copy of its first `max` events (events group only). */
export async function ensureRunEventsAtMost(max: number, what: string, active: ActiveRun = activeRun()): Promise<string> {
  const input = await ensureRunInput(active);
  const events = (await datasetOf(input)).groups.events ?? 0;
  if (active.kind === "demo" || events <= max) return input;
  process.stderr.write(`run ${active.run.name}: has ${events} events; ${what} uses the first ${max}\n`);
  return firstEventsFile(active.run, input, [["events", max]], `first-${max}`);
}

async function datasetOf(input: string): Promise<Dataset> {
  const file = await openCaitFile(input);
  try {
    return file.dataset;
  } finally {
    file.close();
  }
}

/** A cait file of the first events of each group of `input` (counts per group), kept in the reuse store. */
async function firstEventsFile(run: RunFile, input: string, counts: readonly (readonly [RecordGroup, number])[], stage: string): Promise<string> {
  const lineage = stageLineage(`run-${stage}`, "1", {counts}, {input: inputLineage(fileIdentity(input))});
  const {createCaitFile} = await import("./io/node.js");
  return storedFile(STORE, `runs/${run.name}/${stage}`, lineage, `${run.name}.h5`, async (tmp) => {
    const file = await openCaitFile(input);
    try {
      const {layout, channels, hasLabels, unit} = file.dataset;
      await createCaitFile(tmp, {
        layout, channelNumbers: channels.map((c, i) => c.number ?? i),
        groups: counts.map(([group, count]) => ({group, count, labels: group === "events" && hasLabels})),
        meta: {unit, pretriggerIndex: layout.triggerIndex, channelNames: channels.map((c) => c.name)},
        attributes: {pulsebook_subset: JSON.stringify({of: fileIdentity(input), first: Object.fromEntries(counts)})}
      }, (writer) => {
        for (const [group, count] of counts) for (const chunk of file.chunks(group, 64, 0, count)) writer.write(chunk);
      });
    } finally {
      file.close();
    }
  });
}
