// `pulsebook labels import LABELS IN.h5`: writes a label table (CSV or Parquet, lib/labels)
// into the file's `events/labels` dataset (channel × event, cait's layout) — atomically.
//
// HDF5 offers no transactions: a process killed while h5wasm rewrites a dataset in place can
// leave the file unreadable. So the file is copied to a temporary sibling (a reflink where the
// file system can), the labels are written into the copy (lib/io/caitLabels.ts), and the copy
// is flushed to disk and renamed over the original (data-loaders/io/atomicWrite.ts). Until that
// rename the original is untouched; after it the new file is complete. Temporary files left by
// a killed import are removed by the next write.
//
// Two imports into one file started together would each copy the old file and rename their copy
// over it, the later rename dropping the earlier import's labels. So the whole read-check-copy-
// write-rename holds the file's exclusive lock (data-loaders/io/fileLock.ts): the second import
// waits for the first and starts from its result.
//
// Labels already in the file are an analyst's work too (or a simulation's truth): a table that
// would change a set label is refused, with the count, unless the caller chose what wins
// (`existing`: "replace" writes the table's, "keep" keeps the file's and imports the rest).

import {constants, copyFileSync} from "node:fs";
import {basename, extname} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {DataFileError} from "../lib/io/errors.js";
import {firstInvalidLabel, labelConflicts, writeCaitLabels, type ExistingLabels, type LabelConflict} from "../lib/io/caitLabels.js";
import {h5, openCaitFile} from "./io/node.js";
import {atomicWriteWith} from "./io/atomicWrite.js";
import {withFileLock, type LockOptions} from "./io/fileLock.js";
import {fileIdentity} from "./provenance.js";
import {datasetId} from "../lib/labels/dataset.js";
import {readBytes} from "./io/readFile.js";
import {decodeLabelsCsv} from "../lib/labels/csv.js";
import {decodeLabelsParquet} from "../lib/labels/parquet.js";
import {isLabelClass, labelName, type LabelEntry} from "../lib/labels/book.js";

/** Reads a label table, CSV or Parquet by extension. */
export function readLabelsFile(path: string): {entries: LabelEntry[]; version: number; dataset?: string} {
  const bytes = readBytes(path);
  const ext = extname(path).toLowerCase();
  if (ext === ".parquet") return decodeLabelsParquet({arrow, parquet}, bytes, path);
  if (ext === ".csv") return decodeLabelsCsv(new TextDecoder().decode(bytes), path);
  throw new DataFileError(path, `unknown label file type "${ext}": expected .csv or .parquet`);
}

/** Refuses entries naming an event or channel `h5Path` does not have (DataFileError on `labelsFile`). */
export function checkEntriesFit(entries: readonly LabelEntry[], nEvents: number, nChannels: number, h5Path: string, labelsFile: string): void {
  entries.forEach((e, i) => {
    if (e.event >= nEvents) throw new DataFileError(labelsFile, `row ${i + 1}: event ${e.event} does not exist (${h5Path} has ${nEvents} events)`);
    if (e.channel >= nChannels) throw new DataFileError(labelsFile, `row ${i + 1}: channel ${e.channel} does not exist (${h5Path} has ${nChannels} channels)`);
  });
}

/** The data set id of a raw file, as the labeling page derives it from a feature table of that file. */
export function datasetIdOfFile(h5Path: string): string {
  return datasetId(new Map([["pulsebook.input", JSON.stringify(fileIdentity(h5Path))]]), basename(h5Path), 0);
}

/** How a label table was matched to a file: "sha256" (content hash), "records" (row count of
 *  the feature table it was made from) or "none" (the table records neither). */
export type DatasetMatch = "sha256" | "records" | "none";

/**
 * Checks that the data set id a label table records (`dataset`, "" when none) names the cait
 * file `h5Path` (nEvents × nChannels records). Returns how it matched, or the mismatch.
 */
export function matchLabelsDataset(dataset: string, h5Path: string, nEvents: number, nChannels: number): {identity: DatasetMatch; mismatch?: string} {
  const hashed = /^(.*)#([0-9a-f]{16})$/.exec(dataset);
  const counted = /^(.*)#(\d+)rows$/.exec(dataset);
  if (hashed) {
    // The content decides, not the name: a renamed copy of the file is the same data set.
    const mine = datasetIdOfFile(h5Path);
    if (mine.slice(mine.lastIndexOf("#") + 1) !== hashed[2]) {
      return {identity: "sha256", mismatch: `labels are for data set "${dataset}", but ${h5Path} is "${mine}": a different file, or this one changed since its feature table was made (e.g. by labels import)`};
    }
    return {identity: "sha256"};
  }
  if (counted) {
    // Made from a feature table without provenance: its rows are the file's (event, channel) records.
    const rows = Number(counted[2]);
    if (rows !== nEvents * nChannels) {
      return {identity: "records", mismatch: `labels are for a feature table of ${rows} records, but ${h5Path} has ${nEvents} events × ${nChannels} channels = ${nEvents * nChannels}`};
    }
    return {identity: "records"};
  }
  return {identity: "none"};
}

export interface ImportOptions {
  /** The data set id the table records ("" or absent: none); checked against the file. */
  dataset?: string;
  /** Import even when `dataset` names another data set. */
  force?: boolean;
  /** Records whose label in the file is set and differs from the table's: refuse (default), replace, keep. */
  existing?: ExistingLabels;
  /** Waiting for another writer of the file (data-loaders/io/fileLock.ts). */
  lock?: LockOptions;
}

export interface ImportResult {
  /** Records whose label was written. */
  written: number;
  /** Records whose label changed. */
  changed: number;
  events: number;
  channels: number;
  /** Whether `events/labels` had to be created. */
  created: boolean;
  /** Records whose set label differed from the table's: overwritten (existing "replace") or kept ("keep"). */
  conflicts: number;
  /** The table's data set did not match the file, imported anyway (--force): the mismatch. */
  forced?: string;
}

/**
 * Writes `entries` into `events/labels` of the cait file `h5Path`, keeping the labels of
 * records the table does not name. Atomic and serialised with other writers of the file: see
 * the top of this file. Refuses a table recording another data set unless `force`.
 * `labelsFile` names the table in errors.
 */
export async function importLabels(entries: readonly LabelEntry[], h5Path: string, labelsFile = "labels", options: ImportOptions = {}): Promise<ImportResult> {
  return withFileLock(h5Path, async () => {
    // Validate against the file (as it is now, under the lock) before touching anything.
    const source = await openCaitFile(h5Path);
    let nEvents: number, nChannels: number, existing: Float64Array | undefined;
    try {
      nEvents = source.count("events");
      nChannels = source.dataset.channels.length;
      if (source.dataset.hasLabels) {
        const a = source.readArray("events/labels");
        // Another shape is refused by the writer below, naming it.
        if (a.shape.length === 2 && a.shape[0] === nChannels && a.shape[1] === nEvents) existing = a.values;
        // Kept values must be labels too: the import would otherwise pass on a file every reader refuses.
        const bad = existing ? firstInvalidLabel(existing) : -1;
        if (existing && bad >= 0) throw new DataFileError(h5Path, `label of event ${bad % nEvents}, channel ${Math.floor(bad / nEvents)} is ${existing[bad]}, not a cait label class (0–20 or 99); not importing into a damaged labels dataset`, "events/labels");
      }
    } finally {
      source.close();
    }
    const {mismatch} = matchLabelsDataset(options.dataset ?? "", h5Path, nEvents, nChannels);
    if (mismatch && !options.force) throw new DataFileError(labelsFile, `${mismatch}; not importing (--force imports anyway)`);
    checkEntriesFit(entries, nEvents, nChannels, h5Path, labelsFile);
    const conflicts = labelConflicts(existing, entries, nEvents);
    const policy = options.existing ?? "refuse";
    if (conflicts.length && policy === "refuse") throw new DataFileError(h5Path, `${describeConflicts(conflicts, labelsFile)}; not importing (--replace writes the table's labels over them, --keep keeps the file's and imports the rest)`, "events/labels");
    const kept = policy === "keep" && conflicts.length ? new Set(conflicts.map((c) => c.channel * nEvents + c.event)) : undefined;
    const toWrite = kept ? entries.filter((e) => !kept.has(e.channel * nEvents + e.event)) : entries;

    const module = await h5();
    return atomicWriteWith(h5Path, (tmp) => {
      // A reflink when the file system supports it (instant), else a full copy.
      copyFileSync(h5Path, tmp, constants.COPYFILE_FICLONE);
      const file = new module.File(tmp, "a");
      try {
        const w = writeCaitLabels(file, toWrite, nChannels, nEvents, h5Path);
        return {written: w.written, changed: w.changed, events: nEvents, channels: nChannels, created: w.created, conflicts: conflicts.length, ...(mismatch ? {forced: mismatch} : {})};
      } finally {
        file.close();
      }
    });
  }, options.lock);
}

/** "3 of the table's records already hold another label in the file (event 4, channel 0: file Noise, table Event_Pulse; …)". */
function describeConflicts(conflicts: readonly LabelConflict[], labelsFile: string): string {
  const name = (code: number) => (isLabelClass(code) ? labelName(code) : String(code));
  const shown = conflicts.slice(0, 3).map((c) => `event ${c.event}, channel ${c.channel}: file ${name(c.file)}, ${labelsFile} ${name(c.table)}`);
  return `${conflicts.length} record${conflicts.length === 1 ? "" : "s"} of ${labelsFile} already hold${conflicts.length === 1 ? "s" : ""} another label in the file (${shown.join("; ")}${conflicts.length > 3 ? "; …" : ""})`;
}
