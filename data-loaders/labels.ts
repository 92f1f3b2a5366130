// `pulsebook labels import LABELS IN.h5`: writes a label table (CSV or Parquet, lib/labels)
// into the file's `events/labels` dataset (channel × event, cait's layout) — atomically.
//
// HDF5 offers no transactions: a process killed while h5wasm rewrites a dataset in place can
// leave the file unreadable. So the file is copied to a temporary sibling (a reflink where the
// file system can), the labels are written into the copy (lib/io/caitLabels.ts), and the copy
// is flushed to disk and renamed over the original (data-loaders/io/atomicWrite.ts). Until that
// rename the original is untouched; after it the new file is complete. Temporary files left by
// a killed import are removed by the next write.

import {constants, copyFileSync} from "node:fs";
import {extname} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {DataFileError} from "../lib/io/errors.js";
import {writeCaitLabels} from "../lib/io/caitLabels.js";
import {h5, openCaitFile} from "./io/node.js";
import {atomicWriteWith} from "./io/atomicWrite.js";
import {readBytes} from "./io/readFile.js";
import {decodeLabelsCsv} from "../lib/labels/csv.js";
import {decodeLabelsParquet} from "../lib/labels/parquet.js";
import type {LabelEntry} from "../lib/labels/book.js";

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

export interface ImportResult {
  /** Records whose label was written. */
  written: number;
  /** Records whose label changed. */
  changed: number;
  events: number;
  channels: number;
  /** Whether `events/labels` had to be created. */
  created: boolean;
}

/**
 * Writes `entries` into `events/labels` of the cait file `h5Path`, keeping the labels of
 * records the table does not name. Atomic: see the top of this file. `labelsFile` names the
 * table in errors.
 */
export async function importLabels(entries: readonly LabelEntry[], h5Path: string, labelsFile = "labels"): Promise<ImportResult> {
  // Validate against the file before touching anything.
  const source = await openCaitFile(h5Path);
  let nEvents: number, nChannels: number;
  try {
    nEvents = source.count("events");
    nChannels = source.dataset.channels.length;
  } finally {
    source.close();
  }
  checkEntriesFit(entries, nEvents, nChannels, h5Path, labelsFile);

  const module = await h5();
  return atomicWriteWith(h5Path, (tmp) => {
    // A reflink when the file system supports it (instant), else a full copy.
    copyFileSync(h5Path, tmp, constants.COPYFILE_FICLONE);
    const file = new module.File(tmp, "a");
    try {
      const w = writeCaitLabels(file, entries, nChannels, nEvents, h5Path);
      return {written: w.written, changed: w.changed, events: nEvents, channels: nChannels, created: w.created};
    } finally {
      file.close();
    }
  });
}
