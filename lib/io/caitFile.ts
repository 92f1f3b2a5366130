// Reading cait-layout HDF5 files (groups events/testpulses/noise, `event` channel × event × sample).
// The h5wasm module is passed in: Node uses `h5wasm/node` (reads straight from disk, so a 2 GB
// file is never loaded whole) and pages use the browser build (file in wasm memory). The code
// over an open file is the same for both.

import type {Dataset as H5Dataset, File as H5File, Group as H5Group} from "h5wasm";
import {DataFileError} from "./errors.js";
import {checkedHdf5Module, Hdf5Error, hdf5FailureText, quietly} from "./hdf5Errors.js";
import {checkBudget, formatBytes, memoryBudget, RAISE_BUDGET} from "./memoryBudget.js";
import {parseUnit, SIGNAL_UNITS, type SignalUnit} from "../math/units.js";
import {
  CAIT_LAYOUT, LABEL_CLASSES, RECORD_GROUPS,
  type Channel, type ChannelKind, type Dataset, type EventChunk, type MetadataSources, type Record, type RecordGroup, type RecordLayout
} from "../types.js";

/** The part of an h5wasm module this code uses (Node and browser builds both fit). */
export interface H5Module {
  File: typeof H5File;
}

const FLOAT_TYPE = 1; // h5wasm metadata.type for H5T_FLOAT
const GROUP_TYPE = 0; // h5wasm get_type() of a group (H5G_GROUP)
// HDF5 filters that only check or reorder bytes (shuffle, fletcher32): data under them takes at
// least its own size in the file. Any other filter compresses; deflate peaks near 1032:1 on
// constant data, so a declared size above COMPRESSION_BOUND × the file cannot be real.
const NON_COMPRESSING_FILTERS = new Set([2, 3]);
const COMPRESSION_BOUND = 2000;
// The records of one event, all channels, are read whole (and up to 64 events at a time, with
// copies): cait's are ~10⁵ B (2 × 16384 float32). One event may take this share of the memory
// budget (lib/io/memoryBudget.ts; 256 MiB of the default 2 GiB); beyond, a compressed file's
// declared shape is not believed.
const EVENT_SHARE_OF_BUDGET = 8;
/** The most bytes one event (all channels) may take: a share of the memory budget. */
export const maxEventBytes = () => Math.floor(memoryBudget() / EVENT_SHARE_OF_BUDGET);
// The codes events/labels may hold. Anything else (1e12, −5, 1.5, NaN in a float64 dataset)
// would wrap or truncate in an Int32Array and be trained on as some other class.
const LABEL_CODES = new Set(Object.keys(LABEL_CLASSES).map(Number));

function scalar(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (ArrayBuffer.isView(value) && (value as unknown as ArrayLike<number>).length === 1) {
    return Number((value as unknown as ArrayLike<number | bigint>)[0]);
  }
  return undefined;
}

/** An open cait-layout file. Created by `openCaitFile` (Node) or `openCaitBuffer` (browser). */
export class CaitFile {
  readonly file: string;
  private described: Dataset;
  private readonly h5: H5File;
  /** Size of the file in bytes: what its datasets can possibly hold. */
  private readonly fileBytes: number;

  constructor(h5: H5File, file: string, fileBytes: number) {
    this.h5 = h5;
    this.file = file;
    this.fileBytes = fileBytes;
    this.described = quietly(() => this.describe());
  }

  /** What the file says about itself, completed by cait's defaults where it is silent (`sources`). */
  get dataset(): Dataset {
    return this.described;
  }

  /**
   * Reads the records as `dataset` describes them: the same shape, with metadata the file
   * lacks given by the caller (a processing config: lib/pipeline/process/preflight.ts).
   */
  describeAs(dataset: Dataset): void {
    const now = this.described;
    if (dataset.layout.recordLength !== now.layout.recordLength || dataset.channels.length !== now.channels.length || JSON.stringify(dataset.groups) !== JSON.stringify(now.groups)) {
      throw new Error(`${this.file}: describeAs may change metadata only, not the shape of the records`);
    }
    this.described = dataset;
  }

  private fail(problem: string, dataset?: string): never {
    throw new DataFileError(this.file, problem, dataset);
  }

  private describe(): Dataset {
    this.refuseExternalLinks();
    const keys = this.h5.keys();
    const groups: Dataset["groups"] = {};
    let nChannels: number | undefined;
    let recordLength: number | undefined;
    for (const group of RECORD_GROUPS) {
      if (!keys.includes(group)) continue;
      const {shape} = this.eventDataset(group);
      if (nChannels !== undefined && shape[0] !== nChannels) {
        this.fail(`has ${shape[0]} channels, other groups have ${nChannels}`, `${group}/event`);
      }
      if (recordLength !== undefined && shape[2] !== recordLength) {
        this.fail(`records have ${shape[2]} samples, other groups have ${recordLength}`, `${group}/event`);
      }
      nChannels = shape[0];
      recordLength = shape[2];
      groups[group] = shape[1];
    }
    if (nChannels === undefined || recordLength === undefined) {
      this.fail(`no record group: expected one of ${RECORD_GROUPS.join(", ")} (found: ${keys.join(", ") || "nothing"})`);
    }
    const meta = this.readMetainfo(recordLength, nChannels);
    const layout: RecordLayout = {
      sampleFrequency_Hz: meta.sampleFrequency_Hz ?? CAIT_LAYOUT.sampleFrequency_Hz,
      recordLength,
      triggerIndex: meta.triggerIndex ?? Math.floor(recordLength / 4)
    };
    const unit = meta.unit ?? "V";
    const attrs = this.h5.attrs;
    const numbers = Array.from({length: nChannels}, (_, index) => scalar(attrs[`Ch_${index + 1}`]?.value));
    const channels = channelsOf(nChannels, unit, numbers, meta.channelNames);
    const sources: MetadataSources = {
      sampleFrequency_Hz: meta.sampleFrequency_Hz === undefined ? "assumed" : "file",
      triggerIndex: meta.triggerIndex === undefined ? "assumed" : "file",
      unit: meta.unit === undefined ? "assumed" : "file",
      channelNames: meta.channelNames === undefined ? "assumed" : "file"
    };
    const hasLabels = keys.includes("events") && (this.h5.get("events") as H5Group).keys().includes("labels");
    return {path: this.file, layout, channels, groups, hasLabels, unit, sources};
  }

  /**
   * An external link makes HDF5 open another file, named inside this one, and read it as if it
   * were here: results would come from data the user never named. The cait layout has none
   * (groups of datasets), so any found is refused before anything is read.
   */
  private refuseExternalLinks(): void {
    const h5 = this.h5 as H5File & {get_external_link(path: string): {filename?: string; obj_path?: string}};
    const walk = (group: string, depth: number): void => {
      for (const name of (group === "/" ? this.h5 : (this.h5.get(group) as H5Group)).keys()) {
        const path = group === "/" ? `/${name}` : `${group}/${name}`;
        const link = orUndefined(() => h5.get_external_link(path));
        if (link?.filename !== undefined) {
          this.fail(`external link ${path} → ${link.filename}:${link.obj_path ?? ""}: links to other files are not followed ` +
            `(make a self-contained copy first, e.g. h5copy -f ext -i IN.h5 -o FLAT.h5 -s ${path} -d ${path} for each linked object)`, path);
        }
        // Only groups are walked; the cait layout is two levels deep, more is not looked into.
        // A dangling soft link makes HDF5 throw here: it is named when it is read (object()).
        if (depth < 3 && orUndefined(() => h5.get_type(path)) === GROUP_TYPE) walk(path, depth + 1);
      }
    };
    walk("/", 0);
  }

  /**
   * What `metainfo` says about the records (docs/data-format.md): cait's `sample_frequency`
   * and `record_length`, and Pulsebook's `trigger_index`, `unit` and `channel_names`. Anything
   * absent is undefined (the caller decides what to assume); anything present but wrong is an
   * error naming the dataset.
   */
  private readMetainfo(recordLength: number, nChannels: number): {sampleFrequency_Hz?: number; triggerIndex?: number; unit?: SignalUnit; channelNames?: string[]} {
    if (!this.h5.keys().includes("metainfo")) return {};
    const meta = this.h5.get("metainfo") as H5Group;
    const names = meta.keys();
    const value = (name: string): unknown => (names.includes(name) ? (meta.get(name) as H5Dataset).value : undefined);
    const rl = scalar(value("record_length"));
    if (rl !== undefined && rl !== recordLength) {
      this.fail(`metainfo says record_length ${rl} but records have ${recordLength} samples`, "metainfo/record_length");
    }
    const out: {sampleFrequency_Hz?: number; triggerIndex?: number; unit?: SignalUnit; channelNames?: string[]} = {};
    if (names.includes("sample_frequency")) {
      const fs = scalar(value("sample_frequency"));
      if (fs === undefined || !(fs > 0) || !Number.isFinite(fs)) this.fail(`invalid sample frequency ${show(value("sample_frequency"))} (expected a number of Hz > 0)`, "metainfo/sample_frequency");
      out.sampleFrequency_Hz = fs;
    }
    if (names.includes("trigger_index")) {
      const t = scalar(value("trigger_index"));
      if (t === undefined || !Number.isInteger(t) || t < 0 || t >= recordLength) {
        this.fail(`invalid trigger index ${show(value("trigger_index"))} (expected an integer sample index in [0, ${recordLength}))`, "metainfo/trigger_index");
      }
      out.triggerIndex = t;
    }
    if (names.includes("unit")) {
      const text = stringsOf(value("unit"));
      const unit = text?.length === 1 ? parseUnit(text[0]) : undefined;
      if (!unit) this.fail(`unknown unit ${show(value("unit"))} (expected one of ${SIGNAL_UNITS.join(", ")})`, "metainfo/unit");
      out.unit = unit;
    }
    if (names.includes("channel_names")) {
      const list = stringsOf(value("channel_names"));
      if (!list || list.length !== nChannels || list.some((n) => n.trim() === "")) {
        this.fail(`expected ${nChannels} non-empty names (one per channel), found ${show(value("channel_names"))}`, "metainfo/channel_names");
      }
      out.channelNames = list.map((n) => n.trim());
    }
    return out;
  }

  /**
   * The object at `path`, HDF5's failures named: a soft link to nothing (which h5wasm would
   * return as an object without shape) or an object HDF5 cannot read (truncated or corrupt file).
   */
  private object(path: string): unknown {
    let obj: unknown;
    try {
      obj = quietly(() => this.h5.get(path));
    } catch (e) {
      if (!(e instanceof Hdf5Error)) throw e;
      obj = undefined;
      const target = this.linkTarget(path);
      if (target === undefined) this.fail(`HDF5 cannot read it: ${e.problem} (truncated or corrupt file)`, path);
      this.fail(`dangling link ${path} → ${target} (nothing there)`, path);
    }
    if (obj && typeof obj === "object" && "target" in obj && !("shape" in obj) && !("keys" in obj)) {
      this.fail(`dangling link ${path} → ${String((obj as {target: unknown}).target)} (nothing there)`, path);
    }
    return obj;
  }

  private linkTarget(path: string): string | undefined {
    try {
      const target = quietly(() => this.h5.get_link(path));
      return typeof target === "string" ? target : undefined;
    } catch {
      return undefined;
    }
  }

  // Opened and checked once per group: a chunk read then costs the read alone.
  private readonly eventDatasets = new Map<RecordGroup, H5Dataset & {shape: number[]}>();
  private readonly perEventBlocks = new Map<string, PerEventBlock | null>();

  private eventDataset(group: RecordGroup): H5Dataset & {shape: number[]} {
    let ds = this.eventDatasets.get(group);
    if (!ds) this.eventDatasets.set(group, (ds = this.checkedEventDataset(group)));
    return ds;
  }

  private checkedEventDataset(group: RecordGroup): H5Dataset & {shape: number[]} {
    const path = `${group}/event`;
    const g = this.object(group);
    if (!g || typeof g !== "object" || !("keys" in g)) this.fail("is not a group", group);
    if (!(g as H5Group).keys().includes("event")) this.fail("missing dataset `event`", path);
    const ds = this.object(path) as H5Dataset;
    const shape = ds.shape;
    // An external link or an object of another kind has no shape: say what it is, not "undefined".
    if (!Array.isArray(shape)) this.fail(`is not a dataset (${ds && typeof ds === "object" && "filename" in ds ? `an external link to ${String((ds as {filename: unknown}).filename)}` : "an object of another kind"})`, path);
    if (shape.length !== 3) {
      this.fail(`expected rank 3 (channel × event × sample), found shape ${JSON.stringify(shape)}`, path);
    }
    const meta = ds.metadata;
    if (meta.type !== FLOAT_TYPE || (meta.size !== 4 && meta.size !== 8)) {
      this.fail(`expected float32 samples, found dtype ${ds.dtype}`, path);
    }
    if (shape[0] === 0) this.fail("dataset has zero channels", path);
    if (shape[2] === 0) this.fail("dataset has zero samples per record", path);
    this.checkDeclaredSize(ds, shape, meta.size, path);
    return ds as H5Dataset & {shape: number[]};
  }

  /**
   * A dataset's declared shape is only a promise: one declaring 2^40 events in a 10 kB file
   * would have the reader allocate until the machine gives out. Checked before anything is read.
   */
  private checkDeclaredSize(ds: H5Dataset, shape: number[], itemBytes: number, path: string, records = true): void {
    const declared = shape.reduce((a, b) => a * b, 1) * itemBytes;
    const compressed = (ds.filters ?? []).some((f: {id: number}) => !NON_COMPRESSING_FILTERS.has(f.id));
    const possible = compressed ? this.fileBytes * COMPRESSION_BOUND : this.fileBytes;
    if (declared > possible) {
      this.fail(
        `declares ${shape.join(" × ")} samples (${formatBytes(declared)}), but the file is ${formatBytes(this.fileBytes)}` +
        (compressed ? `; even compressed ${COMPRESSION_BOUND}:1 it could hold at most ${formatBytes(possible)}` : " and the dataset is not compressed") +
        " (truncated or corrupt file)", path);
    }
    if (!records) return;
    const perEvent = shape[0] * shape[2] * itemBytes;
    const maxEvent = maxEventBytes();
    if (perEvent > maxEvent) {
      this.fail(`declares ${shape[0]} channels × ${shape[2]} samples per event (${formatBytes(perEvent)} per event); ` +
        `records of more than ${formatBytes(maxEvent)} per event (1/${EVENT_SHARE_OF_BUDGET} of the memory budget of ${formatBytes(memoryBudget())}) ` +
        `are not read: truncated or corrupt file? (if not, ${RAISE_BUDGET})`, path);
    }
  }

  /**
   * Events [start, start+count) of `ds` (`ranges` gives the slice for an event range). A failed
   * HDF5 read (checksum, decompression) is an error naming the first event that cannot be read.
   */
  private read(ds: H5Dataset, ranges: (start: number, count: number) => [number, number][], path: string, start: number, count: number, reader = (r: [number, number][]): unknown => ds.slice(r)): unknown {
    try {
      return reader(ranges(start, count));
    } catch (e) {
      if (!(e instanceof Hdf5Error)) throw e;
      let bad = start;
      while (bad < start + count - 1 && this.readable(ds, ranges(bad, 1))) ++bad;
      this.fail(`cannot read event ${bad} (of events [${start}, ${start + count}) read together): ${e.problem} (corrupt data: a checksum or decompression failure, or a damaged or truncated file)`, path);
    }
  }

  private readable(ds: H5Dataset, ranges: [number, number][]): boolean {
    try {
      ds.slice(ranges);
      return true;
    } catch (e) {
      if (e instanceof Hdf5Error) return false;
      throw e;
    }
  }

  /**
   * Events [start, start+count) of a per-event dataset shaped (n,) or (nChannels, n), read as a
   * slice so that per-chunk cost does not grow with the file. Undefined when absent.
   */
  private perEvent(group: RecordGroup, name: string, start: number, count: number): {values: Float64Array; perChannel: boolean} | undefined {
    const path = `${group}/${name}`;
    let block = this.perEventBlocks.get(path);
    if (block === undefined) {
      const g = this.h5.get(group) as H5Group;
      block = g.keys().includes(name) ? {ds: g.get(name) as H5Dataset, from: 0, to: 0, rows: 1, values: new Float64Array(0)} : null;
      this.perEventBlocks.set(path, block);
    }
    if (!block) return undefined;
    const {ds} = block;
    const shape = ds.shape ?? [];
    const n = this.dataset.groups[group]!;
    const nChannels = this.dataset.channels.length;
    let rows: number;
    if (shape.length === 1 && shape[0] === n) rows = 1;
    else if (shape.length === 2 && shape[0] === nChannels && shape[1] === n) rows = nChannels;
    else this.fail(`expected shape [${n}] or [${nChannels}, ${n}], found ${JSON.stringify(shape)}`, path);
    // Small reads cost more in the call than in the bytes: read the block of PER_EVENT_BLOCK events
    // around them once, so that event-by-event reads (a selection, a viewer) cost little.
    if (start < block.from || start + count > block.to) {
      const ranges = rows === 1 ? (s: number, c: number): [number, number][] => [[s, s + c]] : (s: number, c: number): [number, number][] => [[0, nChannels], [s, s + c]];
      const load = (from: number, to: number) => {
        const raw = this.read(ds, ranges, path, from, to - from) as ArrayLike<number | bigint>;
        const values = new Float64Array(raw.length);
        for (let i = 0; i < raw.length; ++i) values[i] = Number(raw[i]);
        Object.assign(block, {from, to, rows, values});
      };
      const from = count <= PER_EVENT_BLOCK ? Math.floor(start / PER_EVENT_BLOCK) * PER_EVENT_BLOCK : start;
      try {
        load(from, Math.min(n, Math.max(start + count, from + PER_EVENT_BLOCK)));
      } catch (e) {
        // A damaged part of the block outside the events asked for must not fail them: read those alone.
        if (!(e instanceof DataFileError)) throw e;
        load(start, start + count);
      }
    }
    const width = block.to - block.from, at = start - block.from;
    const values = new Float64Array(rows * count);
    for (let r = 0; r < rows; r++) values.set(block.values.subarray(r * width + at, r * width + at + count), r * count);
    return {values, perChannel: rows > 1};
  }

  /** Events of a group present in the file. */
  count(group: RecordGroup): number {
    const n = this.dataset.groups[group];
    if (n === undefined) this.fail(`group \`${group}\` not found (file has: ${Object.keys(this.dataset.groups).join(", ")})`, group);
    return n;
  }

  /**
   * Reads events [start, start+count) of `group`, all channels. Samples are checked: a NaN or
   * infinite sample is an error naming the event and channel, never a silent wrong feature.
   * With `reuse`, the samples are a view of a buffer the next read of this file overwrites (and
   * close frees): for passes that are done with a chunk before they read the next.
   * `check = false` skips the sample check, for callers whose computation finds a non-finite
   * sample itself (the feature kernel) and then reads the chunk again with the check, for its error.
   */
  readChunk(group: RecordGroup, start: number, count: number, reuse = false, check = true): EventChunk {
    const n = this.count(group);
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > n) {
      this.fail(`events [${start}, ${start + count}) out of range (group has ${n})`, `${group}/event`);
    }
    const nChannels = this.dataset.channels.length;
    const {recordLength} = this.dataset.layout;
    const ds = this.eventDataset(group);
    const ranges = (s: number, c: number): [number, number][] => [[0, nChannels], [s, s + c], [0, recordLength]];
    const view = reuse ? this.readIntoHeap(ds, ranges, `${group}/event`, start, count) : undefined;
    let samples: Float32Array;
    if (view) samples = view();
    else {
      const raw = this.read(ds, ranges, `${group}/event`, start, count) as Float32Array | Float64Array;
      samples = raw instanceof Float32Array ? raw : Float32Array.from(raw);
    }
    const bad = check ? firstNonFinite(samples) : -1;
    if (bad >= 0) {
      const channel = Math.floor(bad / (count * recordLength));
      const event = start + Math.floor(bad / recordLength) % count;
      this.fail(`record of event ${event}, channel ${channel} holds ${samples[bad]} at sample ${bad % recordLength}`, `${group}/event`);
    }
    const hours = this.perEvent(group, "hours", start, count)?.values ?? new Float64Array(count).fill(NaN);
    const chunk: EventChunk = {group, start, count, nChannels, recordLength, samples, hours};
    const labels = group === "events" ? this.perEvent(group, "labels", start, count) : undefined;
    if (labels) {
      if (!labels.perChannel) this.fail(`expected shape [${nChannels}, ${n}] (channel × event)`, "events/labels");
      const codes = labels.values;
      for (let i = 0; i < codes.length; ++i) {
        if (!LABEL_CODES.has(codes[i])) {
          this.fail(`label of event ${start + (i % count)}, channel ${Math.floor(i / count)} is ${codes[i]}, not a cait label class (0–20 or 99)`, "events/labels");
        }
      }
      chunk.labels = Int32Array.from(codes);
    }
    const tpa = group === "testpulses" ? this.perEvent(group, "testpulseamplitude", start, count) : undefined;
    // cait stores one TPA per event, or one per channel × event with `indiv_tpas` (then channel 0's).
    if (tpa) chunk.testpulseAmplitude = tpa.values.slice(0, count);
    // Reading the per-event data may have grown the heap, which detaches views of the old one.
    if (view) chunk.samples = view();
    return chunk;
  }

  /** The buffer in the HDF5 module's heap that readChunk's `reuse` reads into (freed by close). */
  private heap: {pointer: number; bytes: number} | undefined;

  /**
   * Reads the samples of events [start, start + count) into `heap`, straight from HDF5: no copy
   * out of the heap into a new buffer per chunk (h5wasm's `slice` does that: a quarter of the
   * CPU time of `pulsebook features`, measured).
   * Returns a function giving the samples' view (taken anew: the heap may grow); undefined when
   * the data are not little-endian float32 or the module is not at hand (then readChunk copies).
   */
  private readIntoHeap(ds: H5Dataset, ranges: (start: number, count: number) => [number, number][], path: string, start: number, count: number): (() => Float32Array) | undefined {
    const m = checkedHdf5Module();
    const meta = ds.metadata as {type: number; size: number; littleEndian: boolean};
    if (!m || meta.type !== FLOAT_TYPE || meta.size !== 4 || !meta.littleEndian) return undefined;
    const n = ranges(start, count).reduce((p, [a, b]) => p * (b - a), 1);
    if (!this.heap || this.heap.bytes < 4 * n) {
      if (this.heap) m._free(this.heap.pointer);
      this.heap = undefined;
      const pointer = m._malloc(4 * n);
      if (!pointer) return undefined;
      this.heap = {pointer, bytes: 4 * n};
    }
    const {pointer} = this.heap;
    const {file_id, path: dsPath} = ds as unknown as {file_id: bigint; path: string};
    this.read(ds, ranges, path, start, count, (r) => m.get_dataset_data(file_id, dsPath, r.map(([a, b]) => BigInt(b - a)), r.map(([a]) => BigInt(a)), r.map(() => 1n), BigInt(pointer)));
    return () => new Float32Array(m.HEAPU8.buffer, pointer, n);
  }

  /**
   * The error to report for a chunk of events read without the sample check (`readChunk(…,
   * check = false)`) whose computation failed with `e`: the check's DataFileError (naming the
   * file, event, channel and sample) when a sample is NaN or infinite, else `e`. Passes whose
   * kernel meets every sample anyway read without the check and pay it only here.
   */
  checkedError(group: RecordGroup, start: number, count: number, e: Error): Error {
    try {
      this.readChunk(group, start, count, true);
    } catch (checked) {
      return checked as Error;
    }
    return e;
  }

  /** `compute()` on a chunk of events read without the sample check; a failure is reported as checkedError says. */
  computeChecked<T>(group: RecordGroup, start: number, count: number, compute: () => T): T {
    try {
      return compute();
    } catch (e) {
      throw this.checkedError(group, start, count, e as Error);
    }
  }

  /**
   * Iterates events [from, to) of a group (default: all) in chunks of `chunkEvents` events:
   * memory stays bounded by one chunk.
   */
  *chunks(group: RecordGroup, chunkEvents = 64, from = 0, to = this.count(group), reuse = false, check = true): Generator<EventChunk> {
    for (let start = from; start < to; start += chunkEvents) yield this.readChunk(group, start, Math.min(chunkEvents, to - start), reuse, check);
  }

  /** The records of all channels of one event. */
  readEvent(group: RecordGroup, event: number): Record[] {
    const chunk = this.readChunk(group, event, 1);
    const L = chunk.recordLength;
    return Array.from({length: chunk.nChannels}, (_, c) => chunk.samples.slice(c * L, (c + 1) * L));
  }

  /**
   * The records of all channels at each of `events` (sorted ascending), event by event, reading
   * the selected events of one HDF5 chunk in one access: each access costs far more than its
   * bytes (measured on 8-event chunks of 2 × 16,384 samples: 0.65 ms for one event, 1.2 ms for
   * all eight; a compressed chunk is decompressed whole for every access). Storage that is not
   * chunked is read event by event.
   * With `copy` false the records are views of the read buffer (no 64 kB allocation per
   * record), for callers that use each record at once: valid until the generator is resumed,
   * and only while the caller reads nothing else of this file. `check = false` skips the sample
   * check, as readChunk's (the caller's computation must then refuse a non-finite sample, and
   * `checkedError` gives the error naming it).
   */
  *readEvents(group: RecordGroup, events: ArrayLike<number>, copy = true, check = true): Generator<{event: number; records: Record[]}> {
    const chunkShape = this.eventDataset(group).metadata?.chunks;
    const perChunk = Math.max(1, chunkShape?.[1] ?? 1);
    for (let k = 0; k < events.length;) {
      const first = events[k];
      if (k > 0 && !(first > events[k - 1])) throw new RangeError(`events must be sorted and distinct (event ${first} after ${events[k - 1]})`);
      // The selected events that share `first`'s chunk.
      const end = (Math.floor(first / perChunk) + 1) * perChunk;
      let j = k + 1;
      while (j < events.length && events[j] < end && events[j] > events[j - 1]) j++;
      const last = events[j - 1];
      // Read into the reused buffer; only the selected records are copied out (a span's records
      // copied whole cost more than its read), all of them before the first is yielded: the
      // caller may read this file in between.
      const chunk = this.readChunk(group, first, last - first + 1, true, check);
      const L = chunk.recordLength;
      /** The records of selected event i: views of the read buffer. */
      const recordsOf = (i: number) => {
        const at = events[i] - first;
        return Array.from({length: chunk.nChannels}, (_, c) => chunk.samples.subarray((c * chunk.count + at) * L, (c * chunk.count + at + 1) * L));
      };
      if (copy) {
        const selected = [];
        for (let i = k; i < j; i++) selected.push({event: events[i], records: recordsOf(i).map((r) => r.slice())});
        yield* selected;
      } else {
        for (let i = k; i < j; i++) yield {event: events[i], records: recordsOf(i)};
      }
      k = j;
    }
  }

  /** A numeric dataset of the file (e.g. `stdevent/event`), with its shape. */
  readArray(path: string): {shape: number[]; values: Float64Array} {
    const obj = this.h5.get(path);
    if (!obj || !("shape" in obj)) this.fail("dataset not found", path);
    const ds = obj as H5Dataset;
    const shape = ds.shape ?? [];
    const declared = shape.reduce((a, b) => a * b, 1) * (ds.metadata?.size ?? 8);
    // Read whole, then copied into float64: both must fit, and the file must be able to hold it.
    this.checkDeclaredSize(ds, shape.length ? shape : [1], ds.metadata?.size ?? 8, path, false);
    checkBudget(this.file, `dataset of shape ${JSON.stringify(shape)} (${formatBytes(declared)})`, declared + 8 * (declared / (ds.metadata?.size ?? 8)), path);
    let value: ArrayLike<number | bigint>;
    try {
      value = ds.value as ArrayLike<number | bigint>;
    } catch (e) {
      if (!(e instanceof Hdf5Error)) throw e;
      this.fail(`cannot read it: ${e.problem} (corrupt data: a checksum or decompression failure, or a damaged or truncated file)`, path);
    }
    // Number() also takes int64 datasets (h5wasm gives BigInt64Array).
    return {shape: ds.shape ?? [], values: Float64Array.from(value, Number)};
  }

  close(): void {
    if (this.heap) checkedHdf5Module()?._free(this.heap.pointer);
    this.heap = undefined;
    this.h5.close();
  }
}

/** Events of a per-event dataset (hours, labels, TPA) read at once and kept: 4096 × 8 B per row. */
const PER_EVENT_BLOCK = 4096;

/** The block of a per-event dataset last read: rows × (to − from) values, row-major. */
interface PerEventBlock {
  ds: H5Dataset;
  from: number;
  to: number;
  rows: number;
  values: Float64Array;
}

/** `f()`, or undefined where HDF5 reports a failure. */
function orUndefined<T>(f: () => T): T | undefined {
  try {
    return quietly(f);
  } catch (e) {
    if (e instanceof Hdf5Error) return undefined;
    throw e;
  }
}


/** Strings of an HDF5 string value: a scalar string or a 1-D array of them. */
function stringsOf(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  return undefined;
}

function show(value: unknown): string {
  if (ArrayBuffer.isView(value)) return JSON.stringify(Array.from(value as unknown as ArrayLike<number | bigint>, (v) => (typeof v === "bigint" ? Number(v) : v)));
  return typeof value === "bigint" ? String(value) : JSON.stringify(value) ?? String(value);
}

/**
 * The channels of a file: named as the file says (`channel_names`); else cait's default
 * layout — two channels in volts, phonon then light — named as cait does (`phonon Ch1`); else
 * `ch0`, `ch1`… (with the DAQ channel number when the file has `Ch_N` attributes).
 */
export function channelsOf(nChannels: number, unit: SignalUnit, numbers: (number | undefined)[], names?: string[]): Channel[] {
  const caitDefault = nChannels === 2 && unit === "V";
  return Array.from({length: nChannels}, (_, index) => {
    const kind: ChannelKind = names ? kindOf(names[index]) : caitDefault ? (index === 1 ? "light" : "phonon") : "other";
    const number = numbers[index];
    const name = names ? names[index]
      : caitDefault ? (number === undefined ? `${kind} ${index}` : `${kind} Ch${number}`)
      : number === undefined ? `ch${index}` : `ch${index} (Ch${number})`;
    return number === undefined ? {index, name, kind} : {index, name, kind, number};
  });
}

const kindOf = (name: string): ChannelKind => (/phonon/i.test(name) ? "phonon" : /light/i.test(name) ? "light" : "other");

/**
 * Index of the first NaN or ±Infinity in x, or −1. x·0 is ±0 for a finite sample and NaN for
 * the others, so four running sums of x·0 (independent chains, no branch per sample) say
 * whether there is one; only then is x searched for it (twice as fast as a compare per sample).
 */
function firstNonFinite(x: Float32Array): number {
  const n = x.length, n4 = n - (n % 4);
  let a = 0, b = 0, c = 0, d = 0;
  for (let i = 0; i < n4; i += 4) {
    a += x[i] * 0;
    b += x[i + 1] * 0;
    c += x[i + 2] * 0;
    d += x[i + 3] * 0;
  }
  for (let i = n4; i < n; ++i) a += x[i] * 0;
  if (a + b + c + d === 0) return -1;
  for (let i = 0; i < n; ++i) if (x[i] - x[i] !== 0) return i;
  return -1;
}


/** Opens any HDF5 file read-only; HDF5's refusal becomes a DataFileError naming `file`. */
export function openHdf5File(h5wasm: H5Module, path: string, file: string): H5File {
  try {
    return quietly(() => new h5wasm.File(path, "r"));
  } catch (e) {
    throw new DataFileError(file, `HDF5 library could not open the file (${hdf5FailureText(e)})`);
  }
}

/**
 * Opens an h5wasm file (`fileBytes` long) and validates its layout, turning HDF5's errors into
 * DataFileError: whatever the library throws while the layout is read means the file is damaged.
 */
export function openH5(h5wasm: H5Module, path: string, file: string, fileBytes: number): CaitFile {
  const h5 = openHdf5File(h5wasm, path, file);
  try {
    return new CaitFile(h5, file, fileBytes);
  } catch (e) {
    h5.close();
    if (e instanceof DataFileError) throw e;
    // h5wasm's own messages ("error - name not defined!", "Dyn casting error") say nothing to a user.
    throw new DataFileError(file, `truncated or corrupt file: HDF5 cannot read its layout (${hdf5FailureText(e)})`);
  }
}
