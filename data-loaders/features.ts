// Features of a cait-layout HDF5 file → Parquet, streamed: records are read in chunks of
// events, reduced to one feature row per (event, channel), and written in row groups, so
// memory stays bounded whatever the file size.

import {openCaitFile} from "./io/node.js";
import {writeParquetStream, type Columns} from "./io/parquet.js";
import {concatColumns} from "./columns.js";
import {computeFeatures, FEATURE_COLUMNS} from "../lib/dsp/features.js";
import type {RecordGroup} from "../lib/types.js";
import {fileIdentity, FEATURES_FORMAT_VERSION, PULSEBOOK_VERSION} from "./provenance.js";

export interface FeaturesOptions {
  group?: RecordGroup;
  /** Events read per HDF5 access (memory ≈ chunkEvents × channels × recordLength × 4 B). */
  chunkEvents?: number;
  /** Rows per Parquet batch. */
  batchRows?: number;
  /** Called after every chunk with the number of events done. */
  onProgress?: (done: number, total: number) => void;
  /** The command line or loader that asked for this table, stored as provenance. */
  command?: string;
}

/** Writes the feature table of `group` in `input` to `output` (Parquet). Returns rows and events. */
export async function writeFeatures(input: string, output: string, options: FeaturesOptions = {}): Promise<{rows: number; events: number}> {
  const {group = "events", chunkEvents = 64, batchRows = 65_536, onProgress} = options;
  const file = await openCaitFile(input);
  try {
    const total = file.count(group);
    const {layout, channels} = file.dataset;
    if (total === 0) throw new Error(`${input} [${group}/event]: group holds no events`);
    async function* batches(): AsyncGenerator<Columns> {
      let pending: Columns[] = [];
      let pendingRows = 0;
      for (const chunk of file.chunks(group, chunkEvents)) {
        const {rows: _rows, ...cols} = computeFeatures(chunk, layout);
        pending.push(cols as Columns);
        pendingRows += cols.event.length;
        onProgress?.(chunk.start + chunk.count, total);
        if (pendingRows >= batchRows) {
          yield concatColumns(pending);
          pending = [];
          pendingRows = 0;
        }
      }
      if (pending.length) yield concatColumns(pending);
    }
    const metadata = {
      "pulsebook.version": PULSEBOOK_VERSION,
      "pulsebook.table": "features",
      "pulsebook.format_version": FEATURES_FORMAT_VERSION,
      "pulsebook.command": options.command ?? "writeFeatures",
      "pulsebook.input": JSON.stringify(fileIdentity(input)),
      "pulsebook.group": group,
      "pulsebook.layout": JSON.stringify(layout),
      "pulsebook.channels": JSON.stringify(channels),
      "pulsebook.columns": JSON.stringify(FEATURE_COLUMNS)
    };
    const {rows} = await writeParquetStream(output, batches(), metadata);
    return {rows, events: total};
  } finally {
    file.close();
  }
}
