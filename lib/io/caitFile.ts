// Reading cait-layout HDF5 files (groups events/testpulses/noise, `event` channel × event × sample).
// The h5wasm module is passed in: Node uses `h5wasm/node` (reads straight from disk, so a 2 GB
// file is never loaded whole) and pages use the browser build (file in wasm memory). The code
// over an open file is the same for both.

import type {Dataset as H5Dataset, File as H5File, Group as H5Group} from "h5wasm";
import {DataFileError} from "./errors.js";
import {Hdf5Error, quietly} from "./hdf5Errors.js";
import {
  CAIT_LAYOUT, LABEL_CLASSES, RECORD_GROUPS,
  type Channel, type Dataset, type EventChunk, type Record, type RecordGroup, type RecordLayout
} from "../types.js";

/** The part of an h5wasm module this code uses (Node and browser builds both fit). */
export interface H5Module {
  File: typeof H5File;
}

const FLOAT_TYPE = 1; // h5wasm metadata.type for H5T_FLOAT
// HDF5 filters that only check or reorder bytes (shuffle, fletcher32): data under them takes at
// least its own size in the file. Any other filter compresses; deflate peaks near 1032:1 on
// constant data, so a declared size above COMPRESSION_BOUND × the file cannot be real.
const NON_COMPRESSING_FILTERS = new Set([2, 3]);
const COMPRESSION_BOUND = 2000;
// The records of one event, all channels, are read whole (and 64 events at a time): cait's are
// ~10⁵ B (2 × 16384 float32). Beyond this a compressed file's declared shape is not believed.
export const MAX_EVENT_BYTES = 256 * 1024 ** 2;
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
  readonly dataset: Dataset;
  private readonly h5: H5File;
  /** Size of the file in bytes: what its datasets can possibly hold. */
  private readonly fileBytes: number;

  constructor(h5: H5File, file: string, fileBytes: number) {
    this.h5 = h5;
    this.file = file;
    this.fileBytes = fileBytes;
    this.dataset = quietly(() => this.describe());
  }

  private fail(problem: string, dataset?: string): never {
    throw new DataFileError(this.file, problem, dataset);
  }

  private describe(): Dataset {
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
    const layout = this.readLayout(recordLength);
    const attrs = this.h5.attrs;
    const channels: Channel[] = Array.from({length: nChannels}, (_, index) => {
      const number = scalar(attrs[`Ch_${index + 1}`]?.value);
      const kind = nChannels === 2 && index === 1 ? "light" : "phonon";
      return {index, name: number === undefined ? `${kind} ${index}` : `${kind} Ch${number}`, kind};
    });
    const hasLabels = keys.includes("events") && (this.h5.get("events") as H5Group).keys().includes("labels");
    return {path: this.file, layout, channels, groups, hasLabels};
  }

  /** Layout from `metainfo` when present (cait writes it from the .par file), else cait's defaults. */
  private readLayout(recordLength: number): RecordLayout {
    let sampleFrequency_Hz = CAIT_LAYOUT.sampleFrequency_Hz;
    if (this.h5.keys().includes("metainfo")) {
      const meta = this.h5.get("metainfo") as H5Group;
      const fs = meta.keys().includes("sample_frequency") ? scalar((meta.get("sample_frequency") as H5Dataset).value) : undefined;
      if (fs !== undefined) sampleFrequency_Hz = fs;
      const rl = meta.keys().includes("record_length") ? scalar((meta.get("record_length") as H5Dataset).value) : undefined;
      if (rl !== undefined && rl !== recordLength) {
        this.fail(`metainfo says record_length ${rl} but records have ${recordLength} samples`, "metainfo/record_length");
      }
    }
    if (!(sampleFrequency_Hz > 0)) this.fail(`invalid sample frequency ${sampleFrequency_Hz}`, "metainfo/sample_frequency");
    return {sampleFrequency_Hz, recordLength, triggerIndex: Math.floor(recordLength / 4)};
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

  private eventDataset(group: RecordGroup): H5Dataset & {shape: number[]} {
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
  private checkDeclaredSize(ds: H5Dataset, shape: number[], itemBytes: number, path: string): void {
    const declared = shape.reduce((a, b) => a * b, 1) * itemBytes;
    const compressed = (ds.filters ?? []).some((f: {id: number}) => !NON_COMPRESSING_FILTERS.has(f.id));
    const possible = compressed ? this.fileBytes * COMPRESSION_BOUND : this.fileBytes;
    if (declared > possible) {
      this.fail(
        `declares ${shape.join(" × ")} samples (${formatBytes(declared)}), but the file is ${formatBytes(this.fileBytes)}` +
        (compressed ? `; even compressed ${COMPRESSION_BOUND}:1 it could hold at most ${formatBytes(possible)}` : " and the dataset is not compressed") +
        " (truncated or corrupt file)", path);
    }
    const perEvent = shape[0] * shape[2] * itemBytes;
    if (perEvent > MAX_EVENT_BYTES) {
      this.fail(`declares ${shape[0]} channels × ${shape[2]} samples per event (${formatBytes(perEvent)} per event); ` +
        `records of more than ${formatBytes(MAX_EVENT_BYTES)} per event are not read (truncated or corrupt file?)`, path);
    }
  }

  /**
   * Events [start, start+count) of `ds` (`ranges` gives the slice for an event range). A failed
   * HDF5 read (checksum, decompression) is an error naming the first event that cannot be read.
   */
  private read(ds: H5Dataset, ranges: (start: number, count: number) => [number, number][], path: string, start: number, count: number): unknown {
    try {
      return ds.slice(ranges(start, count));
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
    const g = this.h5.get(group) as H5Group;
    if (!g.keys().includes(name)) return undefined;
    const ds = g.get(name) as H5Dataset;
    const shape = ds.shape ?? [];
    const n = this.dataset.groups[group]!;
    const nChannels = this.dataset.channels.length;
    let raw: ArrayLike<number | bigint>;
    if (shape.length === 1 && shape[0] === n) raw = this.read(ds, (s, c) => [[s, s + c]], path, start, count) as ArrayLike<number>;
    else if (shape.length === 2 && shape[0] === nChannels && shape[1] === n) raw = this.read(ds, (s, c) => [[0, nChannels], [s, s + c]], path, start, count) as ArrayLike<number>;
    else this.fail(`expected shape [${n}] or [${nChannels}, ${n}], found ${JSON.stringify(shape)}`, path);
    const values = new Float64Array(raw.length);
    for (let i = 0; i < raw.length; ++i) values[i] = Number(raw[i]);
    return {values, perChannel: shape.length === 2};
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
   */
  readChunk(group: RecordGroup, start: number, count: number): EventChunk {
    const n = this.count(group);
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > n) {
      this.fail(`events [${start}, ${start + count}) out of range (group has ${n})`, `${group}/event`);
    }
    const nChannels = this.dataset.channels.length;
    const {recordLength} = this.dataset.layout;
    const ds = this.eventDataset(group);
    const raw = this.read(ds, (s, c) => [[0, nChannels], [s, s + c], [0, recordLength]], `${group}/event`, start, count) as Float32Array | Float64Array;
    const samples = raw instanceof Float32Array ? raw : Float32Array.from(raw);
    const bad = firstNonFinite(samples);
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
    return chunk;
  }

  /** Iterates a group in chunks of `chunkEvents` events: memory stays bounded by one chunk. */
  *chunks(group: RecordGroup, chunkEvents = 64): Generator<EventChunk> {
    const n = this.count(group);
    for (let start = 0; start < n; start += chunkEvents) yield this.readChunk(group, start, Math.min(chunkEvents, n - start));
  }

  /** The records of all channels of one event. */
  readEvent(group: RecordGroup, event: number): Record[] {
    const chunk = this.readChunk(group, event, 1);
    const L = chunk.recordLength;
    return Array.from({length: chunk.nChannels}, (_, c) => chunk.samples.slice(c * L, (c + 1) * L));
  }

  /** A numeric dataset of the file (e.g. `stdevent/event`), with its shape. */
  readArray(path: string): {shape: number[]; values: Float64Array} {
    const obj = this.h5.get(path);
    if (!obj || !("shape" in obj)) this.fail("dataset not found", path);
    const ds = obj as H5Dataset;
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
    this.h5.close();
  }
}

function firstNonFinite(x: Float32Array): number {
  for (let i = 0; i < x.length; ++i) {
    // x - x is NaN exactly for NaN and ±Infinity; one compare per sample keeps this cheap.
    if (x[i] - x[i] !== 0) return i;
  }
  return -1;
}

function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; ++i; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/**
 * Opens an h5wasm file (`fileBytes` long) and validates its layout, turning HDF5's errors into
 * DataFileError: whatever the library throws while the layout is read means the file is damaged.
 */
export function openH5(h5wasm: H5Module, path: string, file: string, fileBytes: number): CaitFile {
  let h5: H5File;
  try {
    h5 = quietly(() => new h5wasm.File(path, "r"));
  } catch (e) {
    throw new DataFileError(file, `HDF5 library could not open the file (${e instanceof Hdf5Error ? e.problem : (e as Error).message})`);
  }
  try {
    return new CaitFile(h5, file, fileBytes);
  } catch (e) {
    h5.close();
    if (e instanceof DataFileError) throw e;
    // h5wasm's own messages ("error - name not defined!", "Dyn casting error") say nothing to a user.
    throw new DataFileError(file, `truncated or corrupt file: HDF5 cannot read its layout (${e instanceof Hdf5Error ? e.problem : (e as Error).message})`);
  }
}
