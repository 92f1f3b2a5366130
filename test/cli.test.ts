// The `pulsebook` command on small files: simulate → HDF5 in cait's layout, features → Parquet.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {openCaitFile} from "../data-loaders/io/node.js";
import {readParquet, readParquetMetadata} from "../data-loaders/io/parquet.js";
import {computeFeatures, FEATURE_COLUMNS} from "../lib/dsp/features.js";
import {CRESST_LIKE, simulateChunk} from "../lib/sim/index.js";
import {writeFeatures} from "../data-loaders/features.js";
import {CAIT_LAYOUT, LABEL} from "../lib/types.js";
import {runPulsebook as run} from "./support/cli.js";

let dir: string;
let h5: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-cli-"));
  h5 = join(dir, "demo.h5");
  const r = await run("simulate", "--events", "30", "--seed", "7", "--testpulses", "8", "--noise", "6", "--out", h5);
  expect(r.stderr).toContain("wrote");
  expect(r.code).toBe(0);
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("pulsebook simulate", () => {
  it("writes a CRESST-like module in cait's layout, equal to the library's simulation", async () => {
    const file = await openCaitFile(h5);
    try {
      expect(file.dataset.layout).toEqual(CAIT_LAYOUT);
      expect(file.dataset.groups).toEqual({events: 30, testpulses: 8, noise: 6});
      expect(file.dataset.channels.map((c) => c.kind)).toEqual(["phonon", "light"]);
      expect(file.dataset.hasLabels).toBe(true);
      // The file holds exactly what simulateChunk gives for the same seed, whatever the chunking.
      const chunk = file.readChunk("events", 10, 12);
      const want = simulateChunk(CRESST_LIKE, {group: "events", start: 10, count: 12, seed: 7}).chunk;
      expect(chunk.samples).toEqual(want.samples);
      expect(chunk.labels).toEqual(want.labels);
      expect(chunk.hours).toEqual(want.hours);
      const tp = file.readChunk("testpulses", 0, 8);
      expect(tp.testpulseAmplitude).toEqual(simulateChunk(CRESST_LIKE, {group: "testpulses", start: 0, count: 8, seed: 7}).chunk.testpulseAmplitude);
      const hours = file.readChunk("events", 0, 30).hours;
      for (let i = 1; i < 30; i++) expect(hours[i]).toBeGreaterThan(hours[i - 1]);
    } finally {
      file.close();
    }
  });

  it("rejects a bad command line with exit code 2 and says why", async () => {
    const r = await run("simulate", "--events", "2.5", "--out", join(dir, "x.h5"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--events must be an integer ≥ 1, got "2.5"`);
    expect((await run("simulate", "--events", "3")).stderr).toContain("--out FILE.h5 is required");
    expect((await run("frobnicate")).code).toBe(2);
    expect(existsSync(join(dir, "x.h5"))).toBe(false);
  });
});

describe("pulsebook features", () => {
  it("writes one row per (event, channel) with every documented column and provenance", async () => {
    const out = join(dir, "features.parquet");
    const r = await run("features", h5, "--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("60 rows from 30 events");
    const bytes = readFileSync(out);
    const table = readParquet(bytes, out);
    expect(table.numRows).toBe(60);
    expect(table.schema.fields.map((f) => f.name)).toEqual(FEATURE_COLUMNS.map((c) => c.name));
    expect(String(table.schema.fields[0].type)).toBe("Int32");
    // Row order is event-major and the values are exactly the library's.
    const file = await openCaitFile(h5);
    const chunk = file.readChunk("events", 0, 30);
    file.close();
    const want = computeFeatures(chunk, CAIT_LAYOUT);
    for (const {name} of FEATURE_COLUMNS) {
      expect(Array.from(table.getChild(name)!.toArray() as ArrayLike<number>), name).toEqual(Array.from(want[name]!));
    }
    expect(Array.from(table.getChild("event")!.toArray()).slice(0, 6)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(table.getChild("channel")!.toArray()).slice(0, 4)).toEqual([0, 1, 0, 1]);
    const {metadata} = await readParquetMetadata(bytes, out);
    expect(metadata["pulsebook.table"]).toBe("features");
    expect(JSON.parse(metadata["pulsebook.input"]).path).toBe(h5);
    expect(JSON.parse(metadata["pulsebook.layout"])).toEqual(CAIT_LAYOUT);
    expect(metadata["pulsebook.command"]).toContain("pulsebook features");
  });

  it("gives the same table whatever the chunk and batch sizes (streaming does not change results)", async () => {
    const a = join(dir, "a.parquet");
    const b = join(dir, "b.parquet");
    await writeFeatures(h5, a, {chunkEvents: 64});
    await writeFeatures(h5, b, {chunkEvents: 7, batchRows: 10});
    const ta = readParquet(readFileSync(a), a);
    const tb = readParquet(readFileSync(b), b);
    for (const {name} of FEATURE_COLUMNS) expect(tb.getChild(name)!.toArray(), name).toEqual(ta.getChild(name)!.toArray());
    expect((await readParquetMetadata(readFileSync(b), b)).rowGroups).toBeGreaterThanOrEqual(1);
  });

  it("clean simulated pulses get physical features: height near the truth, rise time ~1.5 ms", async () => {
    const {chunk, truth} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: 30, seed: 7});
    const f = computeFeatures(chunk, CAIT_LAYOUT);
    let checked = 0;
    for (let i = 0; i < 30; i++) {
      const row = i * 2; // phonon
      if (f.label![row] !== LABEL.EventPulse || truth.pulseHeight_V[i] < 0.05) continue;
      // Box-car smoothing (2 ms) of a ~1.5 ms rise lowers the peak by a few per cent at most.
      expect(f.pulse_height_V[row] / truth.pulseHeight_V[i]).toBeGreaterThan(0.9);
      expect(f.pulse_height_V[row] / truth.pulseHeight_V[i]).toBeLessThan(1.05);
      expect(f.rise_time_ms[row]).toBeGreaterThan(0.8);
      expect(f.rise_time_ms[row]).toBeLessThan(2.5);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("test-pulse and noise groups, and labels only where the file has them", async () => {
    const out = join(dir, "noise.parquet");
    expect((await run("features", h5, "--group", "noise", "--out", out)).code).toBe(0);
    const t = readParquet(readFileSync(out), out);
    expect(t.numRows).toBe(12);
    expect(t.schema.fields.map((f) => f.name)).not.toContain("label");
  });

  it("bad input: exit code 1, the file and the problem, no stack trace, no output file", async () => {
    const bad = join(dir, "notes.h5");
    writeFileSync(bad, "these are lab notes, not HDF5\n");
    const out = join(dir, "bad.parquet");
    const r = await run("features", bad, "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`pulsebook: ${bad}: not an HDF5 file (no HDF5 signature found)`);
    expect(existsSync(out)).toBe(false);
    const missing = await run("features", h5, "--group", "testpulses", "--out", out);
    expect(missing.code).toBe(0); // the demo file has test pulses
    const r2 = await run("features", join(dir, "absent.h5"), "--out", out + "2");
    expect(r2.stderr).toMatch(/absent\.h5: file not found \(ENOENT\)/);
    expect((await run("features", h5, "--group", "bogus", "--out", out)).code).toBe(2);
  });
});
