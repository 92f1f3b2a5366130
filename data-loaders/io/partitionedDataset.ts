// A Hive-partitioned Parquet dataset — `ROOT/run=NAME/shard=I/part.parquet`, as the shards of a
// run write it (data-loaders/shards.ts) — queried as one table, as DuckDB's
// read_parquet('ROOT/**/*.parquet', hive_partitioning = true) would: the rows of every part
// with its partition values as columns (all-integer values are BIGINT, others VARCHAR).
//
// DuckDB-wasm cannot read Parquet offline (it would download its parquet extension), so the
// parts are listed and decoded here (parquet-wasm) and handed to DuckDB (sqlSelect.ts). Pruning
// happens here too, before any part is read: the top-level AND terms of the WHERE predicate that
// name partition columns alone are run by DuckDB over the table of partitions, and only the
// parts that satisfy them are read — a part that cannot hold a matching row is never opened.
import {readdirSync, statSync, type Dirent} from "node:fs";
import {basename, join, relative} from "node:path";
import * as arrow from "apache-arrow";
import {comparePartitions, partitionFolder, pruningQuery, pruningTerms, PART_INDEX, typedPartitions, type Partition, type TypedPartition} from "../../lib/io/hivePartitions.js";
import type {RecordGroup} from "../../lib/types.js";
import {DataFileError} from "../../lib/io/errors.js";
import type {PackedPart, PartsManifest} from "../../lib/io/partitionedQuery.js";
import {readParquet, readParquetMetadata} from "./parquet.js";
import {fileProblem, readBytes} from "./readFile.js";
import {openDatasetDb, openFeatureDb, type FeatureDb} from "./sqlSelect.js";

/** One Parquet file of the dataset and its partition (the `key=value` folders above it, as text). */
export interface DatasetPart {
  file: string;
  partition: Partition;
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, {withFileTypes: true});
  } catch (e) {
    throw new DataFileError(dir, `dataset folder: ${fileProblem(e)}`);
  }
}

/** Every `.parquet` file under `root` with its partition; every part must have the same keys. A file is a dataset of one part. */
export function listParts(root: string): DatasetPart[] {
  try {
    if (statSync(root).isFile()) return [{file: root, partition: {}}];
  } catch (e) {
    throw new DataFileError(root, `dataset: ${fileProblem(e)}`);
  }
  const parts: DatasetPart[] = [];
  const walk = (dir: string, partition: Partition) => {
    for (const e of entries(dir)) {
      // Hidden and underscore names (.store, _SUCCESS, a writer's temporary file) are not parts, as for Hive.
      if (e.name.startsWith(".") || e.name.startsWith("_")) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        const kv = partitionFolder(e.name);
        if (!kv) throw new DataFileError(path, `not a partition folder: a Hive-partitioned dataset has folders KEY=VALUE (e.g. run=NAME, shard=0) under ${root}`);
        if (kv[0] in partition) throw new DataFileError(path, `partition key ${kv[0]} twice in one path`);
        walk(path, {...partition, [kv[0]]: kv[1]});
      } else if (e.name.endsWith(".parquet")) {
        parts.push({file: path, partition});
      }
    }
  };
  walk(root, {});
  if (parts.length === 0) throw new DataFileError(root, "no .parquet parts in this dataset folder");
  const keys = Object.keys(parts[0].partition).join(", ");
  for (const p of parts) {
    if (Object.keys(p.partition).join(", ") !== keys) throw new DataFileError(p.file, `partition keys (${Object.keys(p.partition).join(", ") || "none"}) differ from those of ${parts[0].file} (${keys || "none"})`);
  }
  return parts;
}

/**
 * What to read for `group` at `path`: `PATH/parts/GROUP` for the output folder of a sharded run,
 * `PATH/GROUP.parquet` for that of a run processed in one go, else `PATH` itself (a dataset
 * folder or a table).
 */
export function datasetFolder(path: string, group: RecordGroup): string {
  const is = (p: string, kind: "file" | "folder") => {
    try {
      const st = statSync(p);
      return kind === "file" ? st.isFile() : st.isDirectory();
    } catch {
      return false;
    }
  };
  if (is(join(path, "parts"), "folder")) return join(path, "parts", group);
  if (is(join(path, `${group}.parquet`), "file")) return join(path, `${group}.parquet`);
  return path;
}

/** An open dataset: `db` holds the rows of the parts read as table `features`. */
export interface OpenDataset {
  db: FeatureDb;
  /** The parts read (after pruning), in partition order. */
  read: DatasetPart[];
  /** How many parts the dataset has. */
  total: number;
  /** The terms of `where` that chose the parts (over partition columns alone). */
  pruning: string[];
}

/**
 * Opens the Hive-partitioned dataset under `root` as table `features` (rows in partition order:
 * by key, numbers numerically), restricted to rows satisfying the SQL predicate `where`; parts
 * whose partition fails a term of `where` over partition columns are not read.
 */
export async function openDataset(root: string, where?: string): Promise<OpenDataset> {
  const listed = listParts(root);
  const values = typedPartitions(listed.map((p) => p.partition));
  const keys = Object.keys(listed[0].partition);
  const order = listed.map((_, i) => i).sort((a, b) => comparePartitions(values[a], values[b]));
  let chosen = order;
  let pruning: string[] = [];
  if (where !== undefined) {
    try {
      pruning = pruningTerms(where, keys);
    } catch (e) {
      throw new Error(`SQL predicate "${where}": ${(e as Error).message}`);
    }
    if (pruning.length) chosen = await partsSatisfying(order.map((i) => values[i]), pruning).then((kept) => kept.map((k) => order[k]));
  }
  if (chosen.length === 0) {
    const have = [...new Set(listed.map((p) => keys.map((k) => `${k}=${p.partition[k]}`).join("/")))].join(", ");
    throw new DataFileError(root, `no part satisfies ${pruning.join(" AND ")}; the dataset has ${have}`);
  }
  const tables = chosen.map((i) => {
    const table = readParquet(readBytes(listed[i].file, "dataset part"), listed[i].file);
    const clash = table.schema.fields.find((f) => isPartitionKey(keys, f.name));
    if (clash) throw new DataFileError(listed[i].file, `has a column "${clash.name}", which is also a partition key of the dataset`);
    return {table, partition: values[i]};
  });
  return {db: await openDatasetDb(tables, where), read: chosen.map((i) => listed[i]), total: listed.length, pruning};
}

const isPartitionKey = (keys: readonly string[], name: string) => keys.some((k) => k.toLowerCase() === name.toLowerCase());

/** Indices of the partitions satisfying every term, run by DuckDB over a table of the partitions. */
async function partsSatisfying(partitions: readonly TypedPartition[], terms: readonly string[]): Promise<number[]> {
  const columns: {[name: string]: arrow.Vector} = {[PART_INDEX]: arrow.vectorFromArray(Int32Array.from(partitions, (_, i) => i))};
  for (const k of Object.keys(partitions[0])) {
    const v = partitions.map((p) => p[k]);
    columns[k] = typeof v[0] === "bigint" ? arrow.vectorFromArray(BigInt64Array.from(v as bigint[])) : arrow.vectorFromArray(v as string[], new arrow.Utf8());
  }
  const db = await openFeatureDb(new arrow.Table(columns));
  try {
    const result = db.query(pruningQuery(terms));
    return Array.from(result.getChild(PART_INDEX)!.toArray() as Int32Array);
  } finally {
    db.close();
  }
}

/**
 * The dataset under `root` packed for a page (lib/io/partitionedQuery.ts): its parts' bytes end
 * to end in partition order, and a manifest giving each part's path (relative to `root`),
 * partition values, byte range and rows. `name` is how the manifest names the dataset.
 */
export async function packDataset(root: string, name = root): Promise<{manifest: PartsManifest; bytes: Uint8Array}> {
  const listed = listParts(root);
  const values = typedPartitions(listed.map((p) => p.partition));
  const order = listed.map((_, i) => i).sort((a, b) => comparePartitions(values[a], values[b]));
  const files = order.map((i) => readBytes(listed[i].file, "dataset part"));
  const parts: PackedPart[] = [];
  let offset = 0;
  for (const [k, i] of order.entries()) {
    const {rows} = await readParquetMetadata(files[k], listed[i].file);
    parts.push({path: relative(root, listed[i].file) || basename(root), partition: listed[i].partition, offset, bytes: files[k].length, rows});
    offset += files[k].length;
  }
  const bytes = new Uint8Array(offset);
  files.forEach((f, k) => bytes.set(f, parts[k].offset));
  return {manifest: {dataset: name, keys: Object.keys(listed[0].partition), parts}, bytes};
}
