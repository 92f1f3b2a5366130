// Writing Parquet in Node: feature tables are written as a stream of row groups, so a table never
// has to exist whole in memory. The columns reach parquet-wasm as Arrow IPC written by
// arrowIpc.ts, so that the commands that only write (features, process) do not load apache-arrow
// (0.2–0.3 CPU-s of start-up). parquet.ts re-exports this writer beside its readers.
//
// parquet-wasm (Rust's arrow-rs compiled to wasm) does the encoding: it is the library
// Framework itself uses for `FileAttachment.parquet()`, so what we write is what pages read.
// The Node build initialises itself on import.

import {createWriteStream} from "node:fs";
import {Readable} from "node:stream";
import {pipeline} from "node:stream/promises";
import * as pq from "parquet-wasm";
import {rowCount, type Columns} from "../../lib/io/columns.js";
import {atomicWriteWith} from "./atomicWrite.js";
import {arrowIpcStream} from "./arrowIpc.js";

export {rowCount, type Columns} from "../../lib/io/columns.js";

function toParquetBatch(columns: Columns): pq.RecordBatch {
  const table = pq.Table.fromIPCStream(arrowIpcStream(columns));
  const batch = table.recordBatch(0);
  if (!batch) throw new Error("empty record batch");
  return batch;
}

/**
 * Row-group size: large enough for fast scans, small enough to keep the encoder's buffers modest
 * and for pages that read by range (lib/io/featureQuery.ts) to fetch a selection's rows without
 * a large part of the file: 65,536 rows are ~0.5 MB per float column before compression.
 */
export const MAX_ROW_GROUP_ROWS = 65_536;

/**
 * Snappy, no dictionary: feature values are nearly all distinct, so a dictionary only adds a
 * page that is thrown away, and ZSTD gains little on float64 mantissas. On a 400,000-row feature
 * table (bench/labeling-render.ts) this file is 14 % smaller than with ZSTD and dictionaries, and
 * the labeling page decodes its four scatter columns 2.5 times faster (ZSTD without dictionary:
 * 21 % smaller, 1.3 times faster).
 */
function writerProperties(metadata: {[key: string]: string}): pq.WriterProperties {
  return new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.SNAPPY)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(MAX_ROW_GROUP_ROWS)
    .setKeyValueMetadata(new Map(Object.entries(metadata)))
    .build();
}

/**
 * Writes the column batches yielded by `batches` to `path` as one Parquet file, with `metadata`
 * as key-value metadata. The writer buffers batches into row groups of MAX_ROW_GROUP_ROWS rows
 * (the last one shorter), whatever the batch size. Batches are pulled one at a time, so
 * memory holds one batch plus the encoder's page buffers. The file appears atomically
 * (data-loaders/io/atomicWrite.ts).
 */
export async function writeParquetStream(path: string, batches: AsyncIterable<Columns> | Iterable<Columns>, metadata: {[key: string]: string}): Promise<{rows: number}> {
  const iterator = (Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : (batches as Iterable<Columns>)[Symbol.iterator]()) as AsyncIterator<Columns> | Iterator<Columns>;
  let rows = 0;
  let first = true;
  // parquet-wasm reports an error raised by the input stream as "Dyn casting error": keep the
  // source's own error (e.g. a DataFileError naming a corrupt chunk) to rethrow instead.
  let sourceError: unknown;
  const input = new ReadableStream({
    async pull(controller) {
      let next: IteratorResult<Columns>;
      try {
        next = await iterator.next();
      } catch (e) {
        sourceError = e;
        throw e;
      }
      const {value, done} = next;
      if (done) {
        // An empty table still needs a schema; the caller must yield at least one batch.
        if (first) controller.error(new Error("no batches to write"));
        else controller.close();
        return;
      }
      first = false;
      rows += rowCount(value);
      controller.enqueue(toParquetBatch(value));
    }
  }, {highWaterMark: 0});
  try {
    const output = await pq.transformParquetStream(input, writerProperties(metadata));
    await atomicWriteWith(path, (tmp) => pipeline(Readable.fromWeb(output as import("node:stream/web").ReadableStream<Uint8Array>), createWriteStream(tmp)));
  } catch (e) {
    throw sourceError ?? e;
  }
  return {rows};
}

/** Encodes one in-memory column set as Parquet bytes. */
export function encodeParquet(columns: Columns, metadata: {[key: string]: string} = {}): Uint8Array {
  const table = pq.Table.fromIPCStream(arrowIpcStream(columns));
  return pq.writeParquet(table, writerProperties(metadata));
}
