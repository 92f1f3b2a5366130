// A Hive-partitioned dataset (ROOT/run=NAME/shard=I/part.parquet) queried as one table, with
// partition pruning: a part that a WHERE term over run or shard excludes is never read (a
// corrupt one does not disturb the query), and a query that needs it names it.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {encodeParquet} from "../data-loaders/io/parquet.js";
import {datasetFolder, listParts, openDataset} from "../data-loaders/io/partitionedDataset.js";
import {conjuncts} from "../lib/io/sqlPredicate.js";
import {runMain} from "./support/cli.js";

const RUNS = ["bck", "cal"], SHARDS = 4, EVENTS = 5;
let root: string;
const part = (run: string, shard: number) => join(root, "parts", "events", `run=${run}`, `shard=${shard}`, "part.parquet");
// Shard s of run r holds events s·5 … s·5+4, two channels; height = event/100 (+1 for run cal).
function writePart(run: string, shard: number) {
  const n = 2 * EVENTS;
  const event = Int32Array.from({length: n}, (_, r) => shard * EVENTS + Math.floor(r / 2));
  const channel = Int32Array.from({length: n}, (_, r) => r % 2);
  const pulse_height_V = Float64Array.from(event, (e) => e / 100 + (run === "cal" ? 1 : 0));
  mkdirSync(join(part(run, shard), ".."), {recursive: true});
  writeFileSync(part(run, shard), encodeParquet({event, channel, pulse_height_V}));
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "pulsebook-dataset-"));
  // Shard 10 too, so that shards sort as numbers (2 before 10), as DuckDB types them (BIGINT).
  for (const run of RUNS) for (const shard of [0, 1, 2, 3, 10]) writePart(run, shard);
});
afterAll(() => rmSync(root, {recursive: true, force: true}));

describe("conjuncts", () => {
  it("splits at top-level AND only", () => {
    expect(conjuncts("shard = 2 AND pulse_height_V BETWEEN 0.1 AND 0.2 AND (run = 'a' AND x > 1)")).toEqual(["shard = 2", "pulse_height_V BETWEEN 0.1 AND 0.2", "(run = 'a' AND x > 1)"]);
    expect(conjuncts("CASE WHEN a AND b THEN 1 ELSE 0 END = 1 AND shard IN (1, 2)")).toEqual(["CASE WHEN a AND b THEN 1 ELSE 0 END = 1", "shard IN (1, 2)"]);
    expect(conjuncts("shard = 2 AND x > 1 OR run = 'a'")).toEqual(["shard = 2 AND x > 1 OR run = 'a'"]);
    expect(() => conjuncts("shard = 2; DROP TABLE x")).toThrow(/";" at position 10/);
  });
});

describe("a Hive-partitioned dataset", () => {
  it("reads as one table with run (VARCHAR) and shard (BIGINT), parts in partition order", async () => {
    expect(datasetFolder(root, "events")).toBe(join(root, "parts", "events"));
    expect(listParts(datasetFolder(root, "events")).length).toBe(10);
    const {db, read, total, pruning} = await openDataset(datasetFolder(root, "events"));
    try {
      expect([read.length, total, pruning]).toEqual([10, 10, []]);
      const types = db.query("SELECT typeof(run) AS r, typeof(shard) AS s FROM features LIMIT 1").toArray()[0].toJSON();
      expect(types).toEqual({r: "VARCHAR", s: "BIGINT"});
      const rows = db.query("SELECT run, shard, event FROM features").toArray().map((r) => `${r.run}/${r.shard}/${r.event}`);
      expect(rows.length).toBe(2 * 5 * 2 * EVENTS);
      expect(rows.slice(0, 2)).toEqual(["bck/0/0", "bck/0/0"]);
      expect(rows.indexOf("bck/10/50")).toBe(4 * 2 * EVENTS); // after shard 3, not after shard 1
      expect(rows.at(-1)).toBe("cal/10/54");
    } finally {
      db.close();
    }
  });

  it("prunes: a WHERE on shard or run reads only those parts; a corrupt unselected part is never opened", async () => {
    writeFileSync(part("bck", 1), "not parquet");
    const folder = datasetFolder(root, "events");
    const shard2 = await openDataset(folder, "shard = 2 AND pulse_height_V > 0.115 AND channel = 0");
    try {
      expect(shard2.pruning).toEqual(["shard = 2"]);
      expect(shard2.read.map((p) => p.file)).toEqual([part("bck", 2), part("cal", 2)]);
      // Events 10 … 14 with height e/100 (+1 for cal) above 0.115: bck 12, 13, 14 and cal 10 … 14.
      const result = shard2.db.query("SELECT run, count(*) AS n FROM features GROUP BY run ORDER BY run").toArray().map((r) => [r.run, Number(r.n)]);
      expect(result).toEqual([["bck", 3], ["cal", 5]]);
    } finally {
      shard2.db.close();
    }
    const cal = await openDataset(folder, "run = 'cal' AND shard IN (1, 10)");
    try {
      expect(cal.read.map((p) => p.partition)).toEqual([{run: "cal", shard: "1"}, {run: "cal", shard: "10"}]);
      expect(Number(cal.db.query("SELECT count(*) AS n FROM features").get(0)!.n)).toBe(4 * EVENTS);
    } finally {
      cal.db.close();
    }
    // An OR with a column of the rows cannot prune: every part is needed, and the bad one is named.
    await expect(openDataset(folder, "shard = 2 OR pulse_height_V > 1.5")).rejects.toThrow(`${part("bck", 1)}: not a readable Parquet file`);
    await expect(openDataset(folder, "shard = 7")).rejects.toThrow(/no part satisfies shard = 7; the dataset has run=bck\/shard=0, /);
    writePart("bck", 1);
  });

  it("names a folder that is not KEY=VALUE and parts with different keys", () => {
    const odd = join(root, "odd");
    mkdirSync(join(odd, "run=a", "misc"), {recursive: true});
    expect(() => listParts(odd)).toThrow(`${join(odd, "run=a", "misc")}: not a partition folder`);
    const mixed = join(root, "mixed");
    mkdirSync(join(mixed, "run=a", "shard=0"), {recursive: true});
    writeFileSync(join(mixed, "run=a", "shard=0", "part.parquet"), "x");
    writeFileSync(join(mixed, "run=a", "part.parquet"), "x");
    writeFileSync(join(mixed, "run=a", "_temporary.parquet"), "x"); // hidden names are not parts
    mkdirSync(join(mixed, ".store"));
    expect(() => listParts(mixed)).toThrow(/partition keys \(run\) differ from those of .*shard=0.*\(run, shard\)|partition keys \(run, shard\) differ/);
  });

  it("pulsebook query OUTPUT: SQL over the dataset as CSV, the parts read said on stderr", async () => {
    const res = await runMain(["query", root, "SELECT run, shard, sum(event) AS total, max(pulse_height_V) AS top FROM features GROUP BY ALL ORDER BY run, shard", "--where", "shard >= 3 AND run <> 'cal'"]);
    expect(res.err).toContain("read 2 of 10 parts (pruned by: shard >= 3, run <> 'cal')");
    // Shard 3: events 15 … 19 twice = 170, top 0.19; shard 10: 50 … 54 twice = 520, top 0.54.
    expect(res.out.trim().split("\n")).toEqual(["run,shard,total,top", "bck,3,170,0.19", "bck,10,520,0.54"]);
    expect(res.code).toBe(0);
    // A run processed in one go: its GROUP.parquet.
    const single = join(root, "single");
    mkdirSync(single);
    writeFileSync(join(single, "noise.parquet"), encodeParquet({event: Int32Array.of(7, 8)}));
    const whole = await runMain(["query", single, "SELECT sum(event) AS s FROM features", "--group", "noise"]);
    expect([whole.err, whole.out.trim()]).toEqual([expect.stringContaining("read 1 of 1 part;"), "s\n15"]);
    const one = await runMain(["query", part("cal", 2), "SELECT count(*) AS n, min(pulse_height_V) AS low FROM features", "--where", "channel = 1"]);
    expect(one.out.trim().split("\n")).toEqual(["n,low", "5,1.1"]);
    const bad = await runMain(["query", root, "SELECT nope FROM features"]);
    expect([bad.code, bad.err]).toEqual([1, expect.stringContaining('no column "nope"')]);
    const badWhere = await runMain(["query", root, "SELECT count(*) FROM features", "--where", "shard = 1 AND nope > 2"]);
    expect([badWhere.code, badWhere.err]).toEqual([1, expect.stringContaining(`SQL predicate "shard = 1 AND nope > 2" failed: no column "nope"`)]);
  }, 60_000);
});
