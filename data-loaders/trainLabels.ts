// Label files (docs/labels.md, exported by the labeling page) as the labels of a cait file for
// training: `pulsebook train --data A.h5 --labels A-labels.csv`. The table's entries take the
// place of `events/labels` record by record — what `pulsebook labels import` would write, without
// touching the HDF5 file. Before that, the table is checked to belong to the file: its data set
// id (file name # first 16 hex digits of the SHA-256 of the first MiB, lib/labels/dataset.ts)
// must name this file's content, and every (event, channel) it names must exist.
import {DataFileError} from "../lib/io/errors.js";
import {checkEntriesFit, matchLabelsDataset, readLabelsFile, type DatasetMatch} from "./labels.js";

/** The check is shared with `pulsebook labels import`. */
export {datasetIdOfFile} from "./labels.js";

export interface LabelOverride {
  /** channel × event (cait's layout): the table's class code, or −1 where the table names no label. */
  labels: Int32Array;
  /** Rows of the table. */
  entries: number;
  /** The data set id the table records ("" when none). */
  dataset: string;
  /** How the table was matched to the file (labels.ts matchLabelsDataset). */
  identity: DatasetMatch;
}

/**
 * Reads label table `labelsPath` for cait file `h5Path` (nEvents events × nChannels channels in
 * its events group). Every mismatch is a DataFileError naming the label file and the problem.
 */
export function labelOverrideFor(labelsPath: string, h5Path: string, nEvents: number, nChannels: number): LabelOverride {
  // The reader refuses unknown class codes, newer format versions, records labelled twice.
  const {entries, dataset = ""} = readLabelsFile(labelsPath);
  const {identity, mismatch} = matchLabelsDataset(dataset, h5Path, nEvents, nChannels);
  if (mismatch) throw new DataFileError(labelsPath, mismatch);
  checkEntriesFit(entries, nEvents, nChannels, h5Path, labelsPath);
  const labels = new Int32Array(nChannels * nEvents).fill(-1);
  for (const e of entries) labels[e.channel * nEvents + e.event] = e.label;
  return {labels, entries: entries.length, dataset, identity};
}
