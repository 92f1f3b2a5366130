// The labels of a group, as files in the repository: `labels/AUTHOR.parquet` (or .csv), one per
// analyst, each the labeling page's export with its data set id inside. This module reads such a
// folder (readLabelDir), and `pulsebook labels merge` (mergeLabelDir) measures the authors'
// agreement and writes the consensus file (lib/labels/agreement.ts does the arithmetic).
//
// One folder holds one run's labels: a file recording another data set than the others (or none)
// is refused, naming the file. The consensus file is an ordinary label table (so `labels import`
// and `train --labels` read it) with its lineage in the metadata: the rule, the referee, and the
// name, author and SHA-256 of every input file.

import {readdirSync, statSync} from "node:fs";
import {basename, extname, join, relative, resolve, sep} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {DataFileError} from "../lib/io/errors.js";
import {sha256Hex, stableJson} from "../lib/hash.js";
import {allPairs, authorsFleiss, consensus, type AuthorLabels, type Consensus, type ConsensusRule, type PairReport} from "../lib/labels/agreement.js";
import {encodeLabelsParquet} from "../lib/labels/parquet.js";
import {decodeLabelsCsv} from "../lib/labels/csv.js";
import {decodeLabelsParquet} from "../lib/labels/parquet.js";
import {atomicWrite} from "./io/atomicWrite.js";
import {readBytes} from "./io/readFile.js";

/** One analyst's file. */
export interface AuthorFile extends AuthorLabels {
  file: string;
  sha256: string;
  /** The data set id the file records ("" when none). */
  dataset: string;
}

export interface LabelDir {
  authors: AuthorFile[];
  /** Files not used, and why (lenient reading only; strict reading throws instead). */
  refused: {file: string; reason: string}[];
}

const LABEL_FILE = /\.(parquet|csv)$/i;

/** The label files in `dir` (AUTHOR.parquet or AUTHOR.csv), by name; other files are not labels. */
export function labelFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new DataFileError(dir, `cannot list the folder (${(e as Error).message})`);
  }
  return names.filter((n) => LABEL_FILE.test(n) && !n.startsWith(".")).sort().map((n) => join(dir, n)).filter((p) => statSync(p).isFile());
}

/**
 * Reads every label file of `dir`. Strict (the CLI): the first file that cannot be used throws a
 * DataFileError naming it. Lenient (the page, with `dataset` the run it shows): such files are
 * listed in `refused` and the others used. All files must record the same data set: `dataset`
 * when given, else the first file's.
 */
export function readLabelDir(dir: string, {dataset, strict = true}: {dataset?: string; strict?: boolean} = {}): LabelDir {
  const authors: AuthorFile[] = [];
  const refused: LabelDir["refused"] = [];
  const names = new Map<string, string>();
  let expected = dataset;
  let expectedFrom = dataset === undefined ? "" : "the run shown";
  for (const file of labelFiles(dir)) {
    const author = basename(file, extname(file));
    try {
      if (names.has(author)) throw new DataFileError(file, `a second file of author ${author} (first: ${names.get(author)}); keep one file per author`);
      const bytes = readBytes(file);
      const decoded = extname(file).toLowerCase() === ".parquet" ? decodeLabelsParquet({arrow, parquet}, bytes, file) : decodeLabelsCsv(new TextDecoder().decode(bytes), file);
      const found = decoded.dataset ?? "";
      if (!found) throw new DataFileError(file, "records no data set id: export it again from the labeling page (which records it), so that labels of another run cannot be mixed in");
      if (expected === undefined) [expected, expectedFrom] = [found, file];
      else if (found !== expected) throw new DataFileError(file, `labels are for data set "${found}", but ${expectedFrom} is "${expected}": one labels folder holds the labels of one run`);
      names.set(author, file);
      authors.push({author, file, sha256: sha256Hex(bytes), dataset: found, entries: decoded.entries});
    } catch (e) {
      if (strict || !(e instanceof DataFileError)) throw e;
      refused.push({file, reason: e.message});
    }
  }
  return {authors, refused};
}

export interface MergeOptions {
  rule?: ConsensusRule;
  referee?: string;
  /** Where the consensus label file goes (Parquet). */
  out: string;
}

export interface MergeResult {
  dir: string;
  dataset: string;
  authors: {author: string; file: string; records: number; sha256: string}[];
  pairs: PairReport[];
  fleiss: ReturnType<typeof authorsFleiss>;
  /** Records two or more authors labelled differently. */
  disagreements: number;
  consensus: Omit<Consensus, "records" | "entries">;
  written: number;
}

/** Reads `dir`, measures agreement, writes the consensus label table to `out` (atomically). */
export function mergeLabelDir(dir: string, {rule = "majority", referee, out}: MergeOptions): MergeResult {
  // The output must not become an author of the next merge.
  const rel = relative(resolve(dir), resolve(out));
  if (rel && !rel.startsWith("..") && !rel.includes(sep) && LABEL_FILE.test(rel)) {
    throw new DataFileError(out, `is inside ${dir}: the next merge would read the consensus as an author's labels; write it elsewhere`);
  }
  const {authors} = readLabelDir(dir);
  if (!authors.length) throw new DataFileError(dir, "holds no label files (AUTHOR.parquet): each analyst exports theirs from the labeling page (\"Export my labels\") and commits it there");
  if (referee !== undefined && !authors.some((a) => a.author === referee)) {
    throw new DataFileError(dir, `--referee ${referee}: no file ${referee}.parquet (authors: ${authors.map((a) => a.author).join(", ")})`);
  }
  const agreed = consensus(authors, {rule, referee});
  const dataset = authors[0].dataset;
  const lineage = {
    rule, referee,
    inputs: authors.map((a) => ({file: basename(a.file), author: a.author, sha256: a.sha256, records: a.entries.length}))
  };
  atomicWrite(out, encodeLabelsParquet({arrow, parquet}, agreed.entries, dataset, {
    "pulsebook.consensus": agreed.text,
    "pulsebook.lineage": stableJson(lineage)
  }));
  const {records: _r, entries, ...summary} = agreed;
  return {
    dir, dataset,
    authors: lineage.inputs.map((i, k) => ({author: i.author, file: authors[k].file, records: i.records, sha256: i.sha256})),
    pairs: allPairs(authors),
    fleiss: authorsFleiss(authors),
    disagreements: agreed.records.filter((r) => new Set(Object.values(r.votes)).size > 1).length,
    consensus: summary,
    written: entries.length
  };
}
