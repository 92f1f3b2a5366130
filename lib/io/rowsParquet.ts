// A figure's rows (plain objects, as pages declare them for the download menu) as a Parquet file:
// one column per key that occurs, in order of appearance; numbers as float64, booleans as bool,
// dates as UTC timestamps in ms, everything else as UTF-8 text; a missing value is null. The
// Arrow and parquet-wasm modules are passed in (pages: `npm:apache-arrow` and an initialised
// `npm:parquet-wasm`; Node: its own imports), as for lib/labels/parquet.ts.

import type * as ArrowModule from "apache-arrow";
import type * as ParquetModule from "parquet-wasm";

export interface RowsParquetModules {
  arrow: typeof ArrowModule;
  parquet: Pick<typeof ParquetModule, "writeParquet" | "Table" | "WriterPropertiesBuilder" | "Compression">;
}

type Row = {[column: string]: unknown};
type Kind = "number" | "boolean" | "date" | "text";

/** The column's type: the one kind all its present values share, else text. */
function kindOf(values: readonly unknown[]): Kind {
  let kind: Kind | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const k: Kind = typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : v instanceof Date ? "date" : "text";
    if (kind && kind !== k) return "text";
    kind = k;
  }
  return kind ?? "text";
}

const text = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));

/** The rows as Parquet bytes (ZSTD), with `metadata` as key-value metadata. */
export function rowsToParquet({arrow, parquet}: RowsParquetModules, rows: readonly Row[], metadata: {[key: string]: string} = {}): Uint8Array {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (!columns.length) throw new Error("a figure's data needs at least one column to be written as Parquet");
  const vectors: {[name: string]: ArrowModule.Vector} = {};
  for (const name of columns) {
    const values = rows.map((r) => r[name]);
    const kind = kindOf(values);
    const present = (v: unknown) => v !== null && v !== undefined;
    vectors[name] =
      kind === "number" ? arrow.vectorFromArray(values.map((v) => (present(v) ? (v as number) : null)), new arrow.Float64())
      : kind === "boolean" ? arrow.vectorFromArray(values.map((v) => (present(v) ? (v as boolean) : null)), new arrow.Bool())
      : kind === "date" ? arrow.vectorFromArray(values.map((v) => (present(v) ? (v as Date).getTime() : null)), new arrow.TimestampMillisecond("UTC"))
      : arrow.vectorFromArray(values.map(text), new arrow.Utf8());
  }
  const table = new arrow.Table(vectors);
  const props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).setKeyValueMetadata(new Map(Object.entries(metadata))).build();
  return parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, "stream")), props);
}
