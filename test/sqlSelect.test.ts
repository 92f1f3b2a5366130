// SQL selection over a feature table with DuckDB-wasm in Node (same engine as the pages).
import {describe, expect, it} from "vitest";
import * as arrow from "apache-arrow";
import {openFeatureDb, querySql, selectEvents, selectEventsSql} from "../data-loaders/io/sqlSelect.js";
import {encodeParquet} from "../data-loaders/io/parquet.js";

// 50 events × 2 channels, event-major like lib/dsp/features.ts: row = i·2 + c.
function smallTable() {
  const n = 50, rows = 2 * n;
  const event = new Int32Array(rows), channel = new Int32Array(rows), label = new Int32Array(rows);
  const pulse_height_V = new Float64Array(rows);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      const r = i * 2 + c;
      event[r] = i;
      channel[r] = c;
      label[r] = i % 5 === 0 ? 4 : 1; // every fifth event a SQUID jump
      pulse_height_V[r] = (c === 0 ? 1 : 0.3) * (i / 50); // 0 … 0.98 V phonon
    }
  }
  return {event, channel, label, pulse_height_V};
}

describe("sqlSelect", () => {
  const cols = smallTable();
  const table = arrow.makeTable(cols);

  it("selects events by a predicate, per channel and over all channels", async () => {
    const ev = await selectEvents(table, "label = 1 AND pulse_height_V BETWEEN 0.2 AND 0.6", {channel: 0});
    // phonon heights i/50 in [0.2, 0.6] → i = 10…30, minus multiples of 5 (label 4): 21 − 5 = 16
    const expected: number[] = [];
    for (let i = 10; i <= 30; i++) if (i % 5 !== 0) expected.push(i);
    expect(Array.from(ev)).toEqual(expected);
    // Without the channel the light channel can also match (0.3·i/50 ∈ [0.2, 0.6] → i ≥ 34): union, distinct.
    const any = await selectEvents(table, "label = 1 AND pulse_height_V BETWEEN 0.2 AND 0.6");
    expect(any.length).toBe(16 + 13); // i = 34…49 without 35, 40, 45
    // An OR in the predicate must not escape the channel condition.
    const or = await selectEvents(table, "event = 3 OR event = 4", {channel: 1});
    expect(Array.from(or)).toEqual([3, 4]);
  });

  it("reads Parquet bytes and runs general SQL", async () => {
    const bytes = encodeParquet(cols);
    const t = await querySql(bytes, "SELECT channel, count(*) AS n, avg(pulse_height_V) AS mean FROM features WHERE label = 1 GROUP BY channel ORDER BY channel");
    expect(t.numRows).toBe(2);
    expect(Number(t.getChild("n")!.get(0))).toBe(40);
    expect(t.getChild("mean")!.get(1)).toBeCloseTo((0.3 / 50) * (1225 - 225) / 40, 12);
  });

  it("keeps several open tables apart", async () => {
    const a = await openFeatureDb(table);
    const b = await openFeatureDb(arrow.makeTable({event: new Int32Array([7]), channel: new Int32Array([0])}));
    try {
      expect(Number(a.query("SELECT count(*) AS n FROM features").getChild("n")!.get(0))).toBe(100);
      expect(Array.from(b.selectEvents("true"))).toEqual([7]);
    } finally {
      a.close();
      b.close();
    }
  });

  it("reports bad SQL with the predicate and DuckDB's message", async () => {
    await expect(selectEvents(table, "pulse_height_V >")).rejects.toThrow(/pulse_height_V >.*(Parser Error|syntax error)/);
    await expect(selectEvents(table, "no_such_column = 1")).rejects.toThrow(/no_such_column = 1.*no_such_column/s);
    expect(selectEventsSql("a OR b", 1)).toBe("SELECT DISTINCT event FROM features WHERE (a OR b) AND channel = 1 ORDER BY event");
  });
});
