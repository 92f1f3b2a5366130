// Feature tables read in parts (lib/io/featureQuery.ts): served over HTTP by scripts/serve-dist.mjs,
// a table of several row groups is opened from its footer, two columns are read, and the rows of
// a selection come from their row groups only — every request a range request, never the whole
// file — with values equal to the table decoded whole, and SQL in Node (sqlSelect.ts) agreeing
// with counts over the columns read.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, rmSync, statSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {Rng} from "../lib/math/random.js";
import {decodeNumericColumns, openFeatureTable, rowGroupRanges, rowGroupsOf, type FeatureTable, type NumericDecoder} from "../lib/io/featureQuery.js";
import {MAX_ROW_GROUP_ROWS, readParquet, writeParquetStream, type Columns} from "../data-loaders/io/parquet.js";
import {readBytes} from "../data-loaders/io/readFile.js";
import {querySql} from "../data-loaders/io/sqlSelect.js";
import {parseRange, serveDist, type ServedRequest} from "../scripts/serve-dist.mjs";

const ROWS = 200_000, BATCH = 20_000;
let dir: string;
let server: {url: string; close(): Promise<unknown>};
const log: ServedRequest[] = [];
let table: FeatureTable;
let whole: arrow.Table;
let fileBytes: number;

function batch(k: number): Columns {
  const rng = new Rng(100 + k);
  const n = BATCH;
  return {
    event: Int32Array.from({length: n}, (_, i) => Math.floor((k * n + i) / 2)),
    channel: Int32Array.from({length: n}, (_, i) => (k * n + i) % 2),
    pulse_height_V: Float64Array.from({length: n}, () => Math.abs(rng.normal(0.3, 0.1))),
    rise_time_ms: Float64Array.from({length: n}, (_, i) => (i % 997 === 0 ? 150 : rng.normal(1.5, 0.05))),
    decay_time_ms: Float64Array.from({length: n}, () => rng.normal(5, 1)),
    label: Int32Array.from({length: n}, (_, i) => 1 + (i % 3))
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-featurequery-"));
  await writeParquetStream(join(dir, "features.parquet"), (function* () {
    for (let k = 0; k < ROWS / BATCH; ++k) yield batch(k);
  })(), {"pulsebook.table": "features"});
  fileBytes = statSync(join(dir, "features.parquet")).size;
  whole = readParquet(readBytes(join(dir, "features.parquet")), "features.parquet");
  server = await serveDist(dir, {log: (r) => log.push({...r})});
  table = await openFeatureTable({arrow, parquet}, new URL("features.parquet", server.url).href, "features.parquet");
}, 60_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, {recursive: true, force: true});
});

describe("rowGroupsOf", () => {
  it("maps row numbers to their row groups", () => {
    expect(rowGroupsOf([10, 10, 5], [24, 3, 11, 12, 0])).toEqual([{group: 0, rows: [0, 3]}, {group: 1, rows: [11, 12]}, {group: 2, rows: [24]}]);
    expect(() => rowGroupsOf([10], [10])).toThrow(/row 10 is outside the table \(10 rows\)/);
  });
});

describe("rowGroupRanges", () => {
  it("cuts the row groups into contiguous ranges of about equal rows, none empty", () => {
    // The bench's table: six full groups and a short one, for two decode workers.
    const groups = [...Array(6).fill(65_536), 6_784];
    expect(rowGroupRanges(groups, 2)).toEqual([[0, 1, 2], [3, 4, 5, 6]]);
    expect(rowGroupRanges(groups, 3)).toEqual([[0, 1], [2, 3], [4, 5, 6]]);
    expect(rowGroupRanges(groups, 1)).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
    // More parts than groups: one group each.
    expect(rowGroupRanges([10, 10], 4)).toEqual([[0], [1]]);
    // A big group first: the others still get a range each.
    expect(rowGroupRanges([100, 1, 1], 3)).toEqual([[0], [1], [2]]);
    for (const parts of [1, 2, 3, 5, 7, 9]) expect(rowGroupRanges(groups, parts).flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe("parseRange (serve-dist)", () => {
  it("reads one range, a suffix, an open end; refuses what cannot be satisfied", () => {
    expect(parseRange("bytes=0-99", 1000)).toEqual({start: 0, end: 99});
    expect(parseRange("bytes=-8", 1000)).toEqual({start: 992, end: 999});
    expect(parseRange("bytes=990-", 1000)).toEqual({start: 990, end: 999});
    expect(parseRange("bytes=990-2000", 1000)).toEqual({start: 990, end: 999});
    expect(parseRange(undefined, 1000)).toBeUndefined();
    expect(parseRange("bytes=0-1,5-6", 1000)).toBeUndefined(); // several ranges: the whole file
    expect(parseRange("bytes=1000-1001", 1000)).toBeNull();
  });
});

describe("openFeatureTable over HTTP", () => {
  it("reads the footer: rows, row groups, columns, provenance", () => {
    expect(table.numRows).toBe(ROWS);
    // The writer's row groups (data-loaders/io/parquet.ts): 65,536 rows, the last one the rest.
    expect(table.rowGroupRows).toEqual([MAX_ROW_GROUP_ROWS, MAX_ROW_GROUP_ROWS, MAX_ROW_GROUP_ROWS, ROWS - 3 * MAX_ROW_GROUP_ROWS]);
    expect(table.fields.map((f) => f.name)).toEqual(["event", "channel", "pulse_height_V", "rise_time_ms", "decay_time_ms", "label"]);
    expect(table.fields.every((f) => f.numeric)).toBe(true);
    expect(table.metadata.get("pulsebook.table")).toBe("features");
  });

  it("reads two columns by range requests, equal to the table decoded whole", async () => {
    log.length = 0;
    const {pulse_height_V, rise_time_ms} = await table.numeric(["pulse_height_V", "rise_time_ms"]);
    expect(Array.from(pulse_height_V)).toEqual(Array.from(whole.getChild("pulse_height_V")!.toArray() as Float64Array));
    expect(Array.from(rise_time_ms)).toEqual(Array.from(whole.getChild("rise_time_ms")!.toArray() as Float64Array));
    const gets = log.filter((r) => r.bytes > 0);
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((r) => r.status === 206)).toBe(true);
    // Two of six columns: well under the file's size in all.
    const fetched = gets.reduce((a, r) => a + r.bytes, 0);
    expect(fetched).toBeLessThan(0.6 * fileBytes);
  });

  it("keeps the numeric columns it read: asking again fetches nothing, a new column only itself", async () => {
    const first = await table.numeric(["pulse_height_V", "rise_time_ms"]);
    log.length = 0;
    const again = await table.numeric(["rise_time_ms", "pulse_height_V"]);
    expect(log.length).toBe(0);
    expect(again.rise_time_ms).toBe(first.rise_time_ms);
    const {decay_time_ms, pulse_height_V} = await table.numeric(["decay_time_ms", "pulse_height_V"]);
    expect(Array.from(decay_time_ms)).toEqual(Array.from(whole.getChild("decay_time_ms")!.toArray() as Float64Array));
    expect(pulse_height_V).toBe(first.pulse_height_V);
    // One more column of six: under a third of the file.
    expect(log.reduce((a, r) => a + r.bytes, 0)).toBeLessThan(fileBytes / 3);
  });

  it("fetches the rows of a selection from their row groups only", async () => {
    log.length = 0;
    const picked = [199_999, 3, 10_001, 10_002];
    const rows = await table.rows(picked, ["event", "channel", "rise_time_ms"]);
    expect(rows.map((r) => r.row)).toEqual([3, 10_001, 10_002, 199_999]);
    for (const r of rows) {
      const expected = whole.get(r.row as number)!.toJSON();
      expect([r.event, r.channel, r.rise_time_ms]).toEqual([expected.event, expected.channel, expected.rise_time_ms]);
    }
    expect(log.every((r) => r.bytes === 0 || r.status === 206)).toBe(true);
    // Two of four row groups (the first and the last, short one), three of six columns.
    expect(log.reduce((a, r) => a + r.bytes, 0)).toBeLessThan(0.5 * fileBytes);
  });

  it("counts as DuckDB in Node does on the same Parquet", async () => {
    const {channel, rise_time_ms} = await table.numeric(["channel", "rise_time_ms"]);
    let slow = 0;
    for (let i = 0; i < channel.length; ++i) if (channel[i] === 0 && rise_time_ms[i] > 100) ++slow;
    const result = await querySql(readBytes(join(dir, "features.parquet")), "SELECT count(*)::INTEGER AS n FROM features WHERE channel = 0 AND rise_time_ms > 100");
    const n = Number(result.get(0)!.n);
    expect(slow).toBe(n);
    expect(n).toBeGreaterThan(10);
  });

  it("with a decoder, reads each range of row groups with it, side by side, and puts them back in table order", async () => {
    // The page's decoder runs decodeNumericColumns in Web Workers; here it runs in this process,
    // on the file as a Blob (what the page's file input gives).
    const url = new Blob([readBytes(join(dir, "features.parquet")) as Uint8Array<ArrayBuffer>]);
    const calls: number[][] = [];
    let running = 0, most = 0;
    const decoder: NumericDecoder = {
      parallel: 3,
      async numeric(names, rowGroups) {
        calls.push([...rowGroups]);
        most = Math.max(most, ++running);
        try {
          return await decodeNumericColumns({arrow, parquet}, url, names, rowGroups, "features.parquet");
        } finally {
          --running;
        }
      }
    };
    const split = await openFeatureTable({arrow, parquet}, url, "features.parquet", {decoder});
    const [a, b] = await Promise.all([split.numeric(["event", "rise_time_ms"]), split.numeric(["rise_time_ms"])]);
    expect(calls.length).toBe(3);
    // 65,536 + 65,536 + 68,928 rows.
    expect(calls).toEqual([[0], [1], [2, 3]]);
    expect(most).toBe(3);
    // The second ask, made while the first read was going, waited for it: one array.
    expect(b.rise_time_ms).toBe(a.rise_time_ms);
    expect(Array.from(a.rise_time_ms)).toEqual(Array.from(whole.getChild("rise_time_ms")!.toArray() as Float64Array));
    expect(Array.from(a.event)).toEqual(Array.from(whole.getChild("event")!.toArray() as Int32Array));
    await expect(decodeNumericColumns({arrow, parquet}, url, ["nope"], [0], "features.parquet")).rejects.toThrow(/features\.parquet.*nope/);
  });

  it("names the file and the column that is not there", async () => {
    await expect(table.numeric(["pulse_height_A"])).rejects.toThrow(/features\.parquet.*no column "pulse_height_A"/);
    await expect(openFeatureTable({arrow, parquet}, new URL("missing.parquet", server.url).href, "missing.parquet")).rejects.toThrow(/missing\.parquet/);
  });
});
