// The `.par` text header that the CRESST/COSINUS DAQ writes next to every `.rdt` file:
// "Key : value" lines (docs/data-format.md). It tells how the binary records are laid out (record
// length, integers/unsigned longs/reals in each record header, DVM channels) and the run's
// timing. `parsePar` turns it into that layout plus cait's `metainfo` datasets (same names and
// dtypes as cait's `include_metainfo`, so converted files match cait's).

import {DataFileError} from "./errors.js";

/** Header layouts we can read: the integer fields of a record header (cait: 7 adds `delay_ch_tp`). */
export const SUPPORTED_INTS_IN_HEADER = [6, 7] as const;
export const SUPPORTED_UNSIGNED_LONGS_IN_HEADER = 3;
export const SUPPORTED_REALS_IN_HEADER = 4;

/** A value of cait's `metainfo` group: int64 or float64 scalar. */
export interface MetaValue {
  value: number;
  dtype: "<q" | "<d";
}

export interface ParInfo {
  /** First line, e.g. "CRESST Version 1.x" (empty when the file has none). */
  version: string;
  recordLength: number;
  intsInHeader: number;
  unsignedLongsInHeader: number;
  realsInHeader: number;
  dvmChannels: number;
  timeBase_us: number;
  sampleFrequency_Hz: number;
  /** cait's `metainfo/<key>` datasets. */
  metainfo: {[key: string]: MetaValue};
  /** Every "key : value" line, key with whitespace collapsed. */
  fields: {[key: string]: string};
}

/** .par key (whitespace collapsed) → cait metainfo name and dtype. */
const KEYS: {[parKey: string]: [string, "<q" | "<d"]} = {
  "Timeofday at start [s]": ["start_s", "<q"],
  "Timeofday at start [us]": ["start_mus", "<q"],
  "Timeofday at stop [s]": ["stop_s", "<q"],
  "Timeofday at stop [us]": ["stop_mus", "<q"],
  "Measuring time [h]": ["runtime", "<d"],
  "Integers in header": ["ints_in_header", "<q"],
  "Unsigned longs in header": ["unsgn_longs_in_header", "<q"],
  "Reals in header": ["reals_in_header", "<q"],
  "DVM channels": ["dvm_channels", "<q"],
  "Record length": ["record_length", "<q"],
  "Records written": ["records_written", "<q"],
  "First DVM channel": ["first_dvm_channel", "<q"],
  "Pre trigger": ["pre_trigger", "<q"],
  "Time base [us]": ["time_base_mus", "<q"],
  "Trigger mode": ["trigger_mode", "<q"]
};

/** Parses the text of a `.par` file; `file` names it in errors. */
export function parsePar(text: string, file: string): ParInfo {
  const lines = text.split(/\r?\n/);
  const version = /version/i.test(lines[0] ?? "") ? lines[0].trim() : "";
  // "CRESST Version 1.x": records of major version 1 are what cait (and this reader) know.
  const major = /version\s+(\d+)/i.exec(version)?.[1];
  if (major !== undefined && major !== "1") throw new DataFileError(file, `unknown header version "${version}" (supported: version 1.x)`);
  const fields: {[key: string]: string} = {};
  for (const line of lines) {
    const at = line.indexOf(":");
    if (at < 0) continue;
    const key = line.slice(0, at).replace(/\s+/g, " ").replace(/\s*\[/g, " [").trim();
    fields[key] = line.slice(at + 1).trim();
  }
  const metainfo: {[key: string]: MetaValue} = {};
  for (const [parKey, [name, dtype]] of Object.entries(KEYS)) {
    const raw = fields[parKey];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value) || (dtype === "<q" && !Number.isInteger(value))) {
      throw new DataFileError(file, `"${parKey}" is not ${dtype === "<q" ? "an integer" : "a number"}: "${raw}"`);
    }
    metainfo[name] = {value, dtype};
  }
  const need = (name: string, parKey: string): number => {
    const v = metainfo[name]?.value;
    if (v === undefined) throw new DataFileError(file, `missing "${parKey}"`);
    return v;
  };
  const recordLength = need("record_length", "Record length");
  if (!(recordLength > 0)) throw new DataFileError(file, `record length must be positive, found ${recordLength}`);
  const intsInHeader = need("ints_in_header", "Integers in header");
  const unsignedLongsInHeader = metainfo.unsgn_longs_in_header?.value ?? SUPPORTED_UNSIGNED_LONGS_IN_HEADER;
  const realsInHeader = metainfo.reals_in_header?.value ?? SUPPORTED_REALS_IN_HEADER;
  checkHeaderVersion(intsInHeader, unsignedLongsInHeader, realsInHeader, file);
  const dvmChannels = metainfo.dvm_channels?.value ?? 0;
  if (!(dvmChannels >= 0)) throw new DataFileError(file, `DVM channels must be ≥ 0, found ${dvmChannels}`);
  const timeBase_us = need("time_base_mus", "Time base [us]");
  if (!(timeBase_us > 0)) throw new DataFileError(file, `time base must be positive, found ${timeBase_us} µs`);
  const sampleFrequency_Hz = 1e6 / timeBase_us;
  metainfo.sample_frequency = {value: sampleFrequency_Hz, dtype: Number.isInteger(sampleFrequency_Hz) ? "<q" : "<d"};
  return {version, recordLength, intsInHeader, unsignedLongsInHeader, realsInHeader, dvmChannels, timeBase_us, sampleFrequency_Hz, metainfo, fields};
}

/** The record-header layouts this reader knows (as cait reads them); anything else is an error. */
export function checkHeaderVersion(ints: number, unsignedLongs: number, reals: number, file: string): void {
  if (!(SUPPORTED_INTS_IN_HEADER as readonly number[]).includes(ints) || unsignedLongs !== SUPPORTED_UNSIGNED_LONGS_IN_HEADER || reals !== SUPPORTED_REALS_IN_HEADER) {
    throw new DataFileError(file, `unknown header version: ${ints} integers, ${unsignedLongs} unsigned longs, ${reals} reals in each record header ` +
      `(supported: ${SUPPORTED_INTS_IN_HEADER.join(" or ")} integers, ${SUPPORTED_UNSIGNED_LONGS_IN_HEADER} unsigned longs, ${SUPPORTED_REALS_IN_HEADER} reals)`);
  }
}
