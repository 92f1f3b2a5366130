// `pulsebook train | classify | evaluate`: command-line errors and bad inputs are reported
// with the file and the problem, not a stack trace.
import {describe, expect, it} from "vitest";
import {mkdtempSync, rmSync, writeFileSync, mkdirSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {runMain} from "../support/cli.ts";

const run = runMain;

describe("ML commands on the command line", () => {
  it("usage errors exit 2 with the reason", async () => {
    expect(await run(["train", "--out", "x"])).toMatchObject({code: 2, err: expect.stringContaining("--data sim|FILE.h5[,…] is required")});
    expect(await run(["train", "--data", "a.h5", "--out", "x"])).toMatchObject({code: 2, err: expect.stringContaining("--validation FILE.h5[,…] is required when training on files")});
    expect(await run(["train", "--data", "sim", "--out", "x", "--model", "gru"])).toMatchObject({code: 2, err: expect.stringContaining(`unknown model "gru" (known: cnn, cnn-full, tscn, lstm, tst)`)});
    expect(await run(["train", "--data", "sim", "--out", "x", "--backend", "tpu"])).toMatchObject({code: 2, err: expect.stringContaining(`unknown backend "tpu"`)});
    expect(await run(["classify", "in.h5"])).toMatchObject({code: 2, err: expect.stringContaining("--out FILE.parquet is required")});
  });

  it("a bad model directory or input file exits 1 naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pulsebook-cli-ml-"));
    try {
      mkdirSync(join(dir, "m"));
      writeFileSync(join(dir, "m", "model.json"), "{not json");
      writeFileSync(join(dir, "in.h5"), "not an hdf5 file at all");
      const r = await run(["classify", join(dir, "in.h5"), "--model", join(dir, "m"), "--out", join(dir, "p.parquet"), "--backend", "cpu"]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`${join(dir, "m", "model.json")}: model manifest: not valid JSON`);
      const r2 = await run(["train", "--data", join(dir, "in.h5"), "--validation", join(dir, "in.h5"), "--out", join(dir, "o"), "--backend", "cpu", "--threads", "1"]);
      expect(r2.code).toBe(1);
      expect(r2.err).toContain(join(dir, "in.h5"));
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
