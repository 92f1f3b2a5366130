// What a command wrote, reduced to what a user would compute with: the values of Parquet
// tables, HDF5 datasets and JSON files, without provenance (times, paths, hashes of inputs),
// so that the output on a mutated input can be compared with the output on the valid one.
import {existsSync, readdirSync, readFileSync, statSync} from "node:fs";
import {join} from "node:path";
import {sha256Hex, stableJson} from "../../lib/hash.js";
import {readParquet} from "../../data-loaders/io/parquet.js";
import {h5} from "../../data-loaders/io/node.js";

/** Keys of JSON and metadata that record how and when, not what. */
const VOLATILE = /seconds|time|date|created|command|host|pid|version|hash|lineage|input|output|config|path|file|source|store|ran|reused/i;

const plain = (v: unknown): unknown => {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, plain);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([k]) => !VOLATILE.test(k)).map(([k, x]) => [k, plain(x)]));
  }
  return v;
};

/** Column → values of a Parquet file. */
export function parquetValues(path: string): {rows: number; columns: {[name: string]: unknown[]}} {
  const table = readParquet(new Uint8Array(readFileSync(path)), path);
  const columns: {[name: string]: unknown[]} = {};
  for (const field of table.schema.fields) columns[field.name] = plain(Array.from(table.getChild(field.name)!.toArray() as ArrayLike<unknown>)) as unknown[];
  return {rows: table.numRows, columns};
}

/** Dataset path → values of an HDF5 file (attributes left out: they hold provenance); `only` one dataset. */
export async function hdf5Values(path: string, only?: string): Promise<{[dataset: string]: unknown}> {
  const lib = await h5();
  const file = new lib.File(path, "r");
  const out: {[dataset: string]: unknown} = {};
  try {
    if (only) {
      const item = file.get(only) as InstanceType<typeof lib.Dataset> | undefined;
      return {[only]: item instanceof lib.Dataset ? {shape: item.shape, dtype: item.dtype, sha: sha256Hex(stableJson(plain(item.value)))} : "absent"};
    }
    const walk = (group: InstanceType<typeof lib.Group>, prefix: string) => {
      for (const key of group.keys()) {
        const item = group.get(key);
        if (item instanceof lib.Group) walk(item, `${prefix}${key}/`);
        else if (item instanceof lib.Dataset) out[`${prefix}${key}`] = {shape: item.shape, dtype: item.dtype, sha: sha256Hex(stableJson(plain(item.value)))};
      }
    };
    walk(file, "");
  } finally {
    file.close();
  }
  return out;
}

/** A fingerprint of what `path` holds (file or folder; absent → "absent"; `FILE.h5#dataset`: that dataset). */
export async function outputFingerprint(path: string): Promise<{sha: string; summary: unknown}> {
  const [file, dataset] = path.split("#");
  if (dataset) {
    const summary = existsSync(file) ? await hdf5Values(file, dataset) : "absent";
    return {sha: summary === "absent" ? "absent" : sha256Hex(stableJson(summary)), summary};
  }
  if (!existsSync(path)) return {sha: "absent", summary: "absent"};
  const summary = await describe(path);
  return {sha: sha256Hex(stableJson(summary)), summary};
}

async function describe(path: string): Promise<unknown> {
  const st = statSync(path);
  if (st.isDirectory()) {
    const out: {[name: string]: unknown} = {};
    for (const name of readdirSync(path).sort()) {
      if (name.startsWith(".")) continue; // the reuse store, lock files
      out[name] = await describe(join(path, name));
    }
    return out;
  }
  if (path.endsWith(".parquet")) return parquetValues(path);
  if (path.endsWith(".h5")) return hdf5Values(path);
  if (path.endsWith(".json")) {
    try {
      return plain(JSON.parse(readFileSync(path, "utf8")));
    } catch {
      return {unreadableJson: sha256Hex(readFileSync(path))};
    }
  }
  return {bytes: sha256Hex(readFileSync(path))};
}
