// Column sets (lib/io/columns.ts `Columns`) assembled from chunks.

import type {Columns} from "../lib/io/columns.js";

/** Concatenates column sets (same names, same types) into one. */
export function concatColumns(parts: Columns[]): Columns {
  if (parts.length === 1) return parts[0];
  const out: Columns = {};
  for (const name of Object.keys(parts[0])) {
    const n = parts.reduce((s, p) => s + p[name].length, 0);
    const col = new (parts[0][name].constructor as Float64ArrayConstructor | Int32ArrayConstructor)(n);
    let at = 0;
    for (const p of parts) { col.set(p[name] as never, at); at += p[name].length; }
    out[name] = col;
  }
  return out;
}
