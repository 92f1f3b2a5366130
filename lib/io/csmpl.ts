// Continuous streams of the CRESST DAQ (docs/data-format.md): `<run>_Ch<c>.csmpl` is raw little-endian
// int16 samples (±10 V over 16 bits, as `.rdt`), with `<run>.dig_stamps` (uint64 stamp, uint32,
// uint32 per entry) and `<run>.test_stamps` (uint64 stamp, float32 TPA, uint32 channel), stamps
// in ticks of the DAQ's 10 MHz clock, and `<run>.db` (SQLite: DAQINFO, FILELIST; see csmplDb.ts).
// Pure functions over bytes; files are read at the edges (data-loaders/streamTrigger.ts).

import {DataFileError} from "./errors.js";
import {adcToVolts} from "./rdt.js";
import type {BlockSource} from "../types.js";

export const STAMP_BYTES = 16;
export const CLOCK_HZ = 1e7;

/** Samples in a `.csmpl` file of `size` bytes; an odd size means a truncated sample. */
export function csmplSamples(size: number, file: string): number {
  if (size === 0) throw new DataFileError(file, "is empty");
  if (size % 2 !== 0) throw new DataFileError(file, `truncated sample: ${size} B is not a whole number of int16 samples`);
  return size / 2;
}

/**
 * A block source of volts over a stream of `length` int16 samples, read through
 * `readAt(bytes, byteOffset)` (fills `bytes` from the file). Samples outside the stream repeat the
 * first/last sample (as `arraySource`), so filters see no step at the ends.
 */
export function csmplSource(readAt: (bytes: Uint8Array, byteOffset: number) => void, length: number): BlockSource {
  let bytes = new Uint8Array(0);
  let edge: [number, number] | undefined;
  const ends = (): [number, number] => {
    if (!edge) {
      const b = new Uint8Array(2);
      readAt(b, 0);
      const first = adcToVolts(new DataView(b.buffer).getInt16(0, true));
      readAt(b, 2 * (length - 1));
      edge = [first, adcToVolts(new DataView(b.buffer).getInt16(0, true))];
    }
    return edge;
  };
  return (buf, start) => {
    const lo = Math.max(0, start), hi = Math.min(length, start + buf.length);
    if (lo > start || hi < start + buf.length) {
      const [first, last] = ends();
      for (let i = 0; i < lo - start && i < buf.length; i++) buf[i] = first;
      for (let i = Math.max(0, hi - start); i < buf.length; i++) buf[i] = last;
    }
    if (hi <= lo) return;
    const nb = 2 * (hi - lo);
    if (bytes.length < nb) bytes = new Uint8Array(nb);
    const view = bytes.subarray(0, nb);
    readAt(view, 2 * lo);
    const dv = new DataView(view.buffer, view.byteOffset, nb);
    for (let k = 0, o = lo - start; k < hi - lo; k++) buf[o + k] = adcToVolts(dv.getInt16(2 * k, true));
  };
}

function stampRecords(bytes: Uint8Array, file: string): {view: DataView; n: number} {
  if (bytes.length % STAMP_BYTES !== 0) {
    throw new DataFileError(file, `truncated record: ${bytes.length} B is not a whole number of ${STAMP_BYTES}-byte stamps`);
  }
  return {view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), n: bytes.length / STAMP_BYTES};
}

/** `.dig_stamps`: clock ticks of the digitiser's stamps. */
export function parseDigStamps(bytes: Uint8Array, file: string): Float64Array {
  const {view, n} = stampRecords(bytes, file);
  if (n === 0) throw new DataFileError(file, "holds no stamps");
  return Float64Array.from({length: n}, (_, i) => Number(view.getBigUint64(i * STAMP_BYTES, true)));
}

export interface TestStamps {
  /** Clock ticks. */
  stamp: Float64Array;
  /** Test-pulse amplitude (0: none, −1: noise trigger, > 10: control pulse). */
  tpa: Float64Array;
  channel: Int32Array;
}

/** `.test_stamps`: one entry per test-pulse (or noise/control) stamp. */
export function parseTestStamps(bytes: Uint8Array, file: string): TestStamps {
  const {view, n} = stampRecords(bytes, file);
  const out: TestStamps = {stamp: new Float64Array(n), tpa: new Float64Array(n), channel: new Int32Array(n)};
  for (let i = 0; i < n; i++) {
    const o = i * STAMP_BYTES;
    out.stamp[i] = Number(view.getBigUint64(o, true));
    out.tpa[i] = view.getFloat32(o + 8, true);
    out.channel[i] = view.getUint32(o + 12, true);
  }
  return out;
}

/**
 * Clock tick of stream sample 0: the first digitiser stamp lies TRIGGERDELAY/SAMPLESDIV samples
 * after the stream's start (DAQINFO of the `.db`). On the reference streams this equals
 * 2·d₀ − d₁ (consecutive dig stamps are that delay apart) and puts every test stamp exactly on
 * its pulse slot (test/streamTrigger.test.ts).
 */
export function streamStartTick(digStamps: ArrayLike<number>, triggerDelay: number, samplesDiv: number, sampleFrequency_Hz: number): number {
  return digStamps[0] - (triggerDelay / samplesDiv) * (CLOCK_HZ / sampleFrequency_Hz);
}
