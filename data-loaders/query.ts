// `pulsebook query DATASET SQL`: SQL over a feature table or a Hive-partitioned dataset of
// shards (data-loaders/io/partitionedDataset.ts), the result as CSV.
import type * as arrow from "apache-arrow";
import type {RecordGroup} from "../lib/types.js";
import {datasetFolder, openDataset} from "./io/partitionedDataset.js";

/** One CSV field: numbers as JavaScript writes them (they read back exactly), text quoted when it must be. */
function field(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? v : v instanceof Date ? v.toISOString() : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The lines of `table` as CSV, header first. */
export function* csvLines(table: arrow.Table): Generator<string> {
  const names = table.schema.fields.map((f) => f.name);
  yield names.map(field).join(",");
  const columns = names.map((n) => table.getChild(n)!);
  for (let i = 0; i < table.numRows; i++) yield columns.map((c) => field(c.get(i))).join(",");
}

/** Runs `sql` over the dataset at `path` (rows restricted by `where`); says the parts read. */
export async function queryDataset(path: string, sql: string, options: {group: RecordGroup; where?: string}): Promise<{table: arrow.Table; read: number; total: number; pruning: string[]}> {
  const {db, read, total, pruning} = await openDataset(datasetFolder(path, options.group), options.where);
  try {
    return {table: db.query(sql), read: read.length, total, pruning};
  } finally {
    db.close();
  }
}
