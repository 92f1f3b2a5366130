// Label files (docs/labels.md, exported by the labeling page) as the labels of a cait file for
// training: `pulsebook train --data A.h5 --labels A-labels.csv`. The table's entries take the
// place of `events/labels` record by record — what `pulsebook labels import` would write, without
// touching the HDF5 file. Before that, the table is checked to belong to the file: its data set
// id (file name # first 16 hex digits of the SHA-256 of the first MiB, lib/labels/dataset.ts)
// must name this file's content, and every (event, channel) it names must exist.
import {basename} from "node:path";
import {DataFileError} from "../lib/io/errors.js";
import {datasetId} from "../lib/labels/dataset.js";
import {checkEntriesFit, readLabelsFile} from "./labels.js";
import {fileIdentity} from "./provenance.js";

export interface LabelOverride {
  /** channel × event (cait's layout): the table's class code, or −1 where the table names no label. */
  labels: Int32Array;
  /** Rows of the table. */
  entries: number;
  /** The data set id the table records ("" when none). */
  dataset: string;
  /** How the table was matched to the file: "sha256" (content hash), "records" (row count of the
   *  feature table it was made from) or "none" (the table records neither). */
  identity: "sha256" | "records" | "none";
}

/** The data set id of a raw file, as the labeling page derives it from a feature table of that file. */
export function datasetIdOfFile(h5Path: string): string {
  return datasetId(new Map([["pulsebook.input", JSON.stringify(fileIdentity(h5Path))]]), basename(h5Path), 0);
}

/**
 * Reads label table `labelsPath` for cait file `h5Path` (nEvents events × nChannels channels in
 * its events group). Every mismatch is a DataFileError naming the label file and the problem.
 */
export function labelOverrideFor(labelsPath: string, h5Path: string, nEvents: number, nChannels: number): LabelOverride {
  // The reader refuses unknown class codes, newer format versions, records labelled twice.
  const {entries, dataset = ""} = readLabelsFile(labelsPath);
  let identity: LabelOverride["identity"] = "none";
  const hashed = /^(.*)#([0-9a-f]{16})$/.exec(dataset);
  const counted = /^(.*)#(\d+)rows$/.exec(dataset);
  if (hashed) {
    // The content decides, not the name: a renamed copy of the file is the same data set.
    const mine = datasetIdOfFile(h5Path);
    if (mine.slice(mine.lastIndexOf("#") + 1) !== hashed[2]) {
      throw new DataFileError(labelsPath, `labels are for data set "${dataset}", but ${h5Path} is "${mine}": a different file, or this one changed since its feature table was made (e.g. by labels import)`);
    }
    identity = "sha256";
  } else if (counted) {
    // Made from a feature table without provenance: its rows are the file's (event, channel) records.
    const rows = Number(counted[2]);
    if (rows !== nEvents * nChannels) {
      throw new DataFileError(labelsPath, `labels are for a feature table of ${rows} records, but ${h5Path} has ${nEvents} events × ${nChannels} channels = ${nEvents * nChannels}`);
    }
    identity = "records";
  }
  checkEntriesFit(entries, nEvents, nChannels, h5Path, labelsPath);
  const labels = new Int32Array(nChannels * nEvents).fill(-1);
  for (const e of entries) labels[e.channel * nEvents + e.event] = e.label;
  return {labels, entries: entries.length, dataset, identity};
}
