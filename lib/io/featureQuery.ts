// A feature table read in parts: the Parquet footer first (schema, row groups, provenance), then
// only the columns a figure needs, and for a selection only the row groups holding its rows.
// From a URL, parquet-wasm's async reader fetches those byte ranges with HTTP range requests; from
// a File it reads slices of it. A million-row table is therefore never fetched or decoded whole
// to draw two columns. SQL over what was read is DuckDB-wasm's (the page registers the Arrow
// table with DuckDBClient): DuckDB-wasm 1.29 cannot read Parquet itself offline — its parquet
// extension would be downloaded. The Arrow and an initialised parquet-wasm module are passed in
// (pages: `npm:apache-arrow`, `npm:parquet-wasm`), as for lib/labels/parquet.ts.
// Whole numeric columns (the scatter's) can be decoded elsewhere — the labeling page passes a
// `decoder` running decodeNumericColumns in Web Workers, one contiguous range of row groups each —
// so that the page's thread never runs the Parquet decoder for a first render.

import type * as ArrowModule from "apache-arrow";
import type * as ParquetModule from "parquet-wasm";
import {DataFileError} from "./errors.js";

export interface FeatureQueryModules {
  arrow: Pick<typeof ArrowModule, "tableFromIPC">;
  parquet: Pick<typeof ParquetModule, "ParquetFile">;
}

export interface FeatureField {
  name: string;
  /** Integer or floating-point (a scatter can plot it). */
  numeric: boolean;
}

export interface FeatureTable {
  /** The file's name, for messages. */
  name: string;
  numRows: number;
  /** Rows in each row group, in file order. */
  rowGroupRows: number[];
  fields: FeatureField[];
  /** Key-value metadata (provenance written by Pulsebook). */
  metadata: Map<string, string>;
  /** The named columns as an Arrow table, of every row or of the given row groups only. */
  columns(names: readonly string[], rowGroups?: readonly number[]): Promise<ArrowModule.Table>;
  /**
   * The named numeric columns of every row as Float64Arrays (null stays NaN). Columns not read
   * before are read together in one pass; each is then kept (8 bytes a row), so that asking
   * again (another cell, another axis choice) reads nothing. Shared arrays: do not modify them.
   */
  numeric(names: readonly string[]): Promise<Record<string, Float64Array>>;
  /** The rows at `indices` (table row numbers), reading only the row groups that hold them. */
  rows(indices: ArrayLike<number>, names?: readonly string[]): Promise<Record<string, unknown>[]>;
}

/**
 * Decodes numeric columns of some row groups somewhere else (e.g. in a Web Worker running
 * decodeNumericColumns on the same source): `numeric(names, rowGroups)` gives the columns of
 * those row groups, back to back, as Float64Arrays. `parallel` calls may run at once.
 */
export interface NumericDecoder {
  parallel: number;
  numeric(names: readonly string[], rowGroups: readonly number[]): Promise<Record<string, Float64Array>>;
}

export interface FeatureTableOptions {
  /** Where `numeric` decodes the columns it has not read yet (default: here, in one pass). */
  decoder?: NumericDecoder;
}

/** Start row of each row group, and the total (one more entry than groups). */
export function rowGroupStarts(rowGroupRows: readonly number[]): number[] {
  const starts = [0];
  for (const n of rowGroupRows) starts.push(starts[starts.length - 1] + n);
  return starts;
}

/**
 * The row groups that hold the rows `indices`, ascending, each with the rows it holds (as table
 * row numbers, ascending). Throws for a row number outside the table.
 */
export function rowGroupsOf(rowGroupRows: readonly number[], indices: ArrayLike<number>): {group: number; rows: number[]}[] {
  const starts = rowGroupStarts(rowGroupRows);
  const total = starts[starts.length - 1];
  const sorted = Float64Array.from(indices).sort();
  const out: {group: number; rows: number[]}[] = [];
  let g = 0;
  for (const row of sorted) {
    if (!(Number.isInteger(row) && row >= 0 && row < total)) throw new RangeError(`row ${row} is outside the table (${total} rows)`);
    while (row >= starts[g + 1]) ++g;
    if (out.length === 0 || out[out.length - 1].group !== g) out.push({group: g, rows: []});
    out[out.length - 1].rows.push(row);
  }
  return out;
}

/**
 * The row groups cut into at most `parts` contiguous ranges of about equal rows (none empty), in
 * file order: one range per decoder, so that the columns come back in table order when the
 * ranges' results are put back to back.
 */
export function rowGroupRanges(rowGroupRows: readonly number[], parts: number): number[][] {
  const starts = rowGroupStarts(rowGroupRows);
  const total = starts[starts.length - 1];
  const n = Math.max(1, Math.min(Math.floor(parts), rowGroupRows.length));
  const out: number[][] = [];
  let g = 0;
  for (let k = 1; k <= n; ++k) {
    const range: number[] = [];
    // A range ends at the group boundary nearest to k/n of the rows, leaving a group for each range after it.
    while (g < rowGroupRows.length - (n - k) && (range.length === 0 || k === n || Math.abs(starts[g + 1] - (k * total) / n) <= Math.abs(starts[g] - (k * total) / n))) range.push(g++);
    if (range.length) out.push(range);
  }
  return out;
}

/** The named columns of an Arrow table as Float64Arrays (null → NaN, int64 → number). */
export function float64Columns(table: ArrowModule.Table, names: readonly string[]): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const n of names) {
    const v = table.getChild(n);
    if (!v) throw new Error(`no column "${n}" in the decoded table`);
    const a = new Float64Array(table.numRows);
    let i = 0;
    // Chunk by chunk: a block copy for float64 without nulls, else value by value.
    for (const chunk of v.data) {
      const values = chunk.values as Float64Array | Int32Array | BigInt64Array;
      const nulls = chunk.nullCount;
      // Typed-array set converts int32 (event, channel) to float64 natively; BigInt64 cannot be set.
      if (!nulls && !(values instanceof BigInt64Array)) a.set(values.subarray(chunk.offset, chunk.offset + chunk.length), i);
      else if (!nulls) for (let k = 0; k < chunk.length; ++k) a[i + k] = Number(values[chunk.offset + k]);
      else for (let k = 0; k < chunk.length; ++k) a[i + k] = v.isValid(i + k) ? Number(values[chunk.offset + k]) : NaN;
      i += chunk.length;
    }
    out[n] = a;
  }
  return out;
}

function openParquet(parquet: FeatureQueryModules["parquet"], source: string | Blob): Promise<ParquetModule.ParquetFile> {
  return typeof source === "string" ? parquet.ParquetFile.fromUrl(source) : parquet.ParquetFile.fromFile(source);
}

/** Reads `names` of the given row groups (default: all) with a reader of its own, as an Arrow table. */
async function readArrow({arrow, parquet}: FeatureQueryModules, source: string | Blob, names: readonly string[], rowGroups?: readonly number[]): Promise<ArrowModule.Table> {
  // A fresh reader per read (one footer fetch): parquet-wasm 0.8's async reader can stall on a
  // second read of the same file after a read of every row group.
  const reader = await openParquet(parquet, source);
  try {
    const table = await reader.read({columns: [...names], ...(rowGroups ? {rowGroups: [...rowGroups]} : {}), batchSize: 65_536});
    return arrow.tableFromIPC(table.intoIPCStream());
  } finally {
    reader.free();
  }
}

/**
 * The numeric columns `names` of the given row groups of a Parquet table (URL or Blob) as
 * Float64Arrays, decoded here: what a decode worker runs for NumericDecoder.numeric. `name`
 * names the file in errors.
 */
export async function decodeNumericColumns(modules: FeatureQueryModules, source: string | Blob, names: readonly string[], rowGroups: readonly number[] | undefined, name: string): Promise<Record<string, Float64Array>> {
  try {
    return float64Columns(await readArrow(modules, source, names, rowGroups), names);
  } catch (e) {
    throw new DataFileError(name, `columns ${names.join(", ")} cannot be decoded (${(e as Error)?.message ?? e})`);
  }
}

const NUMERIC = /^(Int|Uint|Float)/;

/** Opens a feature table by URL (range requests) or File/Blob (slices); reads the footer only. */
export async function openFeatureTable({arrow, parquet}: FeatureQueryModules, source: string | Blob, name: string, {decoder}: FeatureTableOptions = {}): Promise<FeatureTable> {
  let file: ParquetModule.ParquetFile;
  if (typeof source === "string") {
    // parquet-wasm's reader aborts the wasm module on an HTTP error: ask first.
    let response: Response;
    try {
      response = await fetch(source, {method: "HEAD"});
    } catch (e) {
      throw new DataFileError(name, `cannot be fetched from ${source} (${(e as Error)?.message ?? e})`);
    }
    if (!response.ok) throw new DataFileError(name, `cannot be fetched from ${source} (HTTP ${response.status})`);
  }
  try {
    file = await openParquet(parquet, source);
  } catch (e) {
    throw new DataFileError(name, `not a readable Parquet file (${(e as Error)?.message ?? e})`);
  }
  const meta = file.metadata();
  const rowGroupRows = meta.rowGroups().map((g) => g.numRows());
  const numRows = meta.fileMetadata().numRows();
  const schema = arrow.tableFromIPC(file.schema().intoIPCStream()).schema;
  const fields = schema.fields.map((f) => ({name: f.name, numeric: NUMERIC.test(String(f.type))}));
  const metadata = new Map<string, string>();
  for (const [k, v] of meta.fileMetadata().keyValueMetadata()) if (k !== "ARROW:schema") metadata.set(String(k), String(v));
  for (const [k, v] of schema.metadata) if (!metadata.has(k)) metadata.set(k, v);
  const known = new Set(fields.map((f) => f.name));
  const check = (names: readonly string[]) => {
    const missing = names.filter((n) => !known.has(n));
    if (missing.length) throw new DataFileError(name, `no column ${missing.map((m) => `"${m}"`).join(", ")} in the feature table (it has ${[...known].join(", ")})`);
  };

  async function columns(names: readonly string[], rowGroups?: readonly number[]): Promise<ArrowModule.Table> {
    check(names);
    return readArrow({arrow, parquet}, source, names, rowGroups);
  }

  /** Columns not read before, decoded by the decoder (one row-group range per call, at once) or here. */
  async function decodeAll(names: readonly string[]): Promise<Record<string, Float64Array>> {
    if (!decoder) return float64Columns(await columns(names), names);
    const parts = await Promise.all(rowGroupRanges(rowGroupRows, decoder.parallel).map((groups) => decoder.numeric(names, groups)));
    if (parts.length === 1) return parts[0];
    const out: Record<string, Float64Array> = {};
    for (const n of names) {
      const a = (out[n] = new Float64Array(numRows));
      let i = 0;
      for (const part of parts) a.set(part[n], i), (i += part[n].length);
      if (i !== numRows) throw new DataFileError(name, `column ${n}: the decoder gave ${i} rows, the footer says ${numRows}`);
    }
    return out;
  }

  // Promises, so that a second ask while the first read is still going waits for that read.
  const numericCache = new Map<string, Promise<Float64Array>>();
  return {
    name,
    numRows,
    rowGroupRows,
    fields,
    metadata,
    columns,
    async numeric(names) {
      const missing = [...new Set(names)].filter((n) => !numericCache.has(n));
      if (missing.length) {
        check(missing);
        const read = decodeAll(missing);
        for (const n of missing) {
          const one = read.then((cols) => cols[n]);
          numericCache.set(n, one);
          // A failed read is not kept: asking again reads again.
          one.catch(() => numericCache.delete(n));
        }
      }
      const arrays = await Promise.all(names.map((n) => numericCache.get(n)!));
      return Object.fromEntries(names.map((n, k) => [n, arrays[k]]));
    },
    async rows(indices, names = fields.map((f) => f.name)) {
      const groups = rowGroupsOf(rowGroupRows, indices);
      if (!groups.length) return [];
      const starts = rowGroupStarts(rowGroupRows);
      const t = await columns(names, groups.map((g) => g.group));
      // The read table holds the chosen groups back to back: find each row's place in it.
      const out: Record<string, unknown>[] = [];
      let offset = 0;
      for (const {group, rows} of groups) {
        for (const row of rows) {
          const r = t.get(offset + row - starts[group])!.toJSON() as Record<string, unknown>;
          out.push({row, ...r});
        }
        offset += rowGroupRows[group];
      }
      return out;
    }
  };
}
