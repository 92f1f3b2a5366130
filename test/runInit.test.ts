// `pulsebook init --run` through the real CLI binary, on a run made by `pulsebook simulate`:
// what it prints of the file, the run file it writes (read back by the loaders' parser and
// resolved by data-loaders/run.ts to the same numbers), no overwrite without --force, a
// foreign HDF5 file refused by name.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {parseRunFile} from "../lib/config/runFile.js";
import {activeRun, ensureRunProcessed, runHeader} from "../data-loaders/run.js";
import {runPulsebook} from "./support/cli.js";

describe("pulsebook init --run", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-init-"));
    const sim = await runPulsebook("simulate", "--events", "300", "--testpulses", "40", "--noise", "30", "--record-length", "1024", "--seed", "5", "--out", join(dir, "data", "r1.h5"), "--quiet");
    expect(sim.stderr).toBe("");
    expect(sim.code).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it("prints what the file holds and where each piece came from, and writes a run file the loaders read", async () => {
    const runFile = join(dir, "runs", "r1.yaml");
    const r = await runPulsebook("init", "--run", runFile, "--input", join(dir, "data", "r1.h5"), "--title", "Run one", "--publish-records", "every:10");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${join(dir, "data", "r1.h5")}: 300 events, 40 testpulses, 30 noise`);
    expect(r.stderr).toContain("channels: 2 (phonon Ch0, light Ch1), names from the file (metainfo/channel_names)");
    expect(r.stderr).toContain("record length: 1024 samples");
    expect(r.stderr).toContain("sample rate: 25.0 kHz, from the file (metainfo/sample_frequency)");
    expect(r.stderr).toContain("trigger index: sample 256, from the file (metainfo/trigger_index)");
    expect(r.stderr).toContain("unit: V, from the file (metainfo/unit)");
    expect(r.stderr).toContain(`wrote ${runFile}: run r1 ("Run one")`);
    const text = readFileSync(runFile, "utf8");
    const run = parseRunFile(text, runFile);
    expect(run).toMatchObject({name: "r1", title: "Run one", input: {kind: "hdf5", path: join(dir, "data", "r1.h5")}, publish: {records: {rule: "every", step: 10}}});
    // Relative to the run file, so the project can move.
    expect(text).toContain("input: ../data/r1.h5");

    const header = await runHeader(activeRun(dir, "r1"), dir);
    expect(header).toMatchObject({kind: "run", name: "r1", title: "Run one", runFile: "runs/r1.yaml", file: "data/r1.h5", events: 300, recordLength: 1024, sampleRate_Hz: 25000, triggerIndex: 256, unit: "V"});
    expect(header.groups).toEqual({events: 300, testpulses: 40, noise: 30});
    expect(header.publish.description).toBe("every 10th event of 300 (event 0, 10, 20, …)");

    // The processed run the calibration and SEV pages read: the run's file, every step of the demo adapted.
    const out = await ensureRunProcessed(activeRun(dir, "r1"), dir);
    expect(out).toBe(join(dir, ".pulsebook", "runs", "r1", "process"));
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {input: {path: string}; tables: {events: {rows: number}}; ran: string[]; channels: {calibration?: unknown}[]};
    expect(summary.input.path).toBe(join(dir, "data", "r1.h5"));
    expect(summary.tables.events.rows).toBe(600);
    expect(summary.ran).toEqual(expect.arrayContaining(["features", "sev", "nps", "optimumFilter", "calibration"]));
    expect(summary.channels[0].calibration).toBeDefined();
  }, 180_000);

  it("never overwrites a run file without --force", async () => {
    const runFile = join(dir, "pulsebook.yaml");
    writeFileSync(runFile, "# mine\n");
    const refused = await runPulsebook("init", "--run", runFile, "--input", join(dir, "data", "r1.h5"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`pulsebook: ${runFile}: exists; pass --force to replace it\n`);
    expect(readFileSync(runFile, "utf8")).toBe("# mine\n");
    const forced = await runPulsebook("init", "--run", runFile, "--input", join(dir, "data", "r1.h5"), "--force");
    expect(forced.code).toBe(0);
    // pulsebook.yaml names the run after its input.
    expect(parseRunFile(readFileSync(runFile, "utf8"), runFile).name).toBe("r1");
  }, 60_000);

  it("refuses a foreign HDF5 file, naming it, and writes nothing", async () => {
    // An HDF5 file without cait's groups: the simulated file's layout is what makes it cait, so use a plain one.
    const foreign = join(dir, "data", "foreign.h5");
    const h5wasm = (await import("h5wasm/node")).default;
    await h5wasm.ready;
    const f = new h5wasm.File(foreign, "w");
    f.create_dataset({name: "x", data: new Float64Array([1, 2, 3])});
    f.close();
    const runFile = join(dir, "runs", "foreign.yaml");
    const r = await runPulsebook("init", "--run", runFile, "--input", foreign);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^pulsebook: ${foreign.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: `));
    expect(existsSync(runFile)).toBe(false);
    const bad = await runPulsebook("init", "--run", runFile, "--input", join(dir, "data", "r1.h5"), "--publish-records", "random:5");
    expect(bad.stderr).toBe("pulsebook: --publish-records: record sample \"random:5\" must be all, first:N, every:K or random:N:SEED\n");
    expect(existsSync(runFile)).toBe(false);
  }, 60_000);
});
