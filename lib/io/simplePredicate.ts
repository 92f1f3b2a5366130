// The simplest predicates of processing configs (`label = 1 AND pulse_height_V BETWEEN 0.2 AND 1`,
// `abs(baseline_slope_V_per_s) < 0.05`) evaluated over typed columns in JS, with DuckDB's
// semantics, so that `pulsebook process` need not start DuckDB-wasm for them: instantiating it
// costs about 3.4 CPU-s per process (measured: `node` creating the blocking build and running one
// query, 2.5 s user + 1.0 s sys), a sixth of the whole chain on the 3,000-event bench file.
//
// Only a conjunction of `true` and comparisons of a column (or abs of a float64 column) with a number
// literal is taken here; anything else (OR, NOT, other functions, arithmetic, NULL tests,
// identifiers not spelled exactly as a column, literals of more than 15 digits) returns
// undefined, and the caller asks DuckDB. Within that grammar the results are DuckDB's:
// - number literals: DuckDB reads `0.2` as DECIMAL and compares a DOUBLE column with it as DOUBLE
//   (the decimal's integer over its power of ten, both exact below 2^53: correctly rounded, the
//   value JS parses); integers compare exactly with int32 columns either way;
// - NaN: DuckDB orders NaN above every number, +Infinity included, and NaN = NaN holds;
// - −0 equals 0.
// test/simplePredicate.test.ts checks the selections against DuckDB's on columns with NaN,
// ±Infinity, ±0 and the literals' neighbouring doubles.

type Op = "<" | "<=" | ">" | ">=" | "=" | "<>";
interface Comparison { column: string; abs: boolean; op: Op; value: number }

/** A column the predicate may read. */
export type PredicateColumn = Float64Array | Int32Array;

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(<=|>=|<>|!=|==|=|<|>|\(|\)|-))/y;

function tokens(text: string): string[] | undefined {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    out.push(m[1] ?? m[2] ?? m[3]);
    at = TOKEN.lastIndex;
  }
  return out;
}

/** The comparisons of a predicate in the grammar above, or undefined. */
function parse(predicate: string, columns: {[name: string]: PredicateColumn}): Comparison[] | undefined {
  const t = tokens(predicate);
  if (!t || t.length === 0) return undefined;
  let i = 0;
  const word = (w: string) => t[i]?.toLowerCase() === w && (++i, true);
  const number = (): number | undefined => {
    const negative = t[i] === "-" && (++i, true);
    const s = t[i];
    if (s === undefined || !/^[\d.]/.test(s)) return undefined;
    // More digits than a double holds: DuckDB's wide decimals are not rounded as JS rounds.
    if (s.replace(/[eE].*$/, "").replace(/\D/g, "").replace(/^0+/, "").length > 15) return undefined;
    ++i;
    const v = Number(s);
    return Number.isFinite(v) ? (negative ? -v : v) : undefined;
  };
  const term = (): {column: string; abs: boolean} | undefined => {
    if (t[i]?.toLowerCase() === "abs" && t[i + 1] === "(") {
      const column = t[i + 2];
      if (t[i + 3] !== ")" || !(columns[column] instanceof Float64Array)) return undefined;
      i += 4;
      return {column, abs: true};
    }
    const column = t[i];
    if (column === undefined || !/^[A-Za-z_]/.test(column) || !Object.hasOwn(columns, column)) return undefined;
    if (!(columns[column] instanceof Float64Array || columns[column] instanceof Int32Array)) return undefined;
    ++i;
    return {column, abs: false};
  };
  const out: Comparison[] = [];
  do {
    if (word("true")) continue; // the default NPS selection
    const x = term();
    if (!x) return undefined;
    if (word("between")) {
      const lo = number();
      if (lo === undefined || !word("and")) return undefined;
      const hi = number();
      if (hi === undefined) return undefined;
      out.push({...x, op: ">=", value: lo}, {...x, op: "<=", value: hi});
      continue;
    }
    const o = t[i++];
    const op: Op | undefined = o === "==" ? "=" : o === "!=" ? "<>" : (["<", "<=", ">", ">=", "=", "<>"] as const).find((p) => p === o);
    if (!op) return undefined;
    const value = number();
    if (value === undefined) return undefined;
    out.push({...x, op, value});
  } while (word("and"));
  return i === t.length ? out : undefined;
}

/** DuckDB's order of doubles: NaN above everything, equal to itself; −0 = 0. */
function compare(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function holds(op: Op, c: number): boolean {
  switch (op) {
    case "<": return c < 0;
    case "<=": return c <= 0;
    case ">": return c > 0;
    case ">=": return c >= 0;
    case "=": return c === 0;
    case "<>": return c !== 0;
  }
}

/**
 * `SELECT DISTINCT event FROM features WHERE (predicate) AND channel = c ORDER BY event` over
 * `columns` (which hold `event` and `channel`), or undefined when the predicate is outside the
 * grammar this module evaluates (the caller then asks DuckDB).
 */
export function selectEventsSimple(predicate: string, columns: {[name: string]: PredicateColumn}, channel: number): Int32Array | undefined {
  const {event, channel: ch} = columns;
  if (!(event instanceof Int32Array) || !(ch instanceof Int32Array)) return undefined;
  const comparisons = parse(predicate, columns);
  if (!comparisons) return undefined;
  const picked: number[] = [];
  rows: for (let r = 0; r < event.length; r++) {
    if (ch[r] !== channel) continue;
    for (const {column, abs, op, value} of comparisons) {
      const v = columns[column][r];
      if (!holds(op, compare(abs ? Math.abs(v) : v, value))) continue rows;
    }
    picked.push(event[r]);
  }
  const out = Int32Array.from(new Set(picked));
  return out.sort();
}
