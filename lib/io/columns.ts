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

/** Concatenates column sets (same names, same types) into one; no parts give no columns. */
export function concatColumns<C extends {[name: string]: Columns[string] | Uint8Array}>(parts: C[]): C {
  if (parts.length === 1) return parts[0];
  const out = {} as C;
  if (!parts.length) return out;
  for (const name of Object.keys(parts[0])) {
    const n = parts.reduce((s, p) => s + p[name].length, 0);
    const col = new (parts[0][name].constructor as new (n: number) => C[string])(n);
    let at = 0;
    for (const p of parts) { col.set(p[name] as never, at); at += p[name].length; }
    (out as {[name: string]: unknown})[name] = col;
  }
  return out;
}
