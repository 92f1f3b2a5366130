// Writing labels into a cait file's `events/labels` (channel × event, cait's layout), in an
// h5wasm File the caller has opened for writing. Pure of I/O policy: making the change atomic
// (copy, write, fsync, rename) is the Node edge's job (data-loaders/labels.ts).

import type {Dataset as H5Dataset, File as H5File, Group as H5Group} from "h5wasm";
import {DataFileError} from "./errors.js";
import {LABEL_CLASSES} from "../types.js";

/** One record's label: the part of a label-table entry this writer needs. */
export interface RecordLabel {
  event: number;
  channel: number;
  label: number;
}

export interface LabelsWritten {
  /** Records whose label was written. */
  written: number;
  /** Records whose label changed. */
  changed: number;
  /** Whether `events/labels` had to be created. */
  created: boolean;
}

/** What an import does with records that already hold a different label: refuse the import
 *  (the default), replace those labels with the table's, or keep the file's. */
export type ExistingLabels = "refuse" | "replace" | "keep";

/** A record whose label in the file differs from the table's. */
export interface LabelConflict {
  event: number;
  channel: number;
  /** The file's label code. */
  file: number;
  /** The table's label code. */
  table: number;
}

/** Index (channel × event) of the first value of `labels` that is not a cait class code, or −1. */
export function firstInvalidLabel(labels: ArrayLike<number>): number {
  for (let i = 0; i < labels.length; ++i) if (!Object.prototype.hasOwnProperty.call(LABEL_CLASSES, labels[i])) return i;
  return -1;
}

/**
 * The records of `entries` whose label in `existing` (channel × event, `nEvents` per channel;
 * undefined: the file has no labels) is set (not 0, unlabeled) and differs from the entry's.
 * Clearing a label (an entry of 0 over a set one) counts: it loses the file's label too.
 */
export function labelConflicts(existing: ArrayLike<number> | undefined, entries: readonly RecordLabel[], nEvents: number): LabelConflict[] {
  if (!existing) return [];
  const out: LabelConflict[] = [];
  for (const e of entries) {
    const file = existing[e.channel * nEvents + e.event];
    if (file !== 0 && file !== e.label) out.push({event: e.event, channel: e.channel, file, table: e.label});
  }
  return out;
}

const FLOAT_TYPE = 1; // h5wasm metadata.type for H5T_FLOAT

/**
 * Writes `entries` into `events/labels` of `file` (`nChannels` × `nEvents`), keeping the labels
 * of records not named. An existing dataset keeps its type (cait: int32 on import, float64 in
 * simulated files) and must have that shape; a new one is int32 with cait's class attributes
 * (one per class, name → code). `name` names the file in errors.
 */
export function writeCaitLabels(file: H5File, entries: readonly RecordLabel[], nChannels: number, nEvents: number, name: string): LabelsWritten {
  if (!file.keys().includes("events")) throw new DataFileError(name, "group `events` not found", "events/labels");
  entries.forEach((e, i) => {
    if (!(Number.isInteger(e.event) && e.event >= 0 && e.event < nEvents) || !(Number.isInteger(e.channel) && e.channel >= 0 && e.channel < nChannels)) {
      throw new RangeError(`entry ${i + 1}: record (event ${e.event}, channel ${e.channel}) is outside ${nChannels} channels × ${nEvents} events`);
    }
  });
  const events = file.get("events") as H5Group;
  const exists = events.keys().includes("labels");
  let labels: Float64Array | Int32Array;
  let ds: H5Dataset | undefined;
  if (exists) {
    ds = events.get("labels") as H5Dataset;
    const shape = ds.shape ?? [];
    if (shape.length !== 2 || shape[0] !== nChannels || shape[1] !== nEvents) {
      throw new DataFileError(name, `expected shape [${nChannels}, ${nEvents}] (channel × event), found ${JSON.stringify(shape)}`, "events/labels");
    }
    const value = ds.value as ArrayLike<number | bigint>;
    labels = ds.metadata.type === FLOAT_TYPE ? Float64Array.from(value as ArrayLike<number>, Number) : Int32Array.from(value as ArrayLike<number>, Number);
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
    for (const [code, className] of Object.entries(LABEL_CLASSES)) ds.create_attribute(className, Int32Array.of(Number(code)), [], "<i");
  }
  return {written: entries.length, changed, created: !exists};
}
