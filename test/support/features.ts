// Reading the built site's feature table in Node, independently of the page: parquet-wasm
// decodes the Parquet file to Arrow IPC, apache-arrow gives the rows.

import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";

export interface FeatureRow {
  event: number;
  channel: number;
  pulse_height_V: number;
  rise_time_ms: number;
  label: number;
  [column: string]: number;
}

/** Path of `dist/_file/data/features.<hash>.parquet`. */
export function builtFeaturesPath(dist: string): string {
  const dir = join(dist, "_file", "data");
  const matches = readdirSync(dir).filter((f) => /^features(\.[0-9a-f]+)?\.parquet$/.test(f));
  if (matches.length !== 1) throw new Error(`expected one features*.parquet in ${dir}, found ${matches.join(", ") || "none"}`);
  return join(dir, matches[0]);
}

export function readFeatureRows(path: string): FeatureRow[] {
  const wasmTable = pq.readParquet(new Uint8Array(readFileSync(path)));
  const table = arrow.tableFromIPC(wasmTable.intoIPCStream());
  return table.toArray().map((row) => {
    const out: {[column: string]: number} = {};
    for (const [key, value] of Object.entries(row.toJSON() as {[column: string]: unknown})) out[key] = Number(value);
    return out as FeatureRow;
  });
}
