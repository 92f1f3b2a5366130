// The page's side of a Hive-partitioned dataset (lib/io/partitionedQuery.ts over the loader's
// packed parts, data-loaders/io/partitionedDataset.ts packDataset): the page's table equals the
// table one process writes, and Node's read of the same dataset for the same predicate; a
// predicate over partition columns fetches only the parts it can match (the range requests are
// counted); a predicate that is code is refused before anything is fetched.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {encodeParquet} from "../data-loaders/io/parquet.js";
import {openDataset, packDataset} from "../data-loaders/io/partitionedDataset.js";
import {querySql} from "../data-loaders/io/sqlSelect.js";
import {checkManifest, readPartitioned, type PartsManifest, type RunSql, type SqlResult} from "../lib/io/partitionedQuery.js";

const SHARDS = [0, 1, 2, 3, 10], EVENTS = 6;
let root: string, manifest: PartsManifest, packed: Uint8Array;
// What one process writes for run "cal": every shard's events in order, two channels each.
const single = (() => {
  const n = SHARDS.length * EVENTS * 2;
  const event = Int32Array.from({length: n}, (_, r) => Math.floor(r / 2));
  const channel = Int32Array.from({length: n}, (_, r) => r % 2);
  const pulse_height_V = Float64Array.from(event, (e, r) => Math.sin(e * 1.7 + r) + 1);
  return {event, channel, pulse_height_V};
})();
const shardOfRow = (r: number) => SHARDS[Math.floor(r / (EVENTS * 2))];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "pulsebook-page-dataset-"));
  SHARDS.forEach((shard, s) => {
    const rows = [s * EVENTS * 2, (s + 1) * EVENTS * 2];
    const dir = join(root, "run=cal", `shard=${shard}`);
    mkdirSync(dir, {recursive: true});
    writeFileSync(join(dir, "part.parquet"), encodeParquet({event: single.event.slice(...rows), channel: single.channel.slice(...rows), pulse_height_V: single.pulse_height_V.slice(...rows)}));
  });
  ({manifest, bytes: packed} = await packDataset(root, "parts/events"));
  manifest = checkManifest(JSON.parse(JSON.stringify(manifest)), "processed-parts.json");
});
afterAll(() => rmSync(root, {recursive: true, force: true}));

/** The page's range fetch over the packed file, counting requests. */
function fetcher() {
  const requests: [number, number][] = [];
  const fetchRange = async (offset: number, bytes: number) => (requests.push([offset, bytes]), packed.slice(offset, offset + bytes));
  return {requests, fetchRange};
}
// DuckDB in Node stands in for the page's DuckDB-wasm (the same engine, the same SQL).
const sql: RunSql = (features, query) => querySql(features, query);
const modules = {arrow, parquet};

/** Rows as text, partition values included (bigint and number print alike). */
function rowsOf(t: SqlResult, names: string[]): string[] {
  const cols = names.map((n) => Array.from(t.getChild(n)!.toArray()));
  return Array.from({length: t.numRows}, (_, r) => cols.map((c) => String(c[r])).join("|"));
}
const NAMES = ["event", "channel", "pulse_height_V", "run", "shard"];

async function nodeRows(where?: string): Promise<string[]> {
  const {db} = await openDataset(root, where);
  try {
    return rowsOf(db.query("SELECT * FROM features"), NAMES);
  } finally {
    db.close();
  }
}

describe("a partitioned dataset in the page", () => {
  it("packs the parts in partition order (shard 10 last) with their byte ranges and rows", () => {
    expect(manifest.keys).toEqual(["run", "shard"]);
    expect(manifest.parts.map((p) => p.path)).toEqual(SHARDS.map((s) => `run=cal/shard=${s}/part.parquet`));
    expect(manifest.parts.map((p) => p.rows)).toEqual(SHARDS.map(() => EVENTS * 2));
    const last = manifest.parts.at(-1)!;
    expect(last.offset + last.bytes).toBe(packed.length);
  });

  it("reads every part into the table one process writes, as Node reads the dataset", async () => {
    const {requests, fetchRange} = fetcher();
    const {table, read, pruning} = await readPartitioned(manifest, fetchRange, modules, sql);
    expect([read, pruning, requests.length]).toEqual([[0, 1, 2, 3, 4], [], 5]);
    const expected = Array.from(single.event, (e, r) => [e, single.channel[r], single.pulse_height_V[r], "cal", shardOfRow(r)].join("|"));
    const rows = rowsOf(table, NAMES);
    expect(rows).toEqual(expected);
    expect(rows).toEqual(await nodeRows());
  });

  it("fetches one part only for shard = 2, and gives Node's rows", async () => {
    for (const where of ["shard = 2", "shard = 2 AND pulse_height_V > 1", "run = 'cal' AND shard IN (2)"]) {
      const {requests, fetchRange} = fetcher();
      const {table, read, pruning} = await readPartitioned(manifest, fetchRange, modules, sql, where);
      const two = manifest.parts[2];
      expect(two.partition).toEqual({run: "cal", shard: "2"});
      expect({read, requests}, where).toEqual({read: [2], requests: [[two.offset, two.bytes]]});
      expect(pruning.length).toBeGreaterThan(0);
      const rows = rowsOf(table, NAMES);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.endsWith("|cal|2"))).toBe(true);
      // Rows filtered by SQL come in no promised order: compared as sets.
      expect(rows.sort(), where).toEqual((await nodeRows(where)).sort());
    }
  });

  it("reads every part for a predicate over data columns alone, and none for code", async () => {
    const all = fetcher();
    const {table, read} = await readPartitioned(manifest, all.fetchRange, modules, sql, "pulse_height_V > 1.5 OR shard = 3");
    expect([read.length, all.requests.length]).toEqual([5, 5]);
    expect(rowsOf(table, NAMES).sort()).toEqual((await nodeRows("pulse_height_V > 1.5 OR shard = 3")).sort());
    const none = fetcher();
    await expect(readPartitioned(manifest, none.fetchRange, modules, sql, "shard = 2 AND read_text('/etc/hostname') <> ''")).rejects.toThrow(/read_text/);
    await expect(readPartitioned(manifest, none.fetchRange, modules, sql, "shard = 99")).rejects.toThrow("parts/events: no part satisfies shard = 99; the dataset has run=cal/shard=0, run=cal/shard=1, run=cal/shard=2, run=cal/shard=3, run=cal/shard=10");
    expect(none.requests).toEqual([]);
  });

  it("refuses a manifest whose ranges do not follow each other, and a part that is not what it says", async () => {
    const broken = structuredClone(manifest);
    broken.parts[1].offset += 1;
    expect(() => checkManifest(broken, "processed-parts.json")).toThrow("processed-parts.json: not a parts manifest: part 1 (run=cal/shard=1/part.parquet) starts at byte " + (manifest.parts[1].offset + 1));
    const lying = structuredClone(manifest);
    lying.parts[2].rows = 3;
    await expect(readPartitioned(lying, fetcher().fetchRange, modules, sql, "shard = 2")).rejects.toThrow("parts/events/run=cal/shard=2/part.parquet: 12 rows, the manifest says 3");
  });
});
