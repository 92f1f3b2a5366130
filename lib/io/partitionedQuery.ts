// A Hive-partitioned dataset (a run processed in shards: `run=NAME/shard=I/part.parquet`) read in
// a page as one table, as data-loaders/io/partitionedDataset.ts reads it in Node. The loader
// packs the parts end to end into one file and describes them in a manifest (partition values,
// byte range, rows); the page chooses the parts by the same rule as Node — the WHERE terms over
// partition columns alone (pruningTerms), run by DuckDB over a table of the partitions
// (pruningQuery) — and fetches only those parts' byte ranges. The rows of the parts read, each
// with its partition values as columns (all-integer keys BIGINT, others text), in partition
// order, are then filtered by the whole predicate in DuckDB. DuckDB-wasm cannot read Parquet
// offline, so the parts are decoded here by parquet-wasm; the modules, the range fetch and the
// SQL engine are passed in (pages: npm:apache-arrow, npm:parquet-wasm, DuckDBClient).

import type * as ArrowModule from "apache-arrow";
import type * as ParquetModule from "parquet-wasm";
import {DataFileError} from "./errors.js";
import {checkPredicate} from "./sqlPredicate.js";
import {PART_INDEX, pruningQuery, pruningTerms, typedPartitions, type Partition} from "./hivePartitions.js";

/** One part in the packed file: its path in the dataset, partition values (text) and byte range. */
export interface PackedPart {
  path: string;
  partition: Partition;
  offset: number;
  bytes: number;
  rows: number;
}

/** What the loader says of the packed dataset; parts in partition order. */
export interface PartsManifest {
  /** The dataset as the loader found it (a folder of parts, or one table), for messages. */
  dataset: string;
  keys: string[];
  parts: PackedPart[];
}

export interface PartitionedModules {
  arrow: Pick<typeof ArrowModule, "tableFromIPC" | "vectorFromArray" | "Table" | "Utf8">;
  parquet: Pick<typeof ParquetModule, "readParquet">;
}

/** The bytes [offset, offset + bytes) of the packed file. */
export type FetchRange = (offset: number, bytes: number) => Promise<Uint8Array>;

/** A result as DuckDB (Node or wasm) gives it: Arrow columns by name. */
export interface SqlResult {
  numRows: number;
  getChild(name: string): {toArray(): ArrayLike<unknown>} | null;
}
/** Runs `query` over `features` as table `features` (pages: DuckDBClient.of({features}).query). */
export type RunSql = (features: ArrowModule.Table, query: string) => Promise<SqlResult>;

const isInteger = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/** Checks a manifest read from `name`; throws naming the file and the first problem. */
export function checkManifest(raw: unknown, name: string): PartsManifest {
  const fail = (problem: string): never => {
    throw new DataFileError(name, `not a parts manifest: ${problem}`);
  };
  if (!raw || typeof raw !== "object") fail("not an object");
  const m = raw as Partial<PartsManifest>;
  if (typeof m.dataset !== "string") fail("no dataset");
  if (!Array.isArray(m.keys) || m.keys.some((k) => typeof k !== "string")) fail("keys is not a list of names");
  if (!Array.isArray(m.parts) || m.parts.length === 0) fail("no parts");
  let end = 0;
  m.parts!.forEach((p, i) => {
    if (typeof p?.path !== "string" || !p.partition || typeof p.partition !== "object") fail(`part ${i} has no path or partition`);
    if (!isInteger(p.offset) || !isInteger(p.bytes) || !isInteger(p.rows) || p.bytes === 0) fail(`part ${i} (${p.path}): offset, bytes and rows must be whole numbers`);
    if (p.offset !== end) fail(`part ${i} (${p.path}) starts at byte ${p.offset}, the previous part ends at ${end}`);
    end = p.offset + p.bytes;
    const keys = Object.keys(p.partition);
    if (keys.join("/") !== m.keys!.join("/") || keys.some((k) => typeof p.partition[k] !== "string")) fail(`part ${i} (${p.path}) has partition keys ${keys.join(", ") || "none"}, the dataset ${m.keys!.join(", ") || "none"}`);
  });
  return m as PartsManifest;
}

/** The partition columns of `manifest`'s parts as Arrow vectors of `length` rows each (as DuckDB's hive_types_autocast types them). */
function partitionColumns(arrow: PartitionedModules["arrow"], manifest: PartsManifest, part: number, length: number): {[key: string]: ArrowModule.Vector} {
  const typed = typedPartitions(manifest.parts.map((p) => p.partition))[part];
  return Object.fromEntries(manifest.keys.map((k) => {
    const v = typed[k];
    return [k, typeof v === "bigint" ? arrow.vectorFromArray(new BigInt64Array(length).fill(v)) : arrow.vectorFromArray(Array<string>(length).fill(v), new arrow.Utf8())];
  }));
}

/**
 * The parts to read for `where` (indices into manifest.parts, ascending) and the terms that chose
 * them; every part when `where` is empty or has no term over partition columns alone.
 */
export async function choosePartsFor(manifest: PartsManifest, where: string | undefined, {arrow}: Pick<PartitionedModules, "arrow">, sql: RunSql): Promise<{parts: number[]; pruning: string[]}> {
  const all = manifest.parts.map((_, i) => i);
  if (!where?.trim() || manifest.keys.length === 0) return {parts: all, pruning: []};
  const pruning = pruningTerms(where, manifest.keys);
  if (pruning.length === 0) return {parts: all, pruning};
  const typed = typedPartitions(manifest.parts.map((p) => p.partition));
  const columns: {[name: string]: ArrowModule.Vector} = {[PART_INDEX]: arrow.vectorFromArray(Int32Array.from(all))};
  for (const k of manifest.keys) {
    const v = typed.map((p) => p[k]);
    columns[k] = typeof v[0] === "bigint" ? arrow.vectorFromArray(BigInt64Array.from(v as bigint[])) : arrow.vectorFromArray(v as string[], new arrow.Utf8());
  }
  const result = await sql(new arrow.Table(columns), pruningQuery(pruning));
  return {parts: Array.from(result.getChild(PART_INDEX)?.toArray() ?? [], Number), pruning};
}

export interface PartitionedRead {
  /** Rows of the parts read satisfying `where`, partition columns last. */
  table: SqlResult;
  /** Indices into manifest.parts of the parts fetched. */
  read: number[];
  pruning: string[];
}

/**
 * The dataset as one table restricted to `where` (an SQL predicate over its columns and partition
 * keys; empty: every row), fetching only the parts that can hold a matching row.
 */
export async function readPartitioned(manifest: PartsManifest, fetchRange: FetchRange, modules: PartitionedModules, sql: RunSql, where?: string): Promise<PartitionedRead> {
  const {arrow, parquet} = modules;
  // Data, not code: one expression over columns, literals and allowed functions (as in Node).
  if (where?.trim()) checkPredicate(where);
  const {parts: read, pruning} = await choosePartsFor(manifest, where, modules, sql);
  if (read.length === 0) {
    const have = manifest.parts.map((p) => manifest.keys.map((k) => `${k}=${p.partition[k]}`).join("/")).join(", ");
    throw new DataFileError(manifest.dataset, `no part satisfies ${pruning.join(" AND ")}; the dataset has ${have}`);
  }
  const tables = await Promise.all(read.map(async (i) => {
    const part = manifest.parts[i];
    const where = `${manifest.dataset}/${part.path}`;
    const bytes = await fetchRange(part.offset, part.bytes);
    if (bytes.length !== part.bytes) throw new DataFileError(where, `fetched ${bytes.length} bytes, the manifest says ${part.bytes}`);
    let table: ArrowModule.Table;
    try {
      table = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
    } catch (e) {
      throw new DataFileError(where, `not a readable Parquet part (${(e as Error).message ?? e})`, undefined, {cause: e});
    }
    if (table.numRows !== part.rows) throw new DataFileError(where, `${table.numRows} rows, the manifest says ${part.rows}`);
    const clash = table.schema.fields.find((f) => manifest.keys.some((k) => k.toLowerCase() === f.name.toLowerCase()));
    if (clash) throw new DataFileError(where, `has a column "${clash.name}", which is also a partition key of the dataset`);
    const columns = Object.fromEntries(table.schema.fields.map((f) => [f.name, table.getChild(f.name)!]));
    return new arrow.Table({...columns, ...partitionColumns(arrow, manifest, i, table.numRows)});
  }));
  const names = tables[0].schema.fields.map((f) => `${f.name}: ${f.type}`).join(", ");
  tables.forEach((t, k) => {
    const these = t.schema.fields.map((f) => `${f.name}: ${f.type}`).join(", ");
    if (these !== names) throw new DataFileError(`${manifest.dataset}/${manifest.parts[read[k]].path}`, `columns (${these}) differ from those of ${manifest.parts[read[0]].path} (${names})`);
  });
  const all = tables.length === 1 ? tables[0] : tables[0].concat(...tables.slice(1));
  const table = where?.trim() ? await sql(all, `SELECT * FROM features WHERE (${where})`) : all;
  return {table, read, pruning};
}
