// Parquet in Node: reading back as Arrow tables (apache-arrow) and, re-exported from
// parquetWrite.ts, the streaming writer, which loads no apache-arrow so that the commands that
// only write (features, process) start without it.
//
// parquet-wasm (Rust's arrow-rs compiled to wasm) does the encoding and decoding: it is the
// library Framework itself uses for `FileAttachment.parquet()`, so what we write is what pages read.
// The Node build initialises itself on import.

import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import {DataFileError} from "../../lib/io/errors.js";

export {rowCount, type Columns} from "../../lib/io/columns.js";
export {encodeParquet, MAX_ROW_GROUP_ROWS, writeParquetStream} from "./parquetWrite.js";

/** Decodes Parquet bytes to an Arrow table; `file` names the source in errors. */
export function readParquet(bytes: Uint8Array, file: string): arrow.Table {
  try {
    return arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  } catch (e) {
    throw new DataFileError(file, `not a readable Parquet file (${(e as Error).message ?? e})`);
  }
}

/** The key-value metadata of a Parquet file (provenance written by Pulsebook) and its row groups. */
export async function readParquetMetadata(bytes: Uint8Array, file: string): Promise<{metadata: {[key: string]: string}; rowGroups: number; rows: number}> {
  let parquetFile: pq.ParquetFile;
  try {
    parquetFile = await pq.ParquetFile.fromFile(new Blob([bytes as unknown as ArrayBuffer]));
  } catch (e) {
    throw new DataFileError(file, `not a readable Parquet file (${(e as Error).message ?? e})`);
  }
  const meta = parquetFile.metadata();
  const fileMeta = meta.fileMetadata();
  const metadata: {[key: string]: string} = {};
  for (const [k, v] of fileMeta.keyValueMetadata()) if (k !== "ARROW:schema") metadata[String(k)] = String(v);
  return {metadata, rowGroups: meta.numRowGroups(), rows: fileMeta.numRows()};
}
