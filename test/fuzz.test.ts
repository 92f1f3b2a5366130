// A seeded handful of the fuzz suite (bench/fuzz/, `npm run fuzz` runs thousands): mutated
// HDF5 files, cut files and predicates, label tables and raw DAQ files through features, cuts,
// labels import and convert, each in a child process with a memory and a time limit. Every
// outcome must be a clear error (exit ≠ 0, the file and the problem named, no stack trace, no
// library text) or a correct result; none may crash, be unclear or be silently wrong.
import {describe, expect, it} from "vitest";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {rmSync} from "node:fs";
import {runSuite, tables} from "../bench/fuzz/suite.js";

describe("fuzz (seeded subset)", () => {
  it("bad inputs end in clear errors or correct results", async () => {
    const work = join(tmpdir(), `pulsebook-fuzz-test-${process.pid}`);
    try {
      const {outcomes} = await runSuite({
        count: 10, seed: 1, work, only: ["features", "cuts", "labels import", "convert"],
        limits: {heapMiB: 1024, rssMiB: 2048, seconds: 90, recycleAfter: 100}
      });
      const t = tables(outcomes);
      expect(Object.keys(t).sort()).toEqual(["convert", "cuts", "features", "labels import"]);
      const bad = outcomes.filter((o) => o.verdict !== "clear" && o.verdict !== "correct");
      expect(bad.map((o) => `${o.command} [${o.mutation}]: ${o.verdict} — ${o.why}: ${o.stderr}`)).toEqual([]);
      expect(outcomes.length).toBe(10);
      // The valid-input baselines ran, and both kinds of outcome occur.
      expect(outcomes.some((o) => o.verdict === "clear")).toBe(true);
    } finally {
      rmSync(work, {recursive: true, force: true});
    }
  }, 120_000);
});
