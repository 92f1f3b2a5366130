// The `.rdt` record stream of the CRESST/COSINUS DAQ (docs/data-format.md): fixed-size records, one
// per channel and trigger, channels interleaved record by record. Each record is a header
//   int32 detector_nmbr, coincide_pulses, trig_count, trig_delay, abs_time_s, abs_time_mus,
//         [delay_ch_tp: only with 7 integers in the header],
//   uint32 time_low, time_high, qcd_events,
//   float32 hours, dead_time, test_pulse_amplitude, dac_output, dvm × n,
// followed by `recordLength` int16 samples (little endian). Pure functions over bytes; the file
// access lives in data-loaders/convert.ts.

import {DataFileError} from "./errors.js";
import type {RecordGroup} from "../types.js";

export interface RdtLayout {
  recordLength: number;
  /** 6 or 7 (7 adds delay_ch_tp), from the .par file. */
  intsInHeader: number;
  dvmChannels: number;
}

export interface RdtHeader {
  detector: number;
  coincidePulses: number;
  trigCount: number;
  trigDelay: number;
  absTime_s: number;
  absTime_us: number;
  timeLow: number;
  timeHigh: number;
  qcdEvents: number;
  hours: number;
  deadTime: number;
  testpulseAmplitude: number;
  dacOutput: number;
}

export function rdtHeaderBytes(layout: RdtLayout): number {
  return 4 * layout.intsInHeader + 4 * 3 + 4 * 4 + 4 * layout.dvmChannels;
}

export function rdtRecordBytes(layout: RdtLayout): number {
  return rdtHeaderBytes(layout) + 2 * layout.recordLength;
}

/**
 * The record layout a `.par` declares, checked against the `.rdt`'s size before anything is
 * allocated: one record must fit in the file (a damaged .par may declare 10⁹ DVM channels).
 */
export function checkRdtLayoutFits(layout: RdtLayout, rdtSize: number, parFile: string, rdtFile: string): void {
  const rb = rdtRecordBytes(layout);
  if (rdtSize > 0 && rb > rdtSize) {
    throw new DataFileError(parFile, `declares records of ${rb} B (${layout.recordLength} samples, a ${rdtHeaderBytes(layout)} B header with ` +
      `${layout.dvmChannels} DVM channels), but ${rdtFile} holds only ${rdtSize} B: not the .par of this .rdt, or a damaged one`);
  }
}

/** Decodes the header of the record starting at `offset` of `view`. */
export function readRdtHeader(view: DataView, offset: number, layout: RdtLayout): RdtHeader {
  const i = (k: number) => view.getInt32(offset + 4 * k, true);
  const u = offset + 4 * layout.intsInHeader;
  const r = u + 12;
  return {
    detector: i(0), coincidePulses: i(1), trigCount: i(2), trigDelay: i(3), absTime_s: i(4), absTime_us: i(5),
    timeLow: view.getUint32(u, true), timeHigh: view.getUint32(u + 4, true), qcdEvents: view.getUint32(u + 8, true),
    hours: view.getFloat32(r, true), deadTime: view.getFloat32(r + 4, true),
    testpulseAmplitude: view.getFloat32(r + 8, true), dacOutput: view.getFloat32(r + 12, true)
  };
}

/**
 * Whether a header looks like one (a small non-negative detector number, finite non-negative
 * hours, finite TPA). Reading at a wrong record size lands in sample data, whose int16 pairs
 * make detector numbers in the millions or hours that are NaN or absurd.
 */
export function plausibleHeader(h: RdtHeader): boolean {
  return Number.isInteger(h.detector) && h.detector >= 0 && h.detector < 4096 &&
    Number.isFinite(h.hours) && h.hours >= 0 && h.hours < 1e6 &&
    Number.isFinite(h.testpulseAmplitude) && Math.abs(h.testpulseAmplitude) < 1e6;
}

/** cait's ADC conversion (±10 V over 16 bits): V = −10 + (x + 32768)·20/65536, exact in float32. */
export function adcToVolts(x: number): number {
  return -10 + ((x + 32768) * 20) / 65536;
}

/** Converts `count` little-endian int16 samples at `byteOffset` of `view` to volts in `out` from `outOffset`. */
export function samplesToVolts(view: DataView, byteOffset: number, count: number, out: Float32Array, outOffset = 0): void {
  const at = view.byteOffset + byteOffset;
  if (LITTLE_ENDIAN && at % 2 === 0) {
    // Fast path without a DataView call per sample: −10 + (x + 32768)·20/65536 = x·20/65536 exactly.
    const x = new Int16Array(view.buffer, at, count);
    for (let k = 0; k < count; k++) out[outOffset + k] = x[k] * VOLTS_PER_ADC;
    return;
  }
  for (let k = 0; k < count; k++) out[outOffset + k] = adcToVolts(view.getInt16(byteOffset + 2 * k, true));
}

const VOLTS_PER_ADC = 20 / 65536;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** cait's split by test-pulse amplitude: 0 particle events, −1 noise (empty baselines), > 0 test pulses. */
export function groupOfTpa(tpa: number): RecordGroup | undefined {
  if (tpa === 0) return "events";
  if (tpa === -1) return "noise";
  if (tpa > 0) return "testpulses";
  return undefined;
}

/**
 * Groups records into events: an event is `channels.length` consecutive records whose detector
 * numbers are channels[0], channels[1], … (cait's "good" indices). Records of channels not asked
 * for are passed over. A record of a requested channel that is not part of such a run means the
 * interleaving lacks a channel: an error naming the record (cait would drop it silently).
 * Returns the index of the first record of every event.
 */
export function groupRecords(detectors: ArrayLike<number>, channels: readonly number[], file: string): Int32Array {
  const n = detectors.length, C = channels.length;
  if (C === 0) throw new DataFileError(file, "no channels requested");
  if (new Set(channels).size !== C) throw new DataFileError(file, `channel list ${channels.join(",")} repeats a channel`);
  const wanted = new Set(channels);
  const firsts: number[] = [];
  let i = 0;
  while (i < n) {
    const d = detectors[i];
    if (!wanted.has(d)) {
      i++;
      continue;
    }
    if (d !== channels[0]) {
      throw new DataFileError(file, `channels missing from the interleaving: record ${i} is channel ${d} but is not preceded by channel ${channels[0]} ` +
        `(expected records of channels ${channels.join(", ")} in turn)`);
    }
    for (let k = 1; k < C; k++) {
      if (i + k >= n) {
        throw new DataFileError(file, `channels missing from the interleaving: the file ends after record ${i + k - 1} (channel ${channels[k - 1]}), expected a record of channel ${channels[k]}`);
      }
      if (detectors[i + k] !== channels[k]) {
        throw new DataFileError(file, `channels missing from the interleaving: record ${i + k} is channel ${detectors[i + k]}, expected channel ${channels[k]} ` +
          `after channel ${channels[k - 1]} (record ${i + k - 1})`);
      }
    }
    firsts.push(i);
    i += C;
  }
  if (firsts.length === 0) {
    const present = [...new Set(Array.from(detectors))].sort((a, b) => a - b);
    throw new DataFileError(file, `no records of channels ${channels.join(", ")} (the file has channels ${present.join(", ") || "none"})`);
  }
  return Int32Array.from(firsts);
}

/** Record lengths tried when the declared one does not fit the file (powers of two, 2^8 … 2^20). */
const CANDIDATE_LENGTHS = Array.from({length: 13}, (_, k) => 2 ** (k + 8));

/**
 * Checks that a file of `size` bytes is a whole number of records of `layout`, and that the
 * second record's header (`probe(offset)` decodes one) is plausible. Tells a record length that
 * does not match the .par (another power-of-two length fits the file) from a truncated file.
 */
export function checkRecordStructure(size: number, layout: RdtLayout, probe: (offset: number, layout: RdtLayout) => RdtHeader | undefined, file: string): number {
  const rb = rdtRecordBytes(layout);
  if (size === 0) throw new DataFileError(file, "is empty");
  const whole = size % rb === 0;
  const secondOk = size <= rb || (() => {
    const h = probe(rb, layout);
    return h !== undefined && plausibleHeader(h);
  })();
  if (whole && secondOk && plausibleHeader(probe(0, layout) ?? ({} as RdtHeader))) return size / rb;
  for (const L of CANDIDATE_LENGTHS) {
    if (L === layout.recordLength) continue;
    const alt = {...layout, recordLength: L};
    const ab = rdtRecordBytes(alt);
    if (size % ab !== 0 || size < 2 * ab) continue;
    const h0 = probe(0, alt), h1 = probe(ab, alt);
    if (h0 && h1 && plausibleHeader(h0) && plausibleHeader(h1)) {
      throw new DataFileError(file, `record length does not match the header: the .par says ${layout.recordLength} samples (${rb} B records) ` +
        `but the file holds records of ${L} samples (${ab} B)`);
    }
  }
  if (!whole) {
    const n = Math.floor(size / rb);
    throw new DataFileError(file, `truncated record: the file ends ${size - n * rb} B into record ${n} (records are ${rb} B: ${layout.recordLength} samples + ${rdtHeaderBytes(layout)} B header)`);
  }
  throw new DataFileError(file, `record ${secondOk ? 0 : 1} has no valid header at the record size ${rb} B given by the .par (record length ${layout.recordLength}, ` +
    `${layout.intsInHeader} integers, ${layout.dvmChannels} DVM channels): the record length does not match the header, or the file is corrupt`);
}
