// A run processed in shards (the steps `pulsebook submit` gives Slurm, here called in this
// process) makes exactly the tables of one `pulsebook process`, bit for bit; a missing shard is
// named; a finished shard is not recomputed.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {writeSimulation} from "../../data-loaders/simulate.js";
import {processFromFile, readProcessConfig} from "../../data-loaders/processFile.js";
import {partPath, runShardStep, shardStatus} from "../../data-loaders/shards.js";
import {datasetFolder, openDataset} from "../../data-loaders/io/partitionedDataset.js";
import {planJobs} from "../../data-loaders/slurm.js";
import {parseShard, shardRange} from "../../lib/pipeline/shard.js";
import {parquetColumns, simulatedRunConfig} from "../support/processRun.js";

const config = (output: string) => simulatedRunConfig(output, {maxRecords: 100, sevFit: true});

const table = parquetColumns;

describe("shards", () => {
  it("cut the events into contiguous ranges covering each exactly once", () => {
    for (const [n, count] of [[10, 3], [7, 7], [5, 8], [1000, 4]]) {
      const ranges = Array.from({length: count}, (_, index) => shardRange(n, {index, count}));
      expect(ranges[0][0]).toBe(0);
      expect(ranges[count - 1][1]).toBe(n);
      for (let i = 1; i < count; i++) expect(ranges[i][0]).toBe(ranges[i - 1][1]);
      const sizes = ranges.map(([a, b]) => b - a);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(parseShard("2/4")).toEqual({index: 2, count: 4});
    expect(() => parseShard("4/4")).toThrow(/below N/);
    expect(() => parseShard("1-4")).toThrow(/I\/N/);
  });
});

describe("a sharded run", () => {
  let dir: string;
  const N = 3;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-shards-"));
    await writeSimulation(join(dir, "run.h5"), {events: 160, testpulses: 40, noise: 50, seed: 5});
    writeFileSync(join(dir, "single.yaml"), config("single"));
    writeFileSync(join(dir, "sharded.yaml"), config("sharded"));
    await processFromFile(join(dir, "single.yaml"));
  }, 180_000);
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it("equals one process exactly, step by step, shards in any order", async () => {
    const c = readProcessConfig(join(dir, "sharded.yaml"));
    expect(await shardStatus(c, N)).toEqual({count: N, features: [0, 1, 2], shared: false, records: [0, 1, 2], final: false});
    // Shard 2 (features and records) on two worker threads: the same rows as one thread gives.
    const said: string[] = [];
    const threads = (index: number) => (index === 2 ? {threads: 2, log: (m: string) => said.push(m)} : {});
    for (const index of [2, 0]) await runShardStep(c, "features", {shard: {index, count: N}}, threads(index));
    // One shard's features missing: the shared step names it and stops.
    await expect(runShardStep(c, "shared", {count: N})).rejects.toThrow(/features of shard 1 of 3 missing/);
    await runShardStep(c, "features", {shard: {index: 1, count: N}});
    expect((await runShardStep(c, "shared", {count: N})).ran).toEqual(["nps", "sev", "optimumFilter"]);
    for (const index of [1, 2, 0]) await runShardStep(c, "records", {shard: {index, count: N}}, threads(index));
    // OF amplitudes and SEV fits in one pass over each of the 3 groups, as in one process.
    expect(said.filter((m) => /^OF amplitudes and SEV fit: \w+ done on worker threads$/.test(m)).length).toBe(3);
    expect(said.filter((m) => m.endsWith("done on worker threads")).length).toBe(3);
    // A finished shard is found in the store, not recomputed.
    expect((await runShardStep(c, "records", {shard: {index: 1, count: N}})).ran).toEqual([]);
    expect(await shardStatus(c, N)).toEqual({count: N, features: [], shared: true, records: [], final: false});
    const {summary} = await runShardStep(c, "final", {count: N});
    expect(summary!.ran).toEqual(["calibration"]);
    expect((await shardStatus(c, N)).final).toBe(true);

    const single = readdirSync(join(dir, "single")).filter((f) => f.endsWith(".parquet")).sort();
    expect(single).toEqual(["events.parquet", "noise.parquet", "nps.parquet", "optimum-filter.parquet", "sev.parquet", "testpulses.parquet"]);
    for (const f of single) expect(table(join(dir, "sharded", f)), f).toEqual(table(join(dir, "single", f)));
    const a = JSON.parse(readFileSync(join(dir, "single", "summary.json"), "utf8"));
    const b = JSON.parse(readFileSync(join(dir, "sharded", "summary.json"), "utf8"));
    expect(b.lineage).toBe(a.lineage);
    expect(b.channels).toEqual(a.channels);

    // The parts, in shard order, are the rows of the whole table (its per-record columns).
    const events = table(join(dir, "single", "events.parquet"));
    const parts = [0, 1, 2].map((i) => table(partPath(c, "events", i)));
    expect(parts.map((p) => p.event.length)).toEqual([0, 1, 2].map((index) => 2 * (shardRange(160, {index, count: N})[1] - shardRange(160, {index, count: N})[0])));
    for (const col of Object.keys(parts[0])) expect(parts.flatMap((p) => p[col]), col).toEqual(events[col]);
    expect(existsSync(partPath(c, "noise", 2))).toBe(true);
    // Read as one Hive-partitioned table (pulsebook query), the parts are the same rows again,
    // with the partition columns; shard = 1 reads that part alone.
    const {db, read} = await openDataset(datasetFolder(c.output, "events"));
    try {
      expect(read.length).toBe(N);
      const all = db.query("SELECT * FROM features").toArray().map((r) => r.toJSON());
      expect(all.map((r) => `${r.run}/${r.shard}`)).toEqual(parts.flatMap((p, i) => p.event.map(() => `sharded/${i}`)));
      for (const col of Object.keys(parts[0])) expect(all.map((r) => Number(r[col])), col).toEqual(events[col]);
    } finally {
      db.close();
    }
    const one = await openDataset(datasetFolder(c.output, "events"), "shard = 1");
    try {
      expect(one.read.map((p) => p.file)).toEqual([partPath(c, "events", 1)]);
      expect(one.db.query("SELECT event FROM features").toArray().map((r) => r.event)).toEqual(parts[1].event);
    } finally {
      one.db.close();
    }
  }, 300_000);

  it("plans only what is missing for Slurm", async () => {
    const c = readProcessConfig(join(dir, "sharded.yaml"));
    const opts = {shards: N};
    expect(planJobs(c, {count: N, features: [], shared: true, records: [], final: true}, opts)).toEqual([]);
    const lost = planJobs(c, {count: N, features: [], shared: true, records: [1], final: false}, opts);
    expect(lost.map((j) => [j.step, j.shards])).toEqual([["records", [1]], ["final", undefined]]);
    expect(lost[0].script).toMatch(/#SBATCH --array=1\n/);
    expect(lost[0].script).toMatch(/--step records --shard "\$SLURM_ARRAY_TASK_ID\/3"/);
    // A missing features shard makes the shared outputs, and so every shard's records, new.
    const again = planJobs(c, {count: N, features: [2], shared: true, records: [], final: true}, opts);
    expect(again.map((j) => [j.step, j.shards])).toEqual([["features", [2]], ["shared", undefined], ["records", [0, 1, 2]], ["final", undefined]]);
  });
});
