// Label tables as Parquet: event, channel, label as int32, author, time (ISO 8601 text) and
// note as UTF-8, the format version and data set in the key-value metadata. The Arrow and
// parquet-wasm modules are passed in: Node passes its own imports, pages pass `npm:apache-arrow`
// and an initialised `npm:parquet-wasm` (lib code cannot name the browser builds).

import type * as ArrowModule from "apache-arrow";
import type * as ParquetModule from "parquet-wasm";
import {DataFileError} from "../io/errors.js";
import type {LabelEntry} from "./book.js";
import {checkFormatVersion, entriesFromRows, LABELS_FORMAT_VERSION, type RawLabelRow} from "./format.js";

export interface ParquetCodecModules {
  arrow: typeof ArrowModule;
  parquet: Pick<typeof ParquetModule, "readParquet" | "writeParquet" | "Table" | "WriterPropertiesBuilder" | "Compression">;
}

/** Encodes entries as Parquet bytes; `extra`: more key-value metadata (e.g. a consensus file's lineage). */
export function encodeLabelsParquet({arrow, parquet}: ParquetCodecModules, entries: readonly LabelEntry[], dataset = "", extra: {[key: string]: string} = {}): Uint8Array {
  const text = (values: string[]) => arrow.vectorFromArray(values, new arrow.Utf8());
  const table = new arrow.Table({
    event: arrow.makeVector(Int32Array.from(entries, (e) => e.event)),
    channel: arrow.makeVector(Int32Array.from(entries, (e) => e.channel)),
    label: arrow.makeVector(Int32Array.from(entries, (e) => e.label)),
    author: text(entries.map((e) => e.author)),
    time: text(entries.map((e) => e.time)),
    note: text(entries.map((e) => e.note))
  });
  const props = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setKeyValueMetadata(new Map([
      ["pulsebook.table", "labels"],
      ["pulsebook.format_version", String(LABELS_FORMAT_VERSION)],
      ["pulsebook.dataset", dataset],
      ...Object.entries(extra)
    ]))
    .build();
  return parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, "stream")), props);
}

/** Decodes Parquet bytes; `file` names the source in errors. */
export function decodeLabelsParquet({arrow, parquet}: ParquetCodecModules, bytes: Uint8Array, file: string): {entries: LabelEntry[]; version: number; dataset?: string; metadata: Map<string, string>} {
  let table: ArrowModule.Table;
  try {
    table = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
  } catch (e) {
    throw new DataFileError(file, `not a readable Parquet file (${(e as Error).message ?? e})`);
  }
  const meta = table.schema.metadata;
  const kind = meta.get("pulsebook.table");
  if (kind !== undefined && kind !== "labels") throw new DataFileError(file, `is a Pulsebook ${kind} table, not a labels table`);
  const version = checkFormatVersion(meta.get("pulsebook.format_version"), file);
  const names = table.schema.fields.map((f) => f.name);
  const missing = ["event", "channel", "label"].filter((c) => !names.includes(c));
  if (missing.length) throw new DataFileError(file, `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (found: ${names.join(", ") || "none"})`);
  const columns = names.map((n) => [n, table.getChild(n)!] as const);
  function* rows(): Generator<RawLabelRow> {
    for (let i = 0; i < table.numRows; ++i) {
      const row: RawLabelRow = {};
      for (const [n, col] of columns) row[n] = col.get(i);
      yield row;
    }
  }
  return {entries: entriesFromRows(rows(), file), version, dataset: meta.get("pulsebook.dataset") || undefined, metadata: meta};
}
