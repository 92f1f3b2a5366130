// `pulsebook labels import LABELS IN.h5`: writes a label table (CSV or Parquet, lib/labels)
// into the file's `events/labels` dataset (channel × event, cait's layout) — atomically.
//
// HDF5 offers no transactions: a process killed while h5wasm rewrites a dataset in place can
// leave the file unreadable. So the file is copied to a temporary sibling (a reflink where the
// file system can), the labels are written into the copy, the copy is flushed to disk and
// renamed over the original. Until that rename the original is untouched; after it the new
// file is complete. Temporary files left by a killed import are removed by the next one.

import {closeSync, constants, copyFileSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync} from "node:fs";
import {basename, dirname, extname, join} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import h5wasm from "h5wasm/node";
import type {Dataset as H5Dataset, Group as H5Group} from "h5wasm";
import {DataFileError} from "../lib/io/errors.js";
import {openCaitFile} from "../lib/io/node.js";
import {decodeLabelsCsv} from "../lib/labels/csv.js";
import {decodeLabelsParquet} from "../lib/labels/parquet.js";
import type {LabelEntry} from "../lib/labels/book.js";
import {LABEL_CLASSES} from "../lib/types.js";

/** Reads a label table, CSV or Parquet by extension. */
export function readLabelsFile(path: string): {entries: LabelEntry[]; version: number; dataset?: string} {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataFileError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === ".parquet") return decodeLabelsParquet({arrow, parquet}, new Uint8Array(bytes), path);
  if (ext === ".csv") return decodeLabelsCsv(bytes.toString("utf8"), path);
  throw new DataFileError(path, `unknown label file type "${ext}": expected .csv or .parquet`);
}

const TMP_PATTERN = (name: string) => new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)\\.\\d+\\.labels\\.tmp$`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes temporary copies of `path` left by imports whose process no longer exists. */
export function removeStaleTemporaries(path: string): string[] {
  const dir = dirname(path);
  const pattern = TMP_PATTERN(basename(path));
  const removed: string[] = [];
  for (const f of readdirSync(dir)) {
    const m = pattern.exec(f);
    if (m && !alive(Number(m[1]))) {
      rmSync(join(dir, f), {force: true});
      removed.push(join(dir, f));
    }
  }
  return removed;
}

function fsyncPath(path: string, flags = "r"): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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

  removeStaleTemporaries(h5Path);
  const tmp = join(dirname(h5Path), `.${basename(h5Path)}.${process.pid}.${Date.now()}.labels.tmp`);
  await h5wasm.ready;
  try {
    // A reflink when the file system supports it (instant), else a full copy.
    copyFileSync(h5Path, tmp, constants.COPYFILE_FICLONE);
    const file = new h5wasm.File(tmp, "a");
    let result: ImportResult;
    try {
      const events = file.get("events") as H5Group;
      const exists = events.keys().includes("labels");
      let labels: Float64Array | Int32Array;
      let ds: H5Dataset | undefined;
      if (exists) {
        ds = events.get("labels") as H5Dataset;
        const shape = ds.shape ?? [];
        if (shape.length !== 2 || shape[0] !== nChannels || shape[1] !== nEvents) {
          throw new DataFileError(h5Path, `expected shape [${nChannels}, ${nEvents}] (channel × event), found ${JSON.stringify(shape)}`, "events/labels");
        }
        const value = ds.value as ArrayLike<number | bigint>;
        // Keep the dataset's own type (cait: int32 on import, float64 in simulated files).
        labels = ds.metadata.type === 1 ? Float64Array.from(value as ArrayLike<number>, Number) : Int32Array.from(value as ArrayLike<number>, Number);
      } else {
        labels = new Int32Array(nChannels * nEvents);
      }
      let changed = 0;
      for (const e of entries) {
        const at = e.channel * nEvents + e.event;
        if (labels[at] !== e.label) ++changed;
        labels[at] = e.label;
      }
      if (ds) {
        ds.write_slice([[0, nChannels], [0, nEvents]], labels);
      } else {
        ds = events.create_dataset({name: "labels", data: labels, shape: [nChannels, nEvents], dtype: "<i"});
        // cait's convention: one attribute per class, name → code.
        for (const [code, name] of Object.entries(LABEL_CLASSES)) ds.create_attribute(name, Int32Array.of(Number(code)), [], "<i");
      }
      result = {written: entries.length, changed, events: nEvents, channels: nChannels, created: !exists};
    } finally {
      file.close();
    }
    fsyncPath(tmp);
    renameSync(tmp, h5Path);
    // Make the rename itself durable.
    try { fsyncPath(dirname(h5Path)); } catch { /* some file systems refuse directory fsync */ }
    return result;
  } catch (e) {
    rmSync(tmp, {force: true});
    throw e;
  }
}
