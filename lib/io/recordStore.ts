// The record store: the records of a run laid out so that a page reads one event with one HTTP
// Range request, whatever the size of the run (the alternative, h5wasm on ranges of the HDF5
// file, needs a worker and an LRU over emscripten's lazy file, and one event spans several
// HDF5 chunks: several requests per event). The loader writes it (data-loaders/recordStore.ts),
// the browser reads it (recordStoreClient.ts); this module is the format, pure.
//
// Layout (version 1), little-endian:
//   bytes 0–7   magic "PBRECORD"
//   bytes 8–11  uint32 format version
//   bytes 12–15 uint32 length H of the JSON header
//   16 … 16+H   JSON header (RecordStoreHeader), padded with spaces to a multiple of 8
//   per group   int32 kept event numbers, ascending (the RecordSample's events), padded to 8
//   per group   one block per kept event: channel 0's record, channel 1's … as float32
// Blocks have a fixed size (channels × recordLength × 4 bytes), so the byte range of the k-th
// kept event of a group is blocksOffset + k × blockBytes: the index is the kept event numbers.
//
// No compression: measured on the demo run (simulated noise + pulses, float32), deflate level 1
// (fflate) keeps 80 % of the bytes (level 6: 79.6 %) at 6 ms per event of 2 × 16384 samples to
// write, 20 min more on a 200,000-event run, and fixed offsets would be lost. Not worth it.

import {DataFileError} from "./errors.js";
import {describeSample, type RecordSample} from "./recordSample.js";
import type {EventChunk, RecordGroup, SignalUnit} from "../types.js";
import {RECORD_GROUPS} from "../types.js";

export const RECORD_STORE_MAGIC = "PBRECORD";
export const RECORD_STORE_VERSION = 1;
/** Bytes before the JSON header: magic, version, header length. */
export const RECORD_STORE_PRELUDE = 16;

export interface RecordStoreGroup {
  /** Events of the group in the run. */
  total: number;
  /** Events of the group in the store (the sample). */
  kept: number;
  /** Byte offset of the kept event numbers (int32 × kept). */
  eventsOffset: number;
  /** Byte offset of the first record block. */
  blocksOffset: number;
}

/** The store's JSON header: the writer's spec (below) plus what a reader needs to find and check blocks. */
export interface RecordStoreHeader extends Omit<RecordStoreSpec, "groups"> {
  format: "pulsebook-records";
  version: number;
  dtype: "float32";
  /** `describeSample(sample, total events)`, for the page. */
  sampleDescription: string;
  /** Bytes of one event block: channels × recordLength × 4. */
  blockBytes: number;
  /** Size of the whole store, to recognise a truncated one. */
  bytes: number;
  groups: {[G in RecordGroup]?: RecordStoreGroup};
}

export interface RecordStoreSpec {
  /** The run's file the records come from (its name, for messages). */
  source: string;
  channels: string[];
  unit: SignalUnit;
  recordLength: number;
  sampleFrequency_Hz: number;
  triggerIndex: number;
  sample: RecordSample;
  /** Per group present: events in the run and the kept ones (ascending). */
  groups: {[G in RecordGroup]?: {total: number; kept: Int32Array}};
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * The head of a store (prelude, JSON header, kept events of every group): the writer writes it,
 * then the blocks of each group in order, `header.groups[g].kept` of them.
 */
export function encodeRecordStoreHead(spec: RecordStoreSpec): {head: Uint8Array; header: RecordStoreHeader} {
  const blockBytes = spec.channels.length * spec.recordLength * 4;
  const present = RECORD_GROUPS.filter((g) => spec.groups[g]);
  for (const g of present) {
    const {total, kept} = spec.groups[g]!;
    for (let i = 0; i < kept.length; i++) {
      if (kept[i] < 0 || kept[i] >= total || (i > 0 && kept[i] <= kept[i - 1])) throw new RangeError(`record store: kept ${g} must be ascending event numbers in [0, ${total}), got ${kept[i]} at ${i}`);
    }
  }
  // The offsets live in the JSON whose length they depend on: lay out with a generous guess of
  // the JSON's length, then fix it (offsets only grow by their digits, so two passes settle).
  const build = (jsonBytes: number): RecordStoreHeader => {
    let at = RECORD_STORE_PRELUDE + pad8(jsonBytes);
    const groups: RecordStoreHeader["groups"] = {};
    for (const g of present) {
      const {total, kept} = spec.groups[g]!;
      groups[g] = {total, kept: kept.length, eventsOffset: at, blocksOffset: 0};
      at += pad8(4 * kept.length);
    }
    for (const g of present) {
      groups[g]!.blocksOffset = at;
      at += groups[g]!.kept * blockBytes;
    }
    const totalEvents = spec.groups.events?.total;
    return {
      format: "pulsebook-records",
      version: RECORD_STORE_VERSION,
      source: spec.source,
      channels: spec.channels,
      unit: spec.unit,
      recordLength: spec.recordLength,
      sampleFrequency_Hz: spec.sampleFrequency_Hz,
      triggerIndex: spec.triggerIndex,
      dtype: "float32",
      sample: spec.sample,
      sampleDescription: describeSample(spec.sample, totalEvents),
      blockBytes,
      bytes: at,
      groups
    };
  };
  let jsonBytes = 0;
  let header = build(jsonBytes);
  let json = new TextEncoder().encode(JSON.stringify(header));
  while (pad8(json.length) !== pad8(jsonBytes)) {
    jsonBytes = json.length;
    header = build(jsonBytes);
    json = new TextEncoder().encode(JSON.stringify(header));
  }
  const firstBlock = Math.min(...present.map((g) => header.groups[g]!.blocksOffset), header.bytes);
  const head = new Uint8Array(firstBlock);
  head.set(new TextEncoder().encode(RECORD_STORE_MAGIC), 0);
  const view = new DataView(head.buffer);
  view.setUint32(8, RECORD_STORE_VERSION, true);
  view.setUint32(12, pad8(json.length), true);
  head.fill(0x20, RECORD_STORE_PRELUDE, RECORD_STORE_PRELUDE + pad8(json.length));
  head.set(json, RECORD_STORE_PRELUDE);
  for (const g of present) {
    const kept = spec.groups[g]!.kept;
    const out = new DataView(head.buffer, header.groups[g]!.eventsOffset, 4 * kept.length);
    for (let i = 0; i < kept.length; i++) out.setInt32(4 * i, kept[i], true);
  }
  return {head, header};
}

/** Length of prelude + JSON header, from the first 16 bytes; checks the magic and version. */
export function recordStoreHeadLength(prelude: Uint8Array, name: string): number {
  if (prelude.length < RECORD_STORE_PRELUDE) throw new DataFileError(name, `not a Pulsebook record store: ${prelude.length} bytes, shorter than its 16-byte prelude (empty or truncated)`);
  const magic = String.fromCharCode(...prelude.subarray(0, 8));
  if (magic !== RECORD_STORE_MAGIC) throw new DataFileError(name, `not a Pulsebook record store: it starts with ${JSON.stringify(magic)}, not "${RECORD_STORE_MAGIC}"`);
  const view = new DataView(prelude.buffer, prelude.byteOffset, RECORD_STORE_PRELUDE);
  const version = view.getUint32(8, true);
  if (version !== RECORD_STORE_VERSION) throw new DataFileError(name, `record store format version ${version}, this Pulsebook reads version ${RECORD_STORE_VERSION} (rebuild the site to rewrite it)`);
  return RECORD_STORE_PRELUDE + view.getUint32(12, true);
}

/** The header of a store from its first `recordStoreHeadLength` bytes (or more). */
export function decodeRecordStoreHeader(bytes: Uint8Array, name: string): RecordStoreHeader {
  const length = recordStoreHeadLength(bytes, name);
  if (bytes.length < length) throw new DataFileError(name, `record store header is ${length - RECORD_STORE_PRELUDE} bytes, only ${bytes.length - RECORD_STORE_PRELUDE} present (truncated)`);
  let header: RecordStoreHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(RECORD_STORE_PRELUDE, length)));
  } catch (e) {
    throw new DataFileError(name, `record store header is not valid JSON (${(e as Error).message})`, undefined, {cause: e});
  }
  const bad = (what: string) => {
    throw new DataFileError(name, `record store header: ${what}`);
  };
  if (header?.format !== "pulsebook-records") bad(`format is ${JSON.stringify(header?.format)}, not "pulsebook-records"`);
  if (header.dtype !== "float32") bad(`dtype ${JSON.stringify(header.dtype)} is not float32`);
  if (!Array.isArray(header.channels) || header.channels.length < 1) bad("no channels");
  for (const key of ["recordLength", "sampleFrequency_Hz", "blockBytes", "bytes"] as const) {
    if (!(Number.isFinite(header[key]) && header[key] > 0)) bad(`${key} is ${header[key]}, not a positive number`);
  }
  if (header.blockBytes !== header.channels.length * header.recordLength * 4) bad(`blockBytes ${header.blockBytes} ≠ ${header.channels.length} channels × ${header.recordLength} samples × 4`);
  for (const [g, group] of Object.entries(header.groups ?? {})) {
    if (!RECORD_GROUPS.includes(g as RecordGroup)) bad(`unknown group "${g}"`);
    const end = group.blocksOffset + group.kept * header.blockBytes;
    if (!(group.kept >= 0 && group.kept <= group.total && group.eventsOffset >= length && end <= header.bytes)) bad(`group ${g} lies outside the store (${group.kept} of ${group.total} events, blocks end at byte ${end} of ${header.bytes})`);
  }
  return header;
}

/** The kept event numbers of a group, from the store's bytes [eventsOffset, eventsOffset + 4 × kept). */
export function decodeKeptEvents(bytes: Uint8Array, header: RecordStoreHeader, group: RecordGroup, name: string): Int32Array {
  const g = groupOf(header, group, name);
  if (bytes.length < 4 * g.kept) throw new DataFileError(name, `index of ${group}: ${4 * g.kept} bytes expected, ${bytes.length} read (truncated)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4 * g.kept);
  const kept = new Int32Array(g.kept);
  for (let i = 0; i < g.kept; i++) kept[i] = view.getInt32(4 * i, true);
  for (let i = 0; i < g.kept; i++) {
    if (kept[i] < 0 || kept[i] >= g.total || (i > 0 && kept[i] <= kept[i - 1])) throw new DataFileError(name, `index of ${group}: entry ${i} is event ${kept[i]}, not ascending within [0, ${g.total})`);
  }
  return kept;
}

/** Raised for an event the store does not carry: outside the run, or left out by the sample. */
export class EventNotInStoreError extends Error {
  constructor(readonly event: number, readonly group: RecordGroup, message: string) {
    super(message);
    this.name = "EventNotInStoreError";
  }
}

/** Byte range [start, end) of one event's block; throws EventNotInStoreError when not kept. */
export function eventBlockRange(header: RecordStoreHeader, kept: Int32Array, group: RecordGroup, event: number, name: string): {start: number; end: number} {
  const g = groupOf(header, group, name);
  if (!Number.isInteger(event) || event < 0 || event >= g.total) throw new EventNotInStoreError(event, group, `${name}: ${group} ${event} is not in the run (events 0–${g.total - 1})`);
  let lo = 0;
  let hi = kept.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (kept[mid] < event) lo = mid + 1;
    else hi = mid;
  }
  if (kept[lo] !== event) {
    throw new EventNotInStoreError(event, group, `${group} ${event} is not among the records published with this site (${header.sampleDescription}); run \`npm run dev\` for all of them${lo < kept.length ? `, or pick a published one such as ${lo > 0 ? `${kept[lo - 1]} or ` : ""}${kept[lo]}` : ""}`);
  }
  const start = g.blocksOffset + lo * header.blockBytes;
  return {start, end: start + header.blockBytes};
}

/** The records (one per channel) of one event block. */
export function decodeEventBlock(block: Uint8Array, header: RecordStoreHeader, name: string, event: number): Float32Array[] {
  if (block.length !== header.blockBytes) throw new DataFileError(name, `event ${event}: block of ${block.length} bytes, expected ${header.blockBytes} (truncated store or a server that ignored the range)`);
  const L = header.recordLength;
  const view = new DataView(block.buffer, block.byteOffset, block.length);
  return header.channels.map((_, c) => {
    const out = new Float32Array(L);
    for (let i = 0; i < L; i++) out[i] = view.getFloat32(4 * (c * L + i), true);
    return out;
  });
}

/**
 * The blocks of the kept events of one chunk, in event order, as bytes to append to the store.
 * `keep(event)` says whether the sample keeps an event.
 */
export function encodeChunkBlocks(chunk: EventChunk, keep: (event: number) => boolean): Uint8Array {
  const {count, nChannels, recordLength: L, samples} = chunk;
  const events: number[] = [];
  for (let i = 0; i < count; i++) if (keep(chunk.start + i)) events.push(i);
  const out = new Uint8Array(events.length * nChannels * L * 4);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const i of events) {
    for (let c = 0; c < nChannels; c++) {
      const record = samples.subarray((c * count + i) * L, (c * count + i + 1) * L);
      for (let s = 0; s < L; s++, at += 4) view.setFloat32(at, record[s], true);
    }
  }
  return out;
}

function groupOf(header: RecordStoreHeader, group: RecordGroup, name: string): RecordStoreGroup {
  const g = header.groups[group];
  if (!g) throw new DataFileError(name, `the record store holds no ${group} (it has ${Object.keys(header.groups).join(", ") || "no groups"})`);
  return g;
}
