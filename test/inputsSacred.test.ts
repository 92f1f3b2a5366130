// Inputs are sacred (data-loaders/cli/paths.ts): an --out that is an input, holds one or is a
// link to one is refused before anything is written, and an existing path of another kind is
// replaced only with --force. Every refusal exits 2 and names the option, the path and the problem.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {CAIT_MOCK_RAW as RAW, CAIT_PROCESSED} from "./support/caitMock.js";
import {runMain} from "./support/cli.js";

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

let dir: string;
/** Copies of the vendored fixtures, and a feature table made from the cait file. */
const f = {h5: "", rdt: "", par: "", csmpl: "", parquet: "", cut: ""};
const at = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-sacred-"));
  f.h5 = at("run.h5");
  copyFileSync(CAIT_PROCESSED, f.h5);
  for (const ext of [".rdt", ".par", ".con"]) copyFileSync(join(RAW, `mock_001${ext}`), at(`mock_001${ext}`));
  f.rdt = at("mock_001.rdt");
  f.par = at("mock_001.par");
  f.csmpl = at("stream_001_Ch0.csmpl");
  copyFileSync(join(RAW, "stream_001_Ch0.csmpl"), f.csmpl);
  f.parquet = at("features.parquet");
  expect((await runMain(["features", f.h5, "--out", f.parquet, "--quiet"])).code).toBe(0);
  f.cut = at("height.cut.json");
  writeFileSync(f.cut, JSON.stringify({version: 1, name: "height", kind: "sql", where: "pulse_height_V > 0"}));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Runs the command line; expects a refusal (exit 2) naming `--out`, `out` and `problem`, with `kept` byte-identical. */
async function refused(argv: string[], out: string, problem: RegExp, kept: string[]): Promise<string> {
  const before = kept.map((p) => readFileSync(p));
  const r = await runMain(argv);
  expect(r.code, r.err).toBe(2);
  expect(r.err).toContain(`--out ${JSON.stringify(out)}`);
  expect(r.err).toMatch(problem);
  kept.forEach((p, i) => expect(readFileSync(p).equals(before[i]), p).toBe(true));
  return r.err;
}

// Each command with --out replaced by the input it must not destroy.
const SEVEN: {name: string; argv: (out: string) => string[]; input: () => string}[] = [
  {name: "features", input: () => f.h5, argv: (out) => ["features", f.h5, "--out", out]},
  {name: "convert", input: () => f.rdt, argv: (out) => ["convert", f.rdt, "--channels", "0,1", "--out", out]},
  {name: "trigger", input: () => f.csmpl, argv: (out) => ["trigger", f.csmpl, "--of", f.h5, "--threshold", "0.003", "--out", out]},
  {name: "train", input: () => f.h5, argv: (out) => ["train", "--data", f.h5, "--validation", f.h5, "--out", out]},
  {name: "classify", input: () => f.h5, argv: (out) => ["classify", f.h5, "--out", out]},
  {name: "classify-trees", input: () => f.parquet, argv: (out) => ["classify-trees", f.parquet, "--out", out]},
  {name: "cuts", input: () => f.parquet, argv: (out) => ["cuts", f.parquet, f.cut, "--out", out]}
];

describe("--out naming an input is refused and the input stays byte-identical", () => {
  for (const c of SEVEN) {
    it(`${c.name} --out INPUT, and --out a link to it`, async () => {
      const input = c.input();
      await refused(c.argv(input), input, /is the input .* would destroy the input/, [input]);
      const link = at(`${c.name}-link`);
      symlinkSync(input, link);
      const err = await refused(c.argv(link), link, /\(a link to .*\) is the input/, [input]);
      expect(err).toContain(JSON.stringify(input));
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
    });
  }

  it("also the inputs found on their own (the .par next to the .rdt, the .db next to a stream), other input options, and a folder holding an input", async () => {
    await refused(["convert", f.rdt, "--channels", "0,1", "--out", f.par], f.par, /the \.par next to RUN\.rdt/, [f.par]);
    await refused(["trigger", f.csmpl, "--of", f.h5, "--threshold", "0.003", "--out", f.h5], f.h5, /\(--of\)/, [f.h5]);
    const db = at("stream_001.db");
    copyFileSync(join(RAW, "stream_001.db"), db);
    await refused(["trigger", f.csmpl, "--of", f.h5, "--threshold", "0.003", "--out", db], db, /the \.db next to the first stream/, [db]);
    // train replaces its model folder whole: the folder holding the training file is refused.
    await refused(["train", "--data", f.h5, "--validation", f.h5, "--out", dir], dir, /holds the input/, [f.h5]);
    await refused(["cuts", f.parquet, f.cut, "--out", f.cut], f.cut, /is the input .*\(CUT\.cut\.json\)/, [f.cut]);
  });
});

describe("an existing path of another kind", () => {
  it("train --out an existing regular file is refused without --force; a folder without model.json too", async () => {
    const file = at("notes.txt");
    writeFileSync(file, "my notes\n");
    await refused(["train", "--data", "sim", "--out", file], file, /is not a folder.*model\.json.*pass --force/, [file]);
    const folder = at("papers");
    mkdirSync(folder);
    writeFileSync(join(folder, "a.pdf"), "%PDF");
    await refused(["train", "--data", "sim", "--out", folder], folder, /without model\.json.*replace all it holds.*--force/, [join(folder, "a.pdf")]);
  });

  it("convert --out an existing folder: refused even with --force, the folder kept", async () => {
    const folder = at("outdir");
    mkdirSync(folder);
    writeFileSync(join(folder, "keep.txt"), "x");
    for (const force of [[], ["--force"]]) {
      await refused(["convert", f.rdt, "--channels", "0,1", "--out", folder, ...force], folder, /is an existing folder, where an HDF5 file goes/, [join(folder, "keep.txt")]);
    }
    expect(readdirSync(folder)).toEqual(["keep.txt"]);
  });

  it("convert --out a non-HDF5 file: refused without --force, replaced with it", async () => {
    const file = at("table.h5");
    writeFileSync(file, "event,label\n1,1\n");
    await refused(["convert", f.rdt, "--channels", "0,1", "--out", file], file, /exists and is not an HDF5 file; pass --force/, [file]);
    expect((await runMain(["convert", f.rdt, "--channels", "0,1", "--out", file, "--force", "--quiet"])).code).toBe(0);
    expect(readFileSync(file).subarray(0, 8).equals(HDF5_SIGNATURE)).toBe(true);
  });

  it("features --out a file that is not Parquet is refused; an existing feature table is replaced", async () => {
    const csv = at("old.parquet");
    writeFileSync(csv, "a,b\n");
    await refused(["features", f.h5, "--out", csv], csv, /is not a Parquet file/, [csv]);
    const again = at("again.parquet");
    copyFileSync(f.parquet, again);
    expect((await runMain(["features", f.h5, "--out", again, "--quiet"])).code).toBe(0);
    expect(readFileSync(again).equals(readFileSync(f.parquet))).toBe(false); // rewritten: its provenance names the new command line
  });
});

describe("where the output goes", () => {
  it("convert --out into missing folders creates them", async () => {
    const out = at("new/deeper/run.h5");
    const r = await runMain(["convert", f.rdt, "--channels", "0,1", "--out", out, "--quiet"]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(out).subarray(0, 8).equals(HDF5_SIGNATURE)).toBe(true);
  });

  it("convert --out under a file names the file that is not a folder", async () => {
    const out = join(f.par, "run.h5");
    const err = await refused(["convert", f.rdt, "--channels", "0,1", "--out", out], out, /is a file, not a folder/, [f.par]);
    expect(err).toContain(f.par);
  });

  it("convert --out a link to an earlier output writes the link's target and keeps the link", async () => {
    const target = at("target.h5");
    writeFileSync(target, "");
    const link = at("latest.h5");
    symlinkSync(target, link);
    expect((await runMain(["convert", f.rdt, "--channels", "0,1", "--out", link, "--quiet"])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target).subarray(0, 8).equals(HDF5_SIGNATURE)).toBe(true);
  });
});

describe("pulsebook process", () => {
  it("a config whose output names a file is refused, naming the config and the key output", async () => {
    const config = at("run.yaml");
    writeFileSync(config, "version: 1\ninput: run.h5\noutput: run.h5\n");
    const before = readFileSync(f.h5);
    const r = await runMain(["process", config, "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${config}: output names ${JSON.stringify(f.h5)}, which is a file`);
    expect(readFileSync(f.h5).equals(before)).toBe(true);
    expect(existsSync(at("run.out"))).toBe(false);
  });
});
