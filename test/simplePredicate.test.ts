// lib/io/simplePredicate.ts selects what DuckDB selects, for every predicate it takes; the
// others are left to DuckDB (undefined).
import {describe, expect, it} from "vitest";
import fc from "fast-check";
import * as arrow from "apache-arrow";
import {openFeatureDb} from "../data-loaders/io/sqlSelect.js";
import {selectEventsSimple} from "../lib/io/simplePredicate.js";
import {selectPerChannel} from "../data-loaders/pipeline/processContext.js";

const LITERALS = ["0.2", "1", "0.05", "-0.05", "1e-3", "0", "-0", "3", ".5", "2.5e2", "0.1", "-7", "123.456"];

/** The double next to x towards +∞ (up) or −∞. */
function next(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const i = new BigInt64Array(b.buffer);
  i[0] += (x > 0) === up ? 1n : -1n;
  return b[0];
}

const special = [NaN, Infinity, -Infinity, 0, -0, ...LITERALS.flatMap((l) => [Number(l), next(Number(l), true), next(Number(l), false)])];
const value = fc.oneof(fc.constantFrom(...special), fc.double({min: -300, max: 300, noNaN: true}));
const literal = fc.constantFrom(...LITERALS);
const column = fc.constantFrom("x", "y", "label");
const op = fc.constantFrom("<", "<=", ">", ">=", "=", "<>", "!=", "==");
const comparison = fc.oneof(
  fc.constantFrom("true", "TRUE"),
  fc.tuple(column, op, literal).map(([c, o, l]) => `${c} ${o} ${l}`),
  fc.tuple(fc.constantFrom("x", "y"), op, literal).map(([c, o, l]) => `abs(${c}) ${o} ${l}`),
  fc.tuple(column, literal, literal).map(([c, a, b]) => `${c} BETWEEN ${a} AND ${b}`),
  fc.tuple(fc.constantFrom("x", "y"), literal, literal).map(([c, a, b]) => `ABS(${c}) between ${a} and ${b}`)
);
const predicate = fc.array(comparison, {minLength: 1, maxLength: 3}).map((cs) => cs.join(" AND "));

describe("simple predicates", () => {
  it("select what DuckDB selects, NaN, ±Infinity, ±0 and the literals' neighbours included", async () => {
    const rows = 400;
    const values = fc.sample(value, {numRuns: 2 * rows, seed: 17});
    const table = {
      event: Int32Array.from({length: rows}, (_, i) => i >> 1 ^ (i % 7 === 0 ? 1 : 0)),
      channel: Int32Array.from({length: rows}, (_, i) => i & 1),
      x: Float64Array.from(values.slice(0, rows)),
      y: Float64Array.from(values.slice(rows)),
      label: Int32Array.from({length: rows}, (_, i) => (i * 7919) % 5 - 1)
    };
    const db = await openFeatureDb(arrow.makeTable(table));
    try {
      let nonEmpty = 0;
      fc.assert(fc.property(predicate, fc.constantFrom(0, 1), (p, c) => {
        const mine = selectEventsSimple(p, table, c);
        expect(mine, p).toBeInstanceOf(Int32Array);
        const duck = db.selectEvents(p, {channel: c});
        expect(Array.from(mine!), `${p} on channel ${c}`).toEqual(Array.from(duck));
        if (duck.length > 0 && duck.length < rows / 2) nonEmpty++;
      }), {numRuns: 400, seed: 4});
      // The comparison is not vacuous: most predicates pick some rows and leave others.
      expect(nonEmpty).toBeGreaterThan(100);
    } finally {
      db.close();
    }
  });

  it("leaves everything else to DuckDB", () => {
    const t = {event: new Int32Array([0, 1]), channel: new Int32Array([0, 0]), x: new Float64Array([1, 2]), f: new Float32Array([1, 2]) as unknown as Float64Array};
    for (const p of ["x > 1 OR x < 0", "NOT x > 1", "x + 1 > 2", "X > 1", "x IS NULL", "sqrt(x) > 1", "x > 1.0000000000000001", "f > 1", "x > 1 AND", "(x > 1)", "x > y", "x > 1; DROP TABLE features", "x > 'a'", "false", "true OR x > 1", "x = true"]) {
      expect(selectEventsSimple(p, t, 0), p).toBeUndefined();
    }
    expect(Array.from(selectEventsSimple("x > 1", t, 0)!)).toEqual([1]);
  });

  it("process's selection: the same events with or without DuckDB, and DuckDB's message for a predicate it refuses", async () => {
    const table = {event: new Int32Array([3, 3, 1, 1, 2, 2]), channel: new Int32Array([0, 1, 0, 1, 0, 1]), a: new Float64Array([0.5, NaN, 2, 0.2, -1, 0.3])};
    const simple = await selectPerChannel(table, [0, 1], (c) => (c === 0 ? "a BETWEEN 0.2 AND 1" : "a > 0.2"), "sev.selection");
    const duck = await selectPerChannel(table, [0, 1], (c) => (c === 0 ? "a BETWEEN 0.2 AND 1 OR 1 = 0" : "a > 0.2 OR 1 = 0"), "sev.selection");
    expect([...simple].map(([c, e]) => [c, Array.from(e)])).toEqual([[0, [3]], [1, [2, 3]]]);
    expect([...duck].map(([c, e]) => [c, Array.from(e)])).toEqual([...simple].map(([c, e]) => [c, Array.from(e)]));
    await expect(selectPerChannel(table, [0], () => "b > 1", "nps.selection", "run.yaml")).rejects.toThrow(/run\.yaml.*nps\.selection.*b/);
  });
});
