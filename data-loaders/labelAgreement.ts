// What the agreement page shows: every analyst's labels from the repository's labels/ folder
// (AUTHOR.parquet or .csv) that belong to the run the site shows, the files refused and why, and —
// when the folder holds no label files at all — two example analysts simulated from the run's
// true labels (lib/labels/example.ts), marked as such. The page computes kappa and consensus
// itself (lib/labels/agreement.ts), so that its rule and referee can be changed there.

import {basename, join, relative} from "node:path";
import {datasetId} from "../lib/labels/dataset.js";
import {exampleAuthors, EXAMPLE_ANALYSTS} from "../lib/labels/example.js";
import type {AuthorLabels} from "../lib/labels/agreement.js";
import {readParquet} from "./io/parquet.js";
import {readBytes} from "./io/readFile.js";
import {labelFiles, readLabelDir} from "./labelsMerge.js";

export interface AgreementAuthor {
  author: string;
  /** As committed: labels/NAME.parquet; "" for an example analyst. */
  file: string;
  sha256: string;
  /** The labels, column by column. */
  event: number[];
  channel: number[];
  label: number[];
}

export interface AgreementData {
  /** The data set id of the run shown (lib/labels/dataset.ts). */
  dataset: string;
  /** The folder read, relative to the repository. */
  folder: string;
  /** Set when the authors are simulated examples (labels/ holds no label files): what they are. */
  example?: string;
  authors: AgreementAuthor[];
  refused: {file: string; reason: string}[];
}

const columns = ({author, entries}: AuthorLabels) => ({
  author,
  event: entries.map((e) => e.event),
  channel: entries.map((e) => e.channel),
  label: entries.map((e) => e.label)
});

/**
 * The labels in `labelsDir` for the run whose feature table is `featuresPath` (named
 * `featuresName` as the labeling page names it, for runs without provenance). `root`: paths in
 * the output are relative to it.
 */
export function agreementData(labelsDir: string, featuresPath: string, {root, featuresName = basename(featuresPath)}: {root: string; featuresName?: string}): AgreementData {
  const table = readParquet(readBytes(featuresPath), featuresPath);
  const dataset = datasetId(table.schema.metadata, featuresName, table.numRows);
  const folder = relative(root, labelsDir).split("\\").join("/") || ".";
  const rel = (p: string) => `${folder}/${basename(p)}`;
  const {authors, refused} = readLabelDir(labelsDir, {dataset, strict: false});
  const out: AgreementData = {
    dataset, folder,
    authors: authors.map((a) => ({...columns(a), file: rel(a.file), sha256: a.sha256})),
    refused: refused.map((r) => ({file: rel(r.file), reason: r.reason.split(labelsDir).join(folder)}))
  };
  // Examples only where the run carries true labels to simulate them from (the demo, simulated
  // runs); a run of real data without label files gets the page's "how to make them" note.
  if (labelFiles(labelsDir).length === 0 && table.getChild("label")) {
    const col = (name: string) => Array.from(table.getChild(name)!.toArray() as ArrayLike<number | bigint>, Number);
    out.example = `${folder}/ holds no label files, so two simulated analysts are shown: ${EXAMPLE_ANALYSTS.map((a) => `${a.author} labels ${a.share * 100} % of the truly labelled records and gives a wrong class to ${a.wrong * 100} % of them`).join("; ")} (lib/labels/example.ts).`;
    out.authors = exampleAuthors({event: col("event"), channel: col("channel"), label: col("label")}).map((a) => ({...columns(a), file: "", sha256: ""}));
  }
  return out;
}

/** The repository's labels/ folder. */
export const labelsFolder = (root: string) => join(root, "labels");
