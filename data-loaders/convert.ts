// `.rdt` (+ `.par`, `.con`) → cait-layout HDF5, as cait's raw conversion does it: records of the
// requested channels grouped into events, split by test-pulse amplitude into events /
// testpulses / noise, samples converted to volts, header times copied, `.par` into `metainfo`,
// `.con` into `controlpulses`. Two passes over the file: headers only (a few bytes per record),
// then the samples read sequentially in blocks and written in chunks of events, so memory is
// bounded by one read block plus one chunk per group, whatever the file size. The write is
// atomic (temporary sibling, renamed when complete).

import {closeSync, existsSync, openSync, readSync} from "node:fs";
import {basename, dirname, join} from "node:path";
import {createCaitFile} from "./io/node.js";
import {rdtCompanion} from "./runFiles.js";
import {DataFileError} from "../lib/io/errors.js";
import {parsePar, type ParInfo} from "../lib/io/par.js";
import {checkBudget} from "../lib/io/memoryBudget.js";
import {parseCon} from "../lib/io/con.js";
import {
  checkRdtLayoutFits, checkRecordStructure, groupOfTpa, groupRecords, plausibleHeader, rdtHeaderBytes, rdtRecordBytes, readRdtHeader, samplesToVolts,
  type RdtLayout
} from "../lib/io/rdt.js";
import {RECORD_GROUPS, type EventChunk, type RecordGroup} from "../lib/types.js";
import {fileIdentity, hdf5Provenance, moduleVersion, provenanceStamp, PULSEBOOK_VERSION} from "./provenance.js";
import {fileSize, readBytes} from "./io/readFile.js";

/** Version of the conversion (bump when the output of the same input would change). */
/** Version of the converted layout: the source of this converter (data-loaders/provenance.ts). */
export const conversionVersion = (): string => moduleVersion(import.meta.url);

export interface ConvertOptions {
  /** `.par` file; default: next to the `.rdt` with the same name. */
  par?: string;
  /** `.con` file; default: next to the `.rdt` when present; `null` skips control pulses. */
  con?: string | null;
  /** Detector numbers to convert, in output order (cait's `channels`). */
  channels: number[];
  /** Events per written chunk (memory ≈ 3 groups × chunkEvents × channels × recordLength × 4 B). */
  chunkEvents?: number;
  /** Bytes read from the .rdt per read call. */
  readBlockBytes?: number;
  onProgress?: (done: number, total: number) => void;
  command?: string;
}

export interface ConvertResult {
  out: string;
  counts: {[G in RecordGroup]: number};
  /** Events whose TPA is neither 0, −1 nor positive (not written; cait drops them too). */
  skippedEvents: number;
  records: number;
  controlPulses: number;
  recordLength: number;
}

/** cait's output name: `<run>-P_Ch<a>-L_Ch<b>.h5` for two channels, else `<run>-1_Ch<a>-2_Ch<b>….h5`. */
export function caitOutputName(rdt: string, channels: readonly number[]): string {
  const run = basename(rdt).replace(/\.rdt$/i, "");
  const tag = channels.length === 2 ? `P_Ch${channels[0]}-L_Ch${channels[1]}` : channels.map((c, i) => `${i + 1}_Ch${c}`).join("-");
  return join(dirname(rdt), `${run}-${tag}.h5`);
}

/** Bytes as Latin-1 text (Node's mapping: byte n → U+00nn, unlike TextDecoder's windows-1252). */
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");

/** Per-record header fields kept from the first pass (a few bytes per record). */
interface HeaderTable {
  detector: Int32Array;
  tpa: Float32Array;
  hours: Float32Array;
  time_s: Int32Array;
  time_us: Int32Array;
  dac: Float32Array;
}

function readHeaders(fd: number, file: string, n: number, layout: RdtLayout): HeaderTable {
  const rb = rdtRecordBytes(layout), hb = rdtHeaderBytes(layout);
  const t: HeaderTable = {
    detector: new Int32Array(n), tpa: new Float32Array(n), hours: new Float32Array(n),
    time_s: new Int32Array(n), time_us: new Int32Array(n), dac: new Float32Array(n)
  };
  const buf = Buffer.alloc(hb);
  const view = new DataView(buf.buffer, buf.byteOffset, hb);
  for (let r = 0; r < n; r++) {
    if (readSync(fd, buf, 0, hb, r * rb) !== hb) throw new DataFileError(file, `truncated record: cannot read the header of record ${r}`);
    const h = readRdtHeader(view, 0, layout);
    if (!plausibleHeader(h)) {
      throw new DataFileError(file, `record ${r} has no valid header (detector ${h.detector}, hours ${h.hours}, TPA ${h.testpulseAmplitude}): corrupt data or a record length that does not match the header`);
    }
    t.detector[r] = h.detector;
    t.tpa[r] = h.testpulseAmplitude;
    t.hours[r] = h.hours;
    t.time_s[r] = h.absTime_s;
    t.time_us[r] = h.absTime_us;
    t.dac[r] = h.dacOutput;
  }
  return t;
}

/** A chunk being filled for one group; flushed to the writer when full. */
class PendingChunk {
  count = 0;
  start = 0;
  readonly samples: Float32Array;
  readonly hours: Float64Array;
  readonly time_s: Int32Array;
  readonly time_mus: Int32Array;
  readonly dac: Float64Array;
  readonly tpa: Float64Array;
  constructor(readonly group: RecordGroup, readonly capacity: number, readonly nChannels: number, readonly L: number) {
    this.samples = new Float32Array(nChannels * capacity * L);
    this.hours = new Float64Array(capacity);
    this.time_s = new Int32Array(capacity);
    this.time_mus = new Int32Array(capacity);
    this.dac = new Float64Array(capacity);
    this.tpa = new Float64Array(capacity);
  }
  /** The filled part as an EventChunk (channel-major, compacted when not full). */
  take(): EventChunk {
    const {count, capacity, nChannels: C, L} = this;
    let samples = this.samples;
    if (count < capacity) {
      samples = new Float32Array(C * count * L);
      for (let c = 0; c < C; c++) samples.set(this.samples.subarray(c * capacity * L, (c * capacity + count) * L), c * count * L);
    }
    const chunk: EventChunk = {
      group: this.group, start: this.start, count, nChannels: C, recordLength: L, samples,
      hours: this.hours.slice(0, count), time_s: this.time_s.slice(0, count), time_mus: this.time_mus.slice(0, count),
      dacOutput: this.dac.slice(0, count)
    };
    if (this.group === "testpulses") chunk.testpulseAmplitude = this.tpa.slice(0, count);
    this.start += count;
    this.count = 0;
    return chunk;
  }
}

/** Converts `rdt` to the cait-layout HDF5 file `out` (see the file comment). */
export async function convertRdt(rdt: string, out: string, options: ConvertOptions): Promise<ConvertResult> {
  const {channels, chunkEvents = 64, readBlockBytes = 8 << 20, onProgress} = options;
  const parPath = options.par ?? rdtCompanion(rdt, ".par");
  if (!options.par && !existsSync(parPath)) throw new DataFileError(rdt, `no .par file next to it (${parPath}); pass --par`);
  const par: ParInfo = parsePar(latin1(readBytes(parPath, ".par file")), parPath);
  const layout: RdtLayout = {recordLength: par.recordLength, intsInHeader: par.intsInHeader, dvmChannels: par.dvmChannels};
  const conPath = options.con === null ? undefined : options.con ?? (existsSync(rdtCompanion(rdt, ".con")) ? rdtCompanion(rdt, ".con") : undefined);

  const size = fileSize(rdt);
  checkRdtLayoutFits(layout, size, parPath, rdt);
  // What conversion holds at once: a chunk per group (float32 records + per-event columns), the
  // read block, and a few bytes of header per record. Checked before any of it is allocated.
  const perRecordBytes = rdtRecordBytes(layout);
  const blockBytes = Math.max(channels.length * perRecordBytes, Math.floor(readBlockBytes / perRecordBytes) * perRecordBytes);
  checkBudget(parPath, `converting records of ${layout.recordLength} samples (${channels.length} channels, ${chunkEvents} events per chunk)`,
    3 * chunkEvents * (channels.length * layout.recordLength * 4 + 48) + blockBytes + 24 * Math.floor(size / perRecordBytes));
  const fd = openSync(rdt, "r");
  try {
    const probeBuf = Buffer.alloc(64 + 4 * layout.dvmChannels);
    const probe = (offset: number, l: RdtLayout) => {
      const hb = rdtHeaderBytes(l);
      if (offset + hb > size) return undefined;
      readSync(fd, probeBuf, 0, hb, offset);
      return readRdtHeader(new DataView(probeBuf.buffer, probeBuf.byteOffset, hb), 0, l);
    };
    const nRecords = checkRecordStructure(size, layout, probe, rdt);
    const head = readHeaders(fd, rdt, nRecords, layout);
    const firsts = groupRecords(head.detector, channels, rdt);
    const cps = conPath ? parseCon(readBytes(conPath, ".con file"), channels, conPath) : undefined;
    const groupOf: (RecordGroup | undefined)[] = Array.from(firsts, (r) => groupOfTpa(head.tpa[r]));
    const counts = {events: 0, testpulses: 0, noise: 0} as {[G in RecordGroup]: number};
    for (const g of groupOf) if (g) counts[g]++;
    const skippedEvents = groupOf.filter((g) => !g).length;
    const C = channels.length, L = layout.recordLength, rb = rdtRecordBytes(layout), hb = rdtHeaderBytes(layout);
    const total = firsts.length - skippedEvents;
    await createCaitFile(out, {
      layout: {sampleFrequency_Hz: par.sampleFrequency_Hz, recordLength: L, triggerIndex: Math.floor(L / 4)},
      channelNumbers: channels,
      groups: RECORD_GROUPS.filter((g) => counts[g] > 0).map((group) => ({group, count: counts[group], times: true, dacOutput: true})),
      metainfo: par.metainfo,
      attributes: {
        pulsebook_version: PULSEBOOK_VERSION,
        pulsebook_conversion: JSON.stringify({
          format_version: conversionVersion(), command: options.command ?? "convertRdt", channels,
          rdt: fileIdentity(rdt), par: fileIdentity(parPath), con: conPath ? fileIdentity(conPath) : null, skipped_events: skippedEvents
        }),
        ...hdf5Provenance(provenanceStamp({
          stages: {convert: conversionVersion()}, parameters: {channels},
          inputs: {rdt: fileIdentity(rdt), par: fileIdentity(parPath), con: conPath ? fileIdentity(conPath) : null}, command: options.command ?? "convertRdt"
        }))
      }
    }, (writer) => {
      if (cps) {
        writer.writeArray("controlpulses/hours", cps.hours, [cps.hours.length], "<d");
        writer.writeArray("controlpulses/pulse_height", cps.pulseHeight, [C, cps.hours.length], "<d");
      }
      const pending = new Map(RECORD_GROUPS.map((g) => [g, new PendingChunk(g, Math.min(chunkEvents, Math.max(1, counts[g])), C, L)]));
      const block = Buffer.alloc(Math.max(C * rb, Math.floor(readBlockBytes / rb) * rb));
      const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
      let blockStart = 0, blockEnd = 0; // file byte range held in `block`
      let done = 0;
      for (let e = 0; e < firsts.length; e++) {
        const g = groupOf[e];
        if (!g) continue;
        const r = firsts[e];
        const from = r * rb, to = (r + C) * rb;
        if (from < blockStart || to > blockEnd) {
          const want = Math.min(block.length, size - from);
          let got = 0;
          while (got < want) {
            const k = readSync(fd, block, got, want - got, from + got);
            if (k === 0) throw new DataFileError(rdt, `truncated record: file ended while reading record ${r}`);
            got += k;
          }
          blockStart = from;
          blockEnd = from + got;
        }
        const p = pending.get(g)!;
        const i = p.count;
        for (let c = 0; c < C; c++) samplesToVolts(view, from - blockStart + c * rb + hb, L, p.samples, (c * p.capacity + i) * L);
        p.hours[i] = head.hours[r];
        p.time_s[i] = head.time_s[r];
        p.time_mus[i] = head.time_us[r];
        p.dac[i] = head.dac[r];
        p.tpa[i] = head.tpa[r];
        p.count++;
        if (p.count === p.capacity) writer.write(p.take());
        onProgress?.(++done, total);
      }
      for (const p of pending.values()) if (p.count > 0) writer.write(p.take());
    });
    return {out, counts, skippedEvents, records: nRecords, controlPulses: cps?.hours.length ?? 0, recordLength: L};
  } finally {
    closeSync(fd);
  }
}
