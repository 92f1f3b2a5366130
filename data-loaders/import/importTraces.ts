// `pulsebook import`: traces of another tool (.npy, .npz, an HDF5 dataset, a text table) →
// cait-layout HDF5 with the metadata filled in. What neither the command line nor the input
// says is an error (the sample rate: every time axis depends on it) or announced once as a
// warning and left out of the file (unit, trigger index, channel names, the layout of the
// array), so that a reader never mistakes a guess for data. Written chunk by chunk into a
// temporary sibling renamed when complete (data-loaders/io/node.ts), so memory is one chunk
// and a killed import leaves no file that looks complete.
import {extname} from "node:path";
import {closeSync, openSync, readSync} from "node:fs";
import {DataFileError} from "../../lib/io/errors.js";
import {chunkEventsFor} from "../../lib/io/traceLayout.js";
import {CAIT_META, type TraceMeta} from "../../lib/io/caitMeta.js";
import {parseUnit, SIGNAL_UNITS} from "../../lib/math/units.js";
import {hdf5SignatureOffset, HDF5_HEADER_BYTES} from "../../lib/io/hdf5Signature.js";
import type {RecordGroup} from "../../lib/types.js";
import {createCaitFile} from "../io/node.js";
import {fileSize} from "../io/readFile.js";
import {fileIdentity, hdf5Provenance, moduleVersion, provenanceStamp} from "../provenance.js";
import type {TraceSource} from "./traceSource.js";

export const IMPORT_FORMATS = ["npy", "npz", "hdf5", "text"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Version of the imported layout: the source of this importer (data-loaders/provenance.ts). */
export const importVersion = (): string => moduleVersion(import.meta.url);

export interface ImportOptions {
  /** Default: from the extension (.npy, .npz, .h5/.hdf5, .csv/.tsv/.txt/.dat), else from the first bytes. */
  format?: ImportFormat;
  /** .npz: the array to import (default: the only one). */
  array?: string;
  /** HDF5: the dataset, or a group of event_N datasets. */
  dataset?: string;
  /** Stored axes in order, of e (event), c (channel), s (sample). */
  layout?: string;
  sampleFrequency_Hz?: number;
  /** Samples before the trigger. */
  pretrigger?: number;
  unit?: string;
  channelNames?: string[];
  /** The record group written (default events). */
  group?: RecordGroup;
  /** Events per chunk (default: about 4 MiB of float64 per chunk). */
  chunkEvents?: number;
  command?: string;
  /** Called once per assumption (default: console.error). */
  warn?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportResult {
  out: string;
  format: string;
  events: number;
  channels: number;
  recordLength: number;
  sampleFrequency_Hz: number;
  /** What was written into metainfo besides record_length and sample_frequency. */
  meta: TraceMeta;
  /** What was not known: announced, not written. */
  assumed: string[];
}

const EXTENSIONS: {[ext: string]: ImportFormat} = {
  ".npy": "npy", ".npz": "npz", ".h5": "hdf5", ".hdf5": "hdf5", ".hdf": "hdf5", ".he5": "hdf5",
  ".csv": "text", ".tsv": "text", ".txt": "text", ".dat": "text"
};

/** The format of `path`: by extension, else by its first bytes (text when no magic matches). */
export function detectFormat(path: string): ImportFormat {
  const byExt = EXTENSIONS[extname(path).toLowerCase()];
  if (byExt) return byExt;
  const size = fileSize(path);
  if (size === 0) throw new DataFileError(path, "empty file (0 bytes): no traces");
  const head = new Uint8Array(Math.min(size, HDF5_HEADER_BYTES));
  const fd = openSync(path, "r");
  try { readSync(fd, head, 0, head.length, 0); } finally { closeSync(fd); }
  if (head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === "NUMPY") return "npy";
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4) return "npz";
  if (hdf5SignatureOffset(head) >= 0) return "hdf5";
  return "text";
}

async function openSource(input: string, format: ImportFormat, o: ImportOptions & {out: string}): Promise<TraceSource> {
  switch (format) {
    case "npy": return (await import("./npySource.js")).openNpy({path: input, file: input, offset: 0, length: fileSize(input)}, {layout: o.layout});
    case "npz": return (await import("./npzSource.js")).openNpz(input, {array: o.array, layout: o.layout, out: o.out});
    case "hdf5": return (await import("./hdf5Source.js")).openHdf5(input, {dataset: o.dataset, layout: o.layout});
    case "text": return (await import("./textSource.js")).openText(input, {layout: o.layout});
  }
}

const AXIS_WORDS: {[a: string]: string} = {e: "event", c: "channel", s: "sample"};
const layoutWords = (layout: string) => [...layout].map((a) => AXIS_WORDS[a]).join(" × ");

/** The metadata to write, what was assumed (warned once each), or an error for what cannot be assumed. */
function resolveMeta(source: TraceSource, o: ImportOptions, warn: (m: string) => void): {fs: number; meta: TraceMeta; assumed: string[]} {
  const file = source.file;
  const {nChannels: C, recordLength: L} = source.shape;
  const assumed: string[] = [];
  const assume = (what: string, message: string) => {
    assumed.push(what);
    warn(`${file}: ${message}`);
  };
  if (source.layoutAssumed) {
    assume("layout", `no --layout given: read as ${source.layout} (${layoutWords(source.layout)}), ${source.shape.nEvents} events × ${C} channels × ${L} samples; pass --layout if the axes are in another order`);
  }
  const found = source.found;
  if (o.sampleFrequency_Hz !== undefined && found.sampleFrequency_Hz !== undefined && o.sampleFrequency_Hz !== found.sampleFrequency_Hz) {
    warn(`${file}: --fs ${o.sampleFrequency_Hz} Hz replaces the file's ${found.sampleFrequency_Hz} Hz`);
  }
  const fs = o.sampleFrequency_Hz ?? found.sampleFrequency_Hz;
  if (fs === undefined) throw new DataFileError(file, "no sample rate: the file does not say it; pass --fs HZ (every time and frequency depends on it)");
  if (!(fs > 0) || !Number.isFinite(fs)) throw new DataFileError(file, `sample rate ${fs} Hz is not a positive number`);
  const meta: TraceMeta = {};
  if (o.pretrigger !== undefined) {
    if (o.pretrigger >= L) throw new DataFileError(file, `--pretrigger ${o.pretrigger} is not inside the records of ${L} samples`);
    meta.pretriggerIndex = o.pretrigger;
  } else {
    assume("pretrigger", `no --pretrigger given: none written; readers take cait's record length / 4 = ${Math.floor(L / 4)} samples`);
  }
  const unit = o.unit ?? found.unit;
  if (unit !== undefined) {
    const known = parseUnit(unit);
    if (!known) throw new DataFileError(file, `unit ${JSON.stringify(unit)} is not one Pulsebook knows (${SIGNAL_UNITS.join(", ")}; also volts, amperes, counts)`);
    meta.unit = known;
  } else {
    assume("unit", "no --unit given: none written; readers take volts (cait's convention) — pass --unit V, A, ADC, …");
  }
  const names = o.channelNames ?? found.channelNames;
  if (names !== undefined) {
    if (names.length !== C) throw new DataFileError(file, `${names.length} channel name${names.length === 1 ? "" : "s"} (${names.join(", ")}) for ${C} channel${C === 1 ? "" : "s"}`);
    if (names.some((n) => n.trim() === "")) throw new DataFileError(file, `channel names must not be empty (got ${JSON.stringify(names)})`);
    meta.channelNames = names.map((n) => n.trim());
  } else {
    assume("channel names", `no --channel-names given: none written; readers name the ${C} channel${C === 1 ? "" : "s"} by number`);
  }
  return {fs, meta, assumed};
}

/** Imports the traces of `input` into the cait-layout file `out` (see the file comment). */
export async function importTraces(input: string, out: string, options: ImportOptions = {}): Promise<ImportResult> {
  const warn = options.warn ?? ((m: string) => console.error(`pulsebook: warning: ${m}`));
  const format = options.format ?? detectFormat(input);
  // An option of another format would be silently ignored: say so instead.
  if (options.array !== undefined && format !== "npz") throw new DataFileError(input, `--array picks an array of an .npz; this input is read as ${format}`);
  if (options.dataset !== undefined && format !== "hdf5") throw new DataFileError(input, `--dataset names an HDF5 dataset; this input is read as ${format}`);
  const source = await openSource(input, format, {...options, out});
  try {
    const {fs, meta, assumed} = resolveMeta(source, options, warn);
    const {nEvents: E, nChannels: C, recordLength: L} = source.shape;
    const group = options.group ?? "events";
    const K = Math.max(1, Math.min(E, options.chunkEvents ?? chunkEventsFor(source.shape)));
    const command = options.command ?? "importTraces";
    const inputs = {input: fileIdentity(input)};
    const parameters = {format, ...source.description, record_group: group, sample_frequency_Hz: fs, ...meta, assumed};
    const buffer = new Float32Array(C * K * L);
    await createCaitFile(out, {
      layout: {sampleFrequency_Hz: fs, recordLength: L, triggerIndex: meta.pretriggerIndex ?? Math.floor(L / 4)},
      channelNumbers: Array.from({length: C}, (_, c) => c),
      groups: [{group, count: E}],
      meta,
      attributes: {
        pulsebook_import: JSON.stringify({format_version: importVersion(), command, ...parameters, input: inputs.input, metainfo: CAIT_META}),
        ...hdf5Provenance(provenanceStamp({stages: {import: importVersion()}, parameters, inputs, command}))
      }
    }, (writer) => {
      for (let start = 0; start < E; start += K) {
        const count = Math.min(K, E - start);
        const samples = buffer.subarray(0, C * count * L);
        source.read(start, count, samples);
        // Imported traces carry no times: hours are NaN, as a reader gives for a file without them.
        writer.write({group, start, count, nChannels: C, recordLength: L, samples, hours: new Float64Array(count).fill(NaN)});
        options.onProgress?.(start + count, E);
      }
    });
    return {out, format, events: E, channels: C, recordLength: L, sampleFrequency_Hz: fs, meta, assumed};
  } finally {
    source.close();
  }
}
