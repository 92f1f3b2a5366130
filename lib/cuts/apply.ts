// Applying cuts to a feature table: which events pass each cut, and the pulse-height spectrum
// before and after (survival). SQL cuts run in DuckDB, which the caller passes in as a
// function (Node: data-loaders/io/sqlSelect.ts; pages: DuckDBClient), polygon cuts run here.

import {selectInPolygon} from "../labels/selection.js";
import type {Cut} from "./cut.js";
import {checkPredicate} from "../io/sqlPredicate.js";

/** The columns a cut needs, per row of the feature table. */
export interface CutTable {
  event: ArrayLike<number>;
  channel: ArrayLike<number>;
  column(name: string): ArrayLike<number> | undefined;
}

/** SELECT for the events passing an SQL cut (table `features`). */
export function sqlCutQuery(cut: Extract<Cut, {kind: "sql"}>): string {
  // Checked again here, as a cut object need not have come through validateCut.
  try {
    checkPredicate(cut.where);
  } catch (e) {
    throw new Error(`cut "${cut.name}": "where" must be a single predicate: ${(e as Error).message}`);
  }
  return cut.channel === undefined
    ? `SELECT event FROM features GROUP BY event HAVING bool_and(coalesce((${cut.where}), false)) ORDER BY event`
    : `SELECT DISTINCT event FROM features WHERE channel = ${cut.channel} AND coalesce((${cut.where}), false) ORDER BY event`;
}

/** Sorted distinct events of the table. */
export function tableEvents(table: CutTable): Int32Array {
  return Int32Array.from(new Set(Array.from(table.event))).sort();
}

/**
 * Pass flags of `cut` over `events` (sorted distinct event numbers): 1 = the event passes.
 * `sql` runs a query and returns the `event` column of its rows.
 */
export async function evaluateCut(cut: Cut, table: CutTable, events: Int32Array, sql: (query: string) => Promise<ArrayLike<number>>): Promise<Uint8Array> {
  const pass = new Uint8Array(events.length);
  const position = new Map<number, number>();
  events.forEach((e, i) => position.set(e, i));
  let passing: ArrayLike<number>;
  if (cut.kind === "sql") {
    passing = await sql(sqlCutQuery(cut));
  } else {
    const xs = table.column(cut.x), ys = table.column(cut.y);
    if (!xs) throw new Error(`cut "${cut.name}": the table has no column ${cut.x}`);
    if (!ys) throw new Error(`cut "${cut.name}": the table has no column ${cut.y}`);
    const rows: number[] = [];
    for (let r = 0; r < table.channel.length; ++r) if (table.channel[r] === cut.channel) rows.push(r);
    const inside = selectInPolygon(Float64Array.from(rows, (r) => xs[r]), Float64Array.from(rows, (r) => ys[r]), cut.polygon);
    passing = Array.from(inside, (k) => table.event[rows[k]]);
  }
  for (let k = 0; k < passing.length; ++k) {
    const i = position.get(Number(passing[k]));
    if (i !== undefined) pass[i] = 1;
  }
  return pass;
}

export interface Survival {
  /** Bin edges of the spectrum (bins + 1). */
  edges: number[];
  /** Counts before any cut. */
  before: number[];
  /** Per cut, counts of events passing it and every cut before it (in the given order). */
  after: number[][];
  /** Per cut: events passing it alone, and passing it and all before it. */
  passedAlone: number[];
  passedCumulative: number[];
  events: number;
}

/**
 * Spectra of `values` (one per event, e.g. the phonon pulse height) before and after each cut,
 * cumulatively in order, over `bins` equal bins spanning the finite values.
 */
export function survival(values: ArrayLike<number>, passes: readonly Uint8Array[], bins = 60): Survival {
  const n = values.length;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; ++i) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const edges = Array.from({length: bins + 1}, (_, k) => lo + k * width);
  const binOf = (v: number) => (Number.isFinite(v) ? Math.min(bins - 1, Math.floor((v - lo) / width)) : -1);
  const histogram = (keep: (i: number) => boolean) => {
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < n; ++i) {
      const b = binOf(values[i]);
      if (b >= 0 && keep(i)) ++counts[b];
    }
    return counts;
  };
  const alive = new Uint8Array(n).fill(1);
  const after: number[][] = [];
  const passedAlone: number[] = [];
  const passedCumulative: number[] = [];
  for (const pass of passes) {
    if (pass.length !== n) throw new RangeError(`pass flags have ${pass.length} entries, expected ${n}`);
    let alone = 0, both = 0;
    for (let i = 0; i < n; ++i) {
      alone += pass[i];
      alive[i] &= pass[i];
      both += alive[i];
    }
    passedAlone.push(alone);
    passedCumulative.push(both);
    after.push(histogram((i) => alive[i] === 1));
  }
  return {edges, before: histogram(() => true), after, passedAlone, passedCumulative, events: n};
}
