// Columns of a table slice as typed arrays by name: what feature tables are built from, on
// either side (Node writes them as Parquet, pages get them from DuckDB).

/** Columns of equal length, by name: the in-memory form of a table slice. */
export type Columns = {[name: string]: Int32Array | Float64Array | Float32Array};

/** Number of rows of a column set (throws when the columns disagree). */
export function rowCount(columns: Columns): number {
  let n: number | undefined;
  for (const [name, values] of Object.entries(columns)) {
    if (!ArrayBuffer.isView(values)) throw new TypeError(`column ${name} is not a typed array`);
    if (n !== undefined && values.length !== n) throw new RangeError(`column ${name} has ${values.length} rows, expected ${n}`);
    n = values.length;
  }
  return n ?? 0;
}
