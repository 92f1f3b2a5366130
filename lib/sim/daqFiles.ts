// Writers of the CRESST/COSINUS DAQ's raw files, the inverses of lib/io's readers (rdt.ts,
// par.ts, con.ts, csmpl.ts, csmplDb.ts; formats in docs/data-format.md): pure functions that
// return the bytes of a file, so that a simulated run can be written as the DAQ would have
// written it and then go through the same conversion and trigger as a real one.
//
//   .par         text header: "Key : value" lines (record structure, timing)
//   .rdt         records: header (ints, unsigned longs, reals, DVM values) + int16 samples, little endian
//   .con         12-byte file header, then 24 B per channel and control pulse
//   _Ch<c>.csmpl continuous int16 samples
//   .dig_stamps, .test_stamps   16 B stamps (uint64 clock tick, …)
//   .db          SQLite: DAQINFO (trigger delay), FILELIST (streams)

import initSqlJs, {type SqlJsStatic} from "sql.js";
import {CON_FILE_HEADER_BYTES, CON_RECORD_BYTES} from "../io/con.js";
import type {CsmplDb} from "../io/csmplDb.js";
import {STAMP_BYTES, type TestStamps} from "../io/csmpl.js";
import {SUPPORTED_INTS_IN_HEADER} from "../io/par.js";
import {rdtHeaderBytes, rdtRecordBytes, type RdtHeader, type RdtLayout} from "../io/rdt.js";

/** The DAQ's 10 MHz clock, in which stamps and `.con` times count. */
export const DAQ_CLOCK_HZ = 1e7;

/**
 * Volts → int16 ADC value, the inverse of `adcToVolts` (±10 V over 16 bits): the nearest code,
 * clipped to the range as the digitiser clips. Exact on every value `adcToVolts` returns.
 */
export function voltsToAdc(v: number): number {
  if (Number.isNaN(v)) throw new RangeError("voltsToAdc: NaN");
  return Math.max(-32768, Math.min(32767, Math.round((v * 65536) / 20)));
}

/** Volts → int16 samples (see voltsToAdc). */
export function voltsToAdcSamples(volts: ArrayLike<number>): Int16Array {
  const out = new Int16Array(volts.length);
  for (let i = 0; i < volts.length; i++) out[i] = voltsToAdc(volts[i]);
  return out;
}

/** "YYYY-MM-DD hh:mm:ss" (UTC) of a Unix time, the DAQ's date format. */
export function daqDate(unix_s: number): string {
  return new Date(unix_s * 1000).toISOString().slice(0, 19).replace("T", " ");
}

export interface ParSpec {
  /** Unix time of the run's start and its length. */
  start_s: number;
  duration_s: number;
  recordLength: number;
  /** Must make a whole number of µs per sample (the .par stores the time base in µs). */
  sampleFrequency_Hz: number;
  /** Triggers written (records per channel). */
  recordsWritten: number;
  /** 6 or 7 (7 adds delay_ch_tp). Default 7. */
  intsInHeader?: number;
  dvmChannels?: number;
  /** Digitiser settings as the DAQ records them (no effect on reading). */
  preTrigger?: number;
  triggerMode?: number;
}

/** The `.par` text header (parsePar reads it back). */
export function writePar(spec: ParSpec): Uint8Array {
  const timeBase_us = 1e6 / spec.sampleFrequency_Hz;
  if (!Number.isInteger(timeBase_us)) throw new RangeError(`writePar: ${spec.sampleFrequency_Hz} Hz is not a whole number of µs per sample`);
  const ints = spec.intsInHeader ?? 7;
  if (!(SUPPORTED_INTS_IN_HEADER as readonly number[]).includes(ints)) throw new RangeError(`writePar: ${ints} integers in the header (supported: ${SUPPORTED_INTS_IN_HEADER.join(", ")})`);
  const stop = spec.start_s + spec.duration_s;
  const line = (key: string, value: string | number) => `${key.padEnd(31)}: ${value}`;
  const text = [
    "CRESST Version 1.x",
    `Timeofday at start  [s]: ${Math.floor(spec.start_s)}`,
    `Timeofday at start [us]: ${Math.round((spec.start_s % 1) * 1e6)}`,
    `Timeofday at stop   [s]: ${Math.floor(stop)}`,
    `Timeofday at stop  [us]: ${Math.round((stop % 1) * 1e6)}`,
    `Start writing to file : ${daqDate(spec.start_s)}`,
    `Stop writing to file  : ${daqDate(stop)}`,
    `Measuring time    [h] : ${spec.duration_s / 3600}`,
    "",
    "********************** Record Structure *********************",
    line("Integers in header", ints),
    line("Unsigned longs in header", 3),
    line("Reals in header", 4),
    line("DVM channels", spec.dvmChannels ?? 0),
    line("Record length", spec.recordLength),
    line("Records written", spec.recordsWritten),
    line("First DVM channel", 0),
    "",
    "**********************  Digitizer Setting *******************",
    line("Pre trigger", spec.preTrigger ?? 2),
    line("Time base [us]", timeBase_us),
    line("Trigger mode", spec.triggerMode ?? 5),
    ""
  ].join("\n");
  return new TextEncoder().encode(text);
}

export interface RdtRecord {
  header: RdtHeader;
  /** `layout.recordLength` int16 samples. */
  samples: Int16Array;
}

/** `.rdt` bytes: the records in the given order (the DAQ interleaves channels record by record). */
export function writeRdt(records: readonly RdtRecord[], layout: RdtLayout): Uint8Array {
  const rb = rdtRecordBytes(layout), hb = rdtHeaderBytes(layout);
  const bytes = new Uint8Array(records.length * rb);
  const view = new DataView(bytes.buffer);
  records.forEach(({header: h, samples}, r) => {
    if (samples.length !== layout.recordLength) throw new RangeError(`writeRdt: record ${r} has ${samples.length} samples, the layout says ${layout.recordLength}`);
    const o = r * rb;
    const ints = [h.detector, h.coincidePulses, h.trigCount, h.trigDelay, h.absTime_s, h.absTime_us];
    ints.forEach((v, k) => view.setInt32(o + 4 * k, v, true)); // a 7th integer (delay_ch_tp) stays 0
    const u = o + 4 * layout.intsInHeader;
    view.setUint32(u, h.timeLow, true);
    view.setUint32(u + 4, h.timeHigh, true);
    view.setUint32(u + 8, h.qcdEvents, true);
    const f = u + 12;
    view.setFloat32(f, h.hours, true);
    view.setFloat32(f + 4, h.deadTime, true);
    view.setFloat32(f + 8, h.testpulseAmplitude, true);
    view.setFloat32(f + 12, h.dacOutput, true); // DVM values (if any) stay 0
    new Int16Array(bytes.buffer, o + hb, layout.recordLength).set(samples);
  });
  return bytes;
}

/** A clock tick as the uint64 the DAQ stores (a non-negative integer, exact as a double). */
function clockTick(tick: number): bigint {
  if (!(Number.isSafeInteger(tick) && tick >= 0)) throw new RangeError(`${tick} is not a clock tick (a non-negative integer)`);
  return BigInt(tick);
}

/** A clock tick as the (low, high) uint32 pair of the DAQ's 64-bit time. */
export function tickWords(tick: number): {low: number; high: number} {
  clockTick(tick);
  return {low: tick % 2 ** 32, high: Math.floor(tick / 2 ** 32)};
}

export interface ControlPulseRecord {
  detector: number;
  pulseHeight_V: number;
  /** 10 MHz clock tick since the start of the run. */
  tick: number;
}

/** `.con` bytes: an empty 12-byte file header, then one 24 B record per channel and control pulse. */
export function writeCon(records: readonly ControlPulseRecord[]): Uint8Array {
  const bytes = new Uint8Array(CON_FILE_HEADER_BYTES + records.length * CON_RECORD_BYTES);
  const view = new DataView(bytes.buffer);
  records.forEach((r, i) => {
    const o = CON_FILE_HEADER_BYTES + i * CON_RECORD_BYTES;
    const {low, high} = tickWords(r.tick);
    view.setInt32(o, r.detector, true);
    view.setFloat32(o + 4, r.pulseHeight_V, true);
    view.setUint32(o + 8, low, true);
    view.setUint32(o + 12, high, true);
  });
  return bytes;
}

/** `.csmpl` bytes: the int16 samples, little endian. */
export function writeCsmpl(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(2 * samples.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(2 * i, samples[i], true);
  return bytes;
}

/** `.dig_stamps` bytes: the digitiser's stamps (clock ticks). */
export function writeDigStamps(ticks: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(ticks.length * STAMP_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < ticks.length; i++) view.setBigUint64(i * STAMP_BYTES, clockTick(ticks[i]), true);
  return bytes;
}

/** `.test_stamps` bytes: per stamp the clock tick, the test-pulse amplitude and the channel. */
export function writeTestStamps(stamps: TestStamps): Uint8Array {
  const n = stamps.stamp.length;
  if (stamps.tpa.length !== n || stamps.channel.length !== n) throw new RangeError("writeTestStamps: stamp, tpa and channel differ in length");
  const bytes = new Uint8Array(n * STAMP_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    view.setBigUint64(i * STAMP_BYTES, clockTick(stamps.stamp[i]), true);
    view.setFloat32(i * STAMP_BYTES + 8, stamps.tpa[i], true);
    view.setUint32(i * STAMP_BYTES + 12, stamps.channel[i], true);
  }
  return bytes;
}

let sql: Promise<SqlJsStatic> | undefined;

/** The run's `.db` (SQLite, as the DAQ lays it out): DAQINFO of module `module`, FILELIST of the streams. */
export async function writeCsmplDb(db: CsmplDb, module = "mod1"): Promise<Uint8Array> {
  const SQL = await (sql ??= initSqlJs());
  const d = new SQL.Database();
  try {
    d.run("CREATE TABLE DAQINFO (MOD text PRIMARY KEY, TRIGGERDELAY integer, SAMPLESDIV integer)");
    d.run("CREATE TABLE FILELIST (CH integer, FILENAME text PRIMARY KEY, TYPE integer, LABEL text, CREATED text)");
    d.run("INSERT INTO DAQINFO VALUES (?, ?, ?)", [module, db.triggerDelay, db.samplesDiv]);
    for (const f of db.files) d.run("INSERT INTO FILELIST VALUES (?, ?, ?, ?, ?)", [f.channel, f.fileName, f.type, f.label, f.created]);
    return d.export();
  } finally {
    d.close();
  }
}
