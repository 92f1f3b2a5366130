// `pulsebook process config.yaml`: the whole DSP chain of one run, driven by the declarative
// processing config (lib/config/processConfig.ts, docs/processing-config.md), as the stages of
// lib/pipeline/process over a reuse store (docs/pipeline.md):
//
//   features       main parameters of every record of every group      → feature tables
//   sev            records chosen by a SQL predicate over the features → standard event per channel
//   nps            noise records chosen the same way                   → noise power spectrum
//   optimumFilter  SEV + NPS                                           → optimum filter, resolution
//   ofAmplitude    OF amplitude/time of every record                   → more feature columns
//   sevFit         SEV fit of every record                             → more feature columns
//   calibration    test-pulse response + a known line                  → tpa_equivalent, energy_keV
//
// A stage whose lineage (source-derived version, parameters, inputs' lineage, input file
// identity) is in the store is loaded, not recomputed. Records are streamed in chunks; only
// feature tables (a few dozen numbers per record) are held whole. Every output carries the
// provenance stamp and is written atomically, so an interrupted run never leaves a
// half-written table.

import {rmSync} from "node:fs";
import {basename, join} from "node:path";
import {ConfigError, configHash, type ProcessConfig} from "../lib/config/processConfig.js";
import {hashJson, stableJson} from "../lib/hash.js";
import {featureColumnsIn} from "../lib/dsp/features.js";
import {assumedMetadata, metadataRecord, type MetadataRecord} from "../lib/io/recordMetadata.js";
import {unitColumn} from "../lib/math/units.js";
import {DataFileError, openCaitFile, type CaitFile} from "./io/node.js";
import {encodeParquet, type Columns} from "./io/parquetWrite.js";
import {planChain, runChain, StageError, type ChainRun, type StageStore} from "../lib/pipeline/index.js";
import {preflight, resolveMetadata} from "../lib/pipeline/process/preflight.js";
import {PROCESS_STAGES, type ProcessContext} from "../lib/pipeline/process/index.js";
import {chainGroups, ChannelError, tableOf} from "../lib/pipeline/process/context.js";
import type {CalibrationJson} from "../lib/pipeline/process/calibration.js";
import type {NpsJson} from "../lib/pipeline/process/nps.js";
import type {OptimumFilterJson} from "../lib/pipeline/process/optimumFilter.js";
import type {SevJson} from "../lib/pipeline/process/sev.js";
import {RECORD_GROUPS, type Dataset, type RecordGroup, type RecordLayout} from "../lib/types.js";
import {atomicWrite} from "./io/atomicWrite.js";
import {sharePffftHeap} from "./io/pffftNode.js";
import {selectPerChannel} from "./pipeline/processContext.js";
import {defaultFeatureThreads, featureChunks, FeaturePool, kernelChunks, readersFor} from "./featurePool.js";
import {fileStore} from "./pipeline/store.js";
import {sourceVersion, stageVersions, type SourceReader} from "./pipeline/sourceVersion.js";
import {fileIdentity, parquetProvenance, provenanceStamp, PULSEBOOK_VERSION, type FileIdentity, type ProvenanceStamp} from "./provenance.js";

const CONTEXT_MODULE = new URL("./pipeline/processContext.ts", import.meta.url).href;

/** Source-derived versions of the process stages (the context's I/O is part of each). */
export function processStageVersions(read?: SourceReader): {[stage: string]: string} {
  return stageVersions(PROCESS_STAGES, {read, extra: [CONTEXT_MODULE]});
}

/** Version of the layout of a process output directory: the source of this writer. */
export function processOutputVersion(read?: SourceReader): string {
  return sourceVersion(import.meta.url, {read, within: ["lib", "data-loaders"]});
}

/**
 * What summary.json says of one channel. Keys ending in `_V` are named for the data's unit
 * (`amplitude_A`, `predictedResolution_ADC`), like the columns.
 */
export interface ChannelSummary {
  channel: number;
  name: string;
  sev?: {group: RecordGroup; records: number; selected: number; amplitude_V: number};
  nps?: {records: number; selected: number};
  optimumFilter?: {predictedResolution_V: number; measuredResolution_V: number; noiseRecords: number};
  calibration?: {
    cpe_keV_per_TPA: number; linePosition_keV: number; linePositionError_keV: number;
    sigma_keV: number; sigmaError_keV: number; fwhm_keV: number; unstableIntervals: number;
  };
}

export interface ProcessSummary {
  format_version: string;
  pulsebook_version: string;
  config_hash: string;
  /** Lineage hash of the run: of every stage's lineage. */
  lineage: string;
  config: Omit<ProcessConfig, "source">;
  input: FileIdentity;
  layout: RecordLayout;
  /** Unit of the samples (and of every column named for it). */
  unit: Dataset["unit"];
  /** Where the unit, sample rate, trigger index and channel names came from; which were assumed. */
  metadata: MetadataRecord;
  /** Output tables by group: file name and rows. */
  tables: {[G in RecordGroup]?: {file: string; rows: number; columns: string[]}};
  channels: ChannelSummary[];
  /** Stages computed by this run; the others were reused from the store. */
  ran: string[];
  seconds: number;
  provenance: ProvenanceStamp;
}

export interface ProcessOptions {
  /** Progress messages (one line each). */
  log?: (message: string) => void;
  /** Warnings (metadata assumed), each said once per run; default: `log`. */
  warn?: (message: string) => void;
  /** Events per HDF5 read. */
  chunkEvents?: number;
  /** Where stage outputs are reused from (default: `.store/` in the output folder). */
  store?: StageStore;
  /** Reads stage sources for their versions (tests inject edits). */
  readSource?: SourceReader;
  /** Worker threads of the per-record passes (1: this thread); default one per core, fewer for small files. */
  threads?: number;
}

/** Default reuse store of a run: inside its output folder, so removing the output removes it. */
export const storeDir = (config: ProcessConfig) => join(config.output, ".store");

/** An open run: its input, the context the stages compute in, their versions and the store. */
export interface OpenRun {
  file: CaitFile;
  /** The input file's identity (provenance). */
  input: FileIdentity;
  /** What the lineage is keyed by: the file's identity and any metadata the config gives. */
  identity: unknown;
  /** The file's description completed by the config's metadata. */
  dataset: Dataset;
  channels: number[];
  context: ProcessContext;
  versions: {[stage: string]: string};
  store: StageStore;
  log: (message: string) => void;
  /** Closes the input and stops the worker threads. */
  close(): Promise<void>;
}

/**
 * Opens the input of `config` and checks, before any expensive pass, that the config fits the
 * file (channels, groups, stage dependencies). The caller closes `file`.
 */
export async function openRun(config: ProcessConfig, options: ProcessOptions = {}): Promise<OpenRun> {
  // This thread's per-record stages (the whole pass with --threads 1) work in PFFFT's heap.
  sharePffftHeap();
  const log = options.log ?? (() => {});
  const warn = options.warn ?? log;
  if (config.trigger.enabled) {
    throw new ConfigError(config.source, "trigger", `is for continuous streams; a record file (${config.input}) is already triggered — set trigger: false`);
  }
  const file = await openCaitFile(config.input);
  try {
    const {channels: fileChannels} = file.dataset;
    const nChannels = fileChannels.length;
    const channels = config.channels === "all" ? fileChannels.map((c) => c.index) : config.channels;
    for (const c of channels) {
      if (c >= nChannels) throw new ConfigError(config.source, "channels", `lists ${c}, but ${config.input} has ${nChannels} channels`);
    }
    const need = (g: RecordGroup, why: string) => {
      if (!file.dataset.groups[g]) throw new DataFileError(config.input, `group "${g}" is missing, but ${why} needs it`, `${g}/event`);
    };
    for (const g of config.groups) need(g, "the config's groups");
    if (config.sev.enabled) need(config.sev.group, "sev.group");
    if (config.nps.enabled) need(config.nps.group, "nps.group");
    if (config.calibration.enabled) { need("events", "calibration"); need("testpulses", "calibration"); }
    if (config.optimumFilter.enabled && (!config.sev.enabled || !config.nps.enabled)) throw new ConfigError(config.source, "optimumFilter", "needs sev and nps enabled");
    if (config.sevFit.enabled && !config.sev.enabled) throw new ConfigError(config.source, "sevFit", "needs sev enabled");

    // Metadata and every config key checkable against the file, before the first pass.
    const dataset = resolveMetadata(file.dataset, config);
    file.describeAs(dataset);
    if (config.assumeDefaults) for (const w of assumedMetadata(dataset)) warn(`warning: ${w}`);
    preflight(config, dataset, channels);

    // Metadata the config gives is part of the input: another sample rate is another input.
    const given = {sampleRate_Hz: config.sampleRate_Hz, triggerIndex: config.triggerIndex, unit: config.unit, channelNames: config.channelNames};
    const input = fileIdentity(config.input);
    const identity = Object.values(given).some((v) => v !== null) ? {...input, metadata: given} : input;
    const chunkEvents = options.chunkEvents ?? 64;
    // One pool of workers for every per-record pass of the run, started when first needed.
    const events = chainGroups(config).reduce((n, g) => n + file.count(g), 0);
    const threads = options.threads ?? defaultFeatureThreads(events, chunkEvents);
    let pool: Promise<FeaturePool> | undefined;
    /** The pool once started: handed work at once, not after a wait that would let this thread start on something else first. */
    let running: FeaturePool | undefined;
    const started = () => (pool ??= FeaturePool.start(config.input, threads, file.dataset.layout, readersFor(events * file.dataset.channels.length, threads)).then((p) => (running = p)));
    const context: ProcessContext = {
      file, source: config.source, input: config.input, channels, chunkEvents,
      featureChunks: (g, from, to) => featureChunks(config.input, file, g, chunkEvents, threads > 1 ? started : 1, from, to),
      recordChunks: threads > 1 ? async function* (spec, g, from, to) { yield* kernelChunks(await started(), spec, g, from, to, chunkEvents); } : undefined,
      // On a worker of a pool already started whose workers read (not worth a pool's start-up),
      // posted before this call returns: the stage started next (the SEV) then runs meanwhile.
      noiseSpectra: (g, picks, window) => Promise.resolve(running?.readers === "workers" ? running.noiseSpectra(g, picks, window) : undefined),
      select: (table, chs, predicate, key) => selectPerChannel(table, chs, predicate, key, basename(config.source)), log
    };
    const store = options.store ?? fileStore(storeDir(config), {inputs: identity});
    const close = async () => {
      try {
        if (pool) await (await pool.catch(() => undefined))?.close();
      } finally {
        file.close();
      }
    };
    return {file, input, identity, dataset, channels, context, versions: processStageVersions(options.readSource), store, log, close};
  } catch (e) {
    file.close();
    throw e;
  }
}

/** Runs the chain described by `config`; writes its outputs to `config.output`; returns the summary. */
export async function runProcess(config: ProcessConfig, options: ProcessOptions = {}): Promise<ProcessSummary> {
  const t0 = performance.now();
  const {input, identity, dataset, channels, context, versions, store, log, close} = await openRun(config, options);
  try {
    let run: ChainRun;
    try {
      run = await runChain(PROCESS_STAGES, config, {versions, inputIdentity: identity, context, store, log});
    } catch (e) {
      throw explain(e, config);
    }
    return writeOutputs(config, run, input, dataset, channels, processOutputVersion(options.readSource), t0);
  } finally {
    await close();
  }
}

/** The config section of each stage: what a user changes when it fails. */
const STAGE_KEYS: {[stage: string]: string} = {
  features: "features", sev: "sev", nps: "nps", optimumFilter: "optimumFilter", ofAmplitude: "optimumFilter", sevFit: "sevFit", calibration: "calibration"
};

/**
 * A failure of the chain, said for the user: a file's or config's own error as it is (they
 * name file and key); anything else with the config, the input, the stage and its config key.
 */
function explain(e: unknown, config: ProcessConfig): unknown {
  if (!(e instanceof StageError)) return e;
  if (e.cause instanceof ConfigError || e.cause instanceof DataFileError) return e.cause;
  const said = (x: unknown) => (x instanceof Error ? `${x.name === "Error" ? "" : `${x.name}: `}${x.message}` : String(x));
  const detail = e.cause instanceof ChannelError ? `channel ${e.cause.channel}: ${said(e.cause.cause)}` : said(e.cause);
  // Stages computed in one pass fail together ("ofAmplitude+sevFit"): each one's key.
  const keys = [...new Set(e.stage.split("+").map((s) => STAGE_KEYS[s] ?? s))].join(", ");
  return new StageError(e.stage, e.cause, `${basename(config.source)} → ${config.input}: stage ${e.stage} (config key ${keys}) failed: ${detail}`);
}

/** Output files of the stages (besides the group tables): removed when their stage is disabled. */
const STAGE_FILES = ["sev.parquet", "nps.parquet", "optimum-filter.parquet"];

/** The output folder of a run: tables, spectra, filter and summary.json, each stamped. */
function writeOutputs(config: ProcessConfig, run: ChainRun, input: FileIdentity, dataset: Dataset, channels: number[], formatVersion: string, t0: number): ProcessSummary {
  const {layout, unit, channels: fileChannels} = dataset;
  const meta = metadataRecord(dataset);
  const out = (name: string) => run.outputs.get(name);
  const record = (name: string) => run.stages.find((s) => s.stage === name);
  const hash = configHash(config);
  const {source: _source, ...configShown} = config;
  // The stamp of an output made by `stages`: their versions, parameters and lineages.
  const stamp = (stages: string[]) => {
    const used = stages.map(record).filter((r) => r !== undefined);
    return provenanceStamp({
      lineage: hashJson(used.map((r) => r.lineage)),
      stages: Object.fromEntries(used.map((r) => [r.stage, r.version])),
      parameters: Object.fromEntries(used.map((r) => [r.stage, r.params])),
      inputs: {file: input, lineage: Object.fromEntries(used.map((r) => [r.stage, r.lineage]))},
      command: `pulsebook process ${config.source}`
    });
  };
  const metadata = (table: string, stages: string[], extra: {[k: string]: string} = {}) => parquetProvenance(stamp(stages), {
    "pulsebook.table": table,
    "pulsebook.process_format_version": formatVersion,
    "pulsebook.config_hash": hash,
    "pulsebook.config": stableJson(configShown),
    "pulsebook.input": JSON.stringify(input),
    "pulsebook.layout": JSON.stringify(layout),
    "pulsebook.channels": JSON.stringify(fileChannels),
    "pulsebook.unit": unit,
    "pulsebook.metadata": JSON.stringify(meta),
    ...extra
  });
  const written: ProcessSummary["tables"] = {};
  // features: false keeps the tables internal (the selections still need them); only the
  // spectra, filter and summary are written.
  const columnStages = ["features", "ofAmplitude", "sevFit", "calibration"];
  for (const g of config.features.enabled ? config.groups : []) {
    const table: Columns = {};
    for (const s of columnStages) Object.assign(table, tableOf(out(s), g));
    const name = `${g}.parquet`;
    atomicWrite(join(config.output, name), encodeParquet(table, metadata("features", columnStages, {
      "pulsebook.group": g,
      "pulsebook.format_version": record("features")!.version,
      "pulsebook.columns": JSON.stringify(featureColumnsIn(unit))
    })));
    written[g] = {file: name, rows: table.event.length, columns: Object.keys(table)};
  }
  const sev = out("sev"), nps = out("nps"), of = out("optimumFilter");
  if (sev) {
    const cols: Columns = {};
    for (const c of channels) cols[`sev_ch${c}`] = sev.arrays[`sev_ch${c}`] as Float64Array;
    cols.time_ms = Float64Array.from({length: layout.recordLength}, (_, i) => ((i - layout.triggerIndex) / layout.sampleFrequency_Hz) * 1000);
    atomicWrite(join(config.output, "sev.parquet"), encodeParquet(cols, metadata("sev", ["sev"])));
  }
  if (nps) {
    const cols: Columns = {frequency_Hz: nps.arrays.frequency_Hz as Float64Array};
    for (const c of channels) cols[unitColumn(`psd_ch${c}_V2_per_Hz`, unit)] = nps.arrays[`psd_ch${c}_V2_per_Hz`] as Float64Array;
    atomicWrite(join(config.output, "nps.parquet"), encodeParquet(cols, metadata("nps", ["nps"])));
  }
  if (of) {
    const cols: Columns = {frequency_Hz: nps!.arrays.frequency_Hz as Float64Array};
    for (const c of channels) {
      const t = of.arrays[`ch${c}/transfer`] as Float64Array;
      cols[`of_transfer_ch${c}_re`] = Float64Array.from({length: t.length / 2}, (_, k) => t[2 * k]);
      cols[`of_transfer_ch${c}_im`] = Float64Array.from({length: t.length / 2}, (_, k) => t[2 * k + 1]);
    }
    atomicWrite(join(config.output, "optimum-filter.parquet"), encodeParquet(cols, metadata("optimum_filter", ["nps", "optimumFilter"])));
  }
  // What this run did not write must not be left from an earlier one: a disabled stage writes nothing.
  const produced = new Set([...Object.values(written).map((t) => t!.file), ...(sev ? ["sev.parquet"] : []), ...(nps ? ["nps.parquet"] : []), ...(of ? ["optimum-filter.parquet"] : [])]);
  for (const name of [...RECORD_GROUPS.map((g) => `${g}.parquet`), ...STAGE_FILES]) {
    if (!produced.has(name)) rmSync(join(config.output, name), {force: true});
  }
  const summaries: ChannelSummary[] = channels.map((channel) => {
    const s: ChannelSummary = {channel, name: fileChannels[channel].name};
    const sevC = (sev?.json as SevJson | undefined)?.channels.find((x) => x.channel === channel);
    if (sevC) s.sev = {group: sevC.group, records: sevC.records, selected: sevC.selected, amplitude_V: sevC.amplitude_V};
    const npsC = (nps?.json as NpsJson | undefined)?.channels.find((x) => x.channel === channel);
    if (npsC) s.nps = {records: npsC.records, selected: npsC.selected};
    const ofC = (of?.json as OptimumFilterJson | undefined)?.channels.find((x) => x.channel === channel);
    if (ofC) s.optimumFilter = ofC.summary;
    const calC = (out("calibration")?.json as CalibrationJson | undefined)?.channels.find((x) => x.channel === channel);
    if (calC) { const {channel: _c, ...cal} = calC; s.calibration = cal; }
    return inUnitKeys(s, unit);
  });
  const all = run.stages.map((s) => s.stage);
  const provenance = stamp(all);
  const summary: ProcessSummary = {
    format_version: formatVersion,
    pulsebook_version: PULSEBOOK_VERSION,
    config_hash: hash,
    lineage: provenance.lineage!,
    config: configShown,
    input,
    layout,
    unit,
    metadata: meta,
    tables: written,
    channels: summaries,
    ran: run.ran,
    seconds: (performance.now() - t0) / 1000,
    provenance
  };
  atomicWrite(join(config.output, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

/** `value` with every key that ends in a volts token renamed for `unit`, at any depth. */
function inUnitKeys<T>(value: T, unit: Dataset["unit"]): T {
  if (unit === "V" || !value || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [unitColumn(k, unit), inUnitKeys(v, unit)])) as T;
}

/** The lineage a run of `config` would have, without running it (hashes only). */
export function processLineage(config: ProcessConfig, readSource?: SourceReader): string {
  const plan = planChain(PROCESS_STAGES, config, processStageVersions(readSource), fileIdentity(config.input));
  return hashJson(plan.stages.map((s) => s.lineage));
}

