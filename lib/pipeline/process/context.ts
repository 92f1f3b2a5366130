// What the process stages share: the run's context (the open input, the selection engine —
// both supplied by the caller, so the stages stay browser-pure) and the packing of feature
// tables into stage outputs.
import type {CaitFile} from "../../io/caitFile.js";
import type {NoiseSpectrum} from "../../dsp/nps.js";
import type {ProcessConfig} from "../../config/processConfig.js";
import {ConfigError} from "../../config/configError.js";
import {DataFileError} from "../../io/errors.js";
export {forChannel as perChannel} from "../../config/perChannel.js";
import type {RecordGroup} from "../../types.js";
import type {StageArray, StageOutput} from "../stage.js";
import type {KernelChunk, KernelSpec, RecordKernel} from "./kernels.js";

/** Named columns of one table, rows event-major (row = event·nChannels + channel). */
export type Columns = {[name: string]: StageArray};

export interface ProcessContext {
  /** The open input file. */
  file: CaitFile;
  /** The config file's path and the input's, for messages. */
  source: string;
  input: string;
  /** Channel indices processed (config `channels`, "all" resolved against the file). */
  channels: number[];
  /** Events per HDF5 read. */
  chunkEvents: number;
  /**
   * Feature columns (computeFeatures', without `rows`) of every chunk of events [from, to) of `group`, in file order,
   * with each chunk's test-pulse amplitudes: the caller may compute them on worker threads.
   * Absent: computed here, chunk by chunk.
   */
  featureChunks?(group: RecordGroup, from: number, to: number): AsyncIterable<{columns: Columns; testpulseAmplitude?: Float64Array}>;
  /**
   * Columns of a per-record stage's kernel (kernels.ts) for events [from, to) of `group`, chunk
   * by chunk in file order: the caller may compute them on worker threads. Absent: computed here.
   */
  recordChunks?(spec: KernelSpec, group: RecordGroup, from: number, to: number): AsyncIterable<KernelChunk>;
  /**
   * The NPS stage's spectra (nps.ts `noiseSpectra`), computed elsewhere (on a worker thread with
   * its own handle on the input) while this thread goes on with other stages: undefined where the
   * caller has no such thread at hand, and then computed here.
   */
  noiseSpectra?(group: RecordGroup, picks: Map<number, Int32Array>, window: "tukey" | "none"): Promise<Map<number, NoiseSpectrum> | undefined>;
  /** Per channel, the sorted events of `table` whose row of that channel satisfies the SQL predicate. */
  select(table: Columns, channels: readonly number[], predicate: (c: number) => string, key: string): Promise<Map<number, Int32Array>>;
  log(message: string): void;
  /**
   * Events [from, to) of each group that the per-record stages (features, ofAmplitude, sevFit)
   * compute: one shard of a run (lib/pipeline/shard.ts). Absent: every event.
   */
  range?: {[G in RecordGroup]?: readonly [number, number]};
}

/** Events [from, to) of `group` that the per-record stages compute in this context. */
export function eventRange(ctx: ProcessContext, group: RecordGroup): readonly [number, number] {
  return ctx.range?.[group] ?? [0, ctx.file.count(group)];
}

/** Tables by group as one stage output: arrays `GROUP/COLUMN`, column order kept in `json`. */
export function packTables(tables: Map<RecordGroup, Columns>, json: object = {}): StageOutput {
  const arrays: {[name: string]: StageArray} = {};
  const columns: {[group: string]: string[]} = {};
  for (const [g, t] of tables) {
    columns[g] = Object.keys(t);
    for (const [name, a] of Object.entries(t)) arrays[`${g}/${name}`] = a;
  }
  return {arrays, json: {...json, columns}};
}

/** The columns of `group` in a stage output made by packTables ({} when it has none). */
export function tableOf(output: StageOutput | undefined, group: RecordGroup): Columns {
  if (!output) return {};
  const names = (output.json as {columns: {[group: string]: string[]}}).columns[group] ?? [];
  return Object.fromEntries(names.map((n) => [n, output.arrays[`${group}/${n}`]]));
}

export const nanArray = (n: number) => new Float64Array(n).fill(NaN);

/** A failure while computing one channel, naming it (the runner adds the stage, file and key). */
export class ChannelError extends Error {
  constructor(readonly channel: number, readonly cause: unknown) {
    super(`channel ${channel}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ChannelError";
  }
}

/** Runs `fn` for channel `c`; a failure that does not name a file (a library's) gets the channel. */
export function onChannel<T>(c: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ChannelError || e instanceof DataFileError || e instanceof ConfigError) throw e;
    throw new ChannelError(c, e);
  }
}

/**
 * Calls `fn(channel, record)` for every selected (event, channel), reading each event once;
 * `record` is a view of the read buffer, valid during the call only. The records are read
 * without the sample check (its scan cost as much as the NPS's transform): `fn` must throw on a
 * record holding a non-finite sample, as the SEV, NPS and OF builders do, and its error is then
 * replaced by the check's DataFileError naming the file, event, channel and sample.
 */
export function forEachSelected(file: CaitFile, group: RecordGroup, picks: Map<number, Int32Array>, fn: (channel: number, record: Float32Array) => void): void {
  const byEvent = new Map<number, number[]>();
  for (const [c, events] of picks) for (const e of events) (byEvent.get(e) ?? byEvent.set(e, []).get(e)!).push(c);
  const events = Int32Array.from(byEvent.keys()).sort();
  for (const {event, records} of file.readEvents(group, events, false, false)) {
    for (const c of byEvent.get(event)!) {
      try {
        fn(c, records[c]);
      } catch (e) {
        throw file.checkedError(group, event, 1, e as Error);
      }
    }
  }
}

/** Every group the chain reads: the config's groups and those SEV, NPS and calibration need. */
export function chainGroups(config: ProcessConfig): RecordGroup[] {
  return [...new Set<RecordGroup>([
    ...config.groups,
    ...(config.sev.enabled ? [config.sev.group] : []),
    ...(config.nps.enabled ? [config.nps.group] : []),
    ...(config.calibration.enabled ? ["events", "testpulses"] as RecordGroup[] : [])
  ])];
}

/**
 * The tables of a per-record stage for `groups`, over each group's event range: from the
 * caller's workers when it offers them (`ctx.recordChunks`), else from `open()`'s kernel here.
 */
export async function perRecordTables(ctx: ProcessContext, groups: readonly RecordGroup[], spec: KernelSpec, names: readonly string[], open: () => Promise<RecordKernel>, what: string): Promise<Map<RecordGroup, {[name: string]: Float64Array}>> {
  const {file, chunkEvents, log} = ctx;
  const nChannels = file.dataset.channels.length;
  let kernel: RecordKernel | undefined;
  async function* here(g: RecordGroup, from: number, to: number): AsyncGenerator<KernelChunk> {
    kernel ??= await open();
    // The kernel is done with a chunk before the next read: the reused read buffer serves. Read
    // without the sample check: the kernels fail on a non-finite sample, and CaitFile.computeChecked names it.
    for (const chunk of file.chunks(g, chunkEvents, from, to, true, false)) {
      yield {start: chunk.start, columns: file.computeChecked(g, chunk.start, chunk.count, () => kernel!.columns(chunk))};
    }
  }
  try {
    const tables = new Map<RecordGroup, {[name: string]: Float64Array}>();
    for (const g of groups) {
      const [from, to] = eventRange(ctx, g);
      const rows = (to - from) * nChannels;
      const table = Object.fromEntries(names.map((n) => [n, nanArray(rows)]));
      for await (const {start, columns} of ctx.recordChunks?.(spec, g, from, to) ?? here(g, from, to)) {
        for (const n of names) table[n].set(columns[n], (start - from) * nChannels);
      }
      tables.set(g, table);
      log(`${what}: ${g} done${ctx.recordChunks ? " on worker threads" : ""}`);
    }
    return tables;
  } finally {
    kernel?.dispose();
  }
}
