// One provenance writer: every kind of derived file — Parquet tables and spectra, summary.json,
// stored stage outputs, HDF5 files, feature tables — carries the same stamp, with the
// git-aware Pulsebook version.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {execFileSync} from "node:child_process";
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import h5wasm from "h5wasm/node";
import {processFromFile} from "../../data-loaders/processFile.js";
import {testpulseFeatures, writeFeatures} from "../../data-loaders/features.js";
import {writeSimulation} from "../../data-loaders/simulate.js";
import {fileIdentity, PULSEBOOK_VERSION, pulsebookVersion, type ProvenanceStamp} from "../../data-loaders/provenance.js";
import {readParquetMetadata} from "../../data-loaders/io/parquet.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;

describe("the Pulsebook version", () => {
  it("is the package version plus the commit, -dirty with uncommitted changes, bare without git", () => {
    const git = (head: string, status: string) => (args: string[]) => (args[0] === "rev-parse" ? `${head}\n` : status);
    expect(pulsebookVersion(git("1a2b3c4", ""), "0.1.0")).toBe("0.1.0+g1a2b3c4");
    expect(pulsebookVersion(git("1a2b3c4", " M lib/hash.ts\n"), "0.1.0")).toBe("0.1.0+g1a2b3c4-dirty");
    expect(pulsebookVersion(() => { throw new Error("spawn git ENOENT"); }, "0.1.0")).toBe("0.1.0");
    expect(pulsebookVersion(git("fatal: not a git repository", ""), "0.1.0")).toBe("0.1.0");
  });

  it("names this checkout's commit", () => {
    let head: string | null = null;
    try { head = execFileSync("git", ["rev-parse", "--short=7", "HEAD"], {cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"]}).trim(); } catch { /* no git here */ }
    if (head) expect(PULSEBOOK_VERSION).toMatch(new RegExp(`^${PACKAGE.replace(/\./g, "\\.")}\\+g${head}(-dirty)?$`));
    else expect(PULSEBOOK_VERSION).toBe(PACKAGE);
  });
});

describe("the stamp in every output kind", () => {
  let dir: string;
  let run: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-provenance-"));
    run = join(dir, "run.h5");
    await writeSimulation(run, {events: 60, testpulses: 20, noise: 40, seed: 4});
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  const checkStamp = (stamp: ProvenanceStamp, what: string) => {
    expect(stamp.pulsebook_version, what).toBe(PULSEBOOK_VERSION);
    expect(Date.parse(stamp.created), what).toBeGreaterThan(Date.parse("2020-01-01"));
    expect(Object.keys(stamp.stages).length, what).toBeGreaterThan(0);
    for (const v of Object.values(stamp.stages)) expect(v, what).toMatch(/^[0-9a-f]{16}$/);
  };

  it("pulsebook process: every Parquet file, summary.json and every stored stage output", async () => {
    writeFileSync(join(dir, "run.yaml"), `version: 1\ninput: run.h5\noutput: out\nsev:\n  selection: "label = 1"\nnps:\n  selection: "abs(baseline_slope_V_per_s) < 0.05"\n`);
    const summary = await processFromFile(join(dir, "run.yaml"));
    const out = join(dir, "out");
    const parquet = readdirSync(out).filter((f) => f.endsWith(".parquet")).sort();
    expect(parquet).toEqual(["events.parquet", "noise.parquet", "nps.parquet", "optimum-filter.parquet", "sev.parquet", "testpulses.parquet"]);
    for (const f of parquet) {
      const {metadata} = await readParquetMetadata(readFileSync(join(out, f)), f);
      const stamp = JSON.parse(metadata["pulsebook.provenance"]) as ProvenanceStamp;
      checkStamp(stamp, f);
      expect(metadata["pulsebook.version"], f).toBe(PULSEBOOK_VERSION);
      expect(stamp.lineage, f).toMatch(/^[0-9a-f]{64}$/);
      expect((stamp.inputs as {file: unknown}).file, f).toEqual(fileIdentity(run));
    }
    const events = JSON.parse((await readParquetMetadata(readFileSync(join(out, "events.parquet")), "e"))["metadata"]["pulsebook.provenance"]) as ProvenanceStamp;
    expect(Object.keys(events.stages).sort()).toEqual(["features", "ofAmplitude"]);
    const saved = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    checkStamp(saved.provenance, "summary.json");
    expect(saved.provenance.lineage).toBe(summary.lineage);
    expect(saved.pulsebook_version).toBe(PULSEBOOK_VERSION);
    expect(Object.keys(saved.provenance.stages).sort()).toEqual(["features", "nps", "ofAmplitude", "optimumFilter", "sev"]);
    for (const [stage, lineage] of Object.entries(saved.provenance.inputs.lineage as {[s: string]: string})) {
      const stamp = JSON.parse(readFileSync(join(out, ".store", stage, lineage, "stamp.json"), "utf8")) as ProvenanceStamp;
      checkStamp(stamp, `store ${stage}`);
      expect(stamp.lineage).toBe(lineage);
      expect(stamp.stages[stage]).toBe(saved.provenance.stages[stage]);
    }
  }, 120_000);

  it("HDF5 (simulated file) and feature tables (streamed and in memory)", async () => {
    await h5wasm.ready;
    const f = new h5wasm.File(run, "r");
    try {
      checkStamp(JSON.parse(String(f.attrs["pulsebook_provenance"].value)), "demo.h5");
    } finally {
      f.close();
    }
    const features = join(dir, "features.parquet");
    await writeFeatures(run, features, {command: "test"});
    for (const [name, bytes] of [["features.parquet", readFileSync(features)], ["testpulse features", await testpulseFeatures(run, "test")]] as const) {
      const {metadata} = await readParquetMetadata(bytes, name);
      const stamp = JSON.parse(metadata["pulsebook.provenance"]) as ProvenanceStamp;
      checkStamp(stamp, name);
      expect(stamp.command).toBe("test");
      expect(metadata["pulsebook.format_version"]).toBe(stamp.stages.features);
    }
  }, 60_000);
});
