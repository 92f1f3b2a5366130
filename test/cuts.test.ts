// Cuts as files: validation, SQL and polygon evaluation, survival spectra, and the demo cuts of
// src/cuts on the demo run, checked against the simulation's true labels.

import {describe, expect, it, vi} from "vitest";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {formatCut, makeCut, parseCut, validateCut} from "../lib/cuts/cut.js";
import {evaluateCut, sqlCutQuery, survival, tableEvents} from "../lib/cuts/apply.js";
import {encodeParquet, readParquet} from "../data-loaders/io/parquet.js";
import {openFeatureDb} from "../data-loaders/io/sqlSelect.js";
import {applyCuts, readCutDir} from "../data-loaders/cuts.js";
import {ensureDemoFile} from "../data-loaders/demo.js";
import {writeFeatures} from "../data-loaders/features.js";
import {LABEL} from "../lib/types.js";

// 4 events × 2 channels: event-major rows.
const cols = {
  event: Int32Array.of(0, 0, 1, 1, 2, 2, 3, 3),
  channel: Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1),
  pulse_height_V: Float64Array.of(0.1, 0.01, 0.5, 0.05, 0.9, 0.2, 0.3, NaN),
  rise_time_ms: Float64Array.of(1, 4, 2, 5, 30, 3, 1.5, 2)
};
const table = {event: cols.event, channel: cols.channel, column: (n: string) => (cols as {[k: string]: ArrayLike<number>})[n]};

describe("cut files", () => {
  it("round-trip through text and name the file of a bad one", () => {
    const sql = makeCut({name: "fast", kind: "sql", where: "rise_time_ms < 10", channel: 0});
    expect(parseCut(formatCut(sql), "fast.cut.json")).toEqual(sql);
    const poly = makeCut({name: "box", kind: "polygon", x: "pulse_height_V", y: "rise_time_ms", channel: 0, polygon: [[0, 0], [1, 0], [1, 10], [0, 10]]});
    expect(parseCut(formatCut(poly), "box.cut.json")).toEqual(poly);
    expect(() => parseCut("{", "a.cut.json")).toThrow(/a\.cut\.json: not valid JSON/);
    expect(() => validateCut({...sql, format_version: 2}, "b.cut.json")).toThrow("b.cut.json: cut format_version 2 is newer");
    expect(() => validateCut({...sql, where: "1=1; DROP TABLE features"}, "c.cut.json")).toThrow(/single predicate/);
    expect(() => validateCut({...poly, polygon: [[0, 0], [1, 1]]}, "d.cut.json")).toThrow(/at least 3/);
    expect(() => validateCut({...poly, x: "a b"}, "e.cut.json")).toThrow(/"x" must be a column name/);
    expect(() => validateCut({...sql, kind: "magic"}, "f.cut.json")).toThrow(/"kind" must be "sql" or "polygon"/);
  });
});

describe("applying cuts", () => {
  it("SQL on one channel, SQL on every channel, and polygons select the right events", async () => {
    const events = tableEvents(table);
    expect(Array.from(events)).toEqual([0, 1, 2, 3]);
    const db = await openFeatureDb(encodeParquet(cols));
    try {
      const sql = async (q: string) => Int32Array.from(db.query(q).getChild("event")!.toArray() as ArrayLike<number>, Number);
      const ch0 = makeCut({name: "a", kind: "sql", where: "rise_time_ms < 10", channel: 0});
      expect(Array.from(await evaluateCut(ch0, table, events, sql))).toEqual([1, 1, 0, 1]);
      // Every channel must pass: event 1's light channel has rise 5, event 3's light has NaN height.
      const all = makeCut({name: "b", kind: "sql", where: "rise_time_ms < 4.5 AND pulse_height_V < 1"});
      expect(sqlCutQuery(all as Extract<typeof all, {kind: "sql"}>)).toContain("bool_and");
      expect(Array.from(await evaluateCut(all, table, events, sql))).toEqual([1, 0, 0, 0]);
      const poly = makeCut({name: "c", kind: "polygon", x: "pulse_height_V", y: "rise_time_ms", channel: 0, polygon: [[0.2, 0], [1, 0], [1, 40], [0.2, 40]]});
      expect(Array.from(await evaluateCut(poly, table, events, sql))).toEqual([0, 1, 1, 1]);
      const missing = makeCut({name: "d", kind: "polygon", x: "nope", y: "rise_time_ms", channel: 0, polygon: [[0, 0], [1, 0], [1, 1]]});
      await expect(evaluateCut(missing, table, events, sql)).rejects.toThrow('cut "d": the table has no column nope');
    } finally {
      db.close();
    }
  });

  it("a cut on a channel or column the table lacks is refused, naming the table and the cut's file", async () => {
    const bytes = encodeParquet(cols);
    const ch9 = makeCut({name: "far", kind: "sql", where: "rise_time_ms < 10", channel: 9});
    await expect(applyCuts(bytes, [ch9], "f.parquet", {cutFiles: ["far.cut.json"]})).rejects.toThrow('f.parquet: cut "far" (far.cut.json) is on channel 9, but the table has channels 0, 1');
    const col = makeCut({name: "x", kind: "sql", where: "x > 1", channel: 0});
    await expect(applyCuts(bytes, [col], "f.parquet", {cutFiles: ["x.cut.json"]})).rejects.toThrow(/^f\.parquet: cut "x" \(x\.cut\.json\) failed: .*x/);
  }, 180_000);

  it("survival spectra count what passes each cut and all before it", () => {
    const values = Float64Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9.999, NaN);
    const a = Uint8Array.of(1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1);
    const b = Uint8Array.of(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1);
    const s = survival(values, [a, b], 5);
    expect(s.edges[0]).toBe(0);
    expect(s.edges[5]).toBeCloseTo(9.999, 12);
    expect(s.before).toEqual([2, 2, 2, 2, 2]); // NaN is in no bin
    expect(s.after[0]).toEqual([2, 2, 1, 1, 2]);
    expect(s.after[1]).toEqual([1, 1, 0, 1, 1]);
    expect(s.passedAlone).toEqual([9, 6]);
    expect(s.passedCumulative).toEqual([9, 5]);
  });

  it("the demo cuts remove the simulated artefacts they are meant for and keep the pulses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pulsebook-cuts-"));
    try {
      const out = join(dir, "f.parquet");
      await writeFeatures(await ensureDemoFile(), out);
      const bytes = new Uint8Array(readFileSync(out));
      const cuts = readCutDir(fileURLToPath(new URL("../src/cuts/", import.meta.url)));
      expect(cuts.map((c) => c.cut.kind)).toEqual(["sql", "sql", "polygon"]);
      const report = await applyCuts(bytes, cuts.map((c) => c.cut), "f.parquet");
      const t = readParquet(bytes, "f.parquet");
      const truth = new Map<number, number>();
      for (let r = 0; r < t.numRows; ++r) if (Number(t.getChild("channel")!.get(r)) === 0) truth.set(Number(t.getChild("event")!.get(r)), Number(t.getChild("label")!.get(r)));
      const passingAll = Array.from(report.events).filter((_, i) => report.passes.every((p) => p[i]));
      const count = (events: number[], label: number) => events.filter((e) => truth.get(e) === label).length;
      const all = Array.from(report.events);
      expect(report.survival.passedCumulative.at(-1)).toBe(passingAll.length);
      // Every SQUID jump, temperature rise, early/late trigger and spike goes; ≥ 95 % of pulses stay.
      for (const label of [LABEL.SquidJump, LABEL.TemperatureRise, LABEL.EarlyOrLateTrigger, 5]) {
        expect(count(all, label), `label ${label} present`).toBeGreaterThan(0);
        expect(count(passingAll, label), `label ${label} after cuts`).toBe(0);
      }
      expect(count(passingAll, LABEL.EventPulse) / count(all, LABEL.EventPulse)).toBeGreaterThan(0.95);
      // The spectrum after the last cut holds exactly the passing events with a finite height.
      expect(report.survival.after.at(-1)!.reduce((a, b) => a + b, 0)).toBe(passingAll.length);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  }, 120_000);
});

describe("pulsebook cuts", () => {
  it("prints the pass counts and writes the rows of the passing events", async () => {
    const {main} = await import("../data-loaders/cli/main.js");
    const dir = mkdtempSync(join(tmpdir(), "pulsebook-cutcli-"));
    try {
      writeFileSync(join(dir, "f.parquet"), encodeParquet(cols, {"pulsebook.table": "features"}));
      writeFileSync(join(dir, "a.cut.json"), formatCut(makeCut({name: "fast", kind: "sql", where: "rise_time_ms < 10", channel: 0})));
      writeFileSync(join(dir, "b.cut.json"), formatCut(makeCut({name: "high", kind: "polygon", x: "pulse_height_V", y: "rise_time_ms", channel: 0, polygon: [[0.2, 0], [1, 0], [1, 40], [0.2, 40]]})));
      const log: string[] = [];
      const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void log.push(a.join(" ")));
      const errSpy = vi.spyOn(console, "error").mockImplementation(() => undefined);
      let code: number;
      try {
        code = await main(["cuts", join(dir, "f.parquet"), join(dir, "a.cut.json"), join(dir, "b.cut.json"), "--out", join(dir, "clean.parquet")]);
      } finally {
        spy.mockRestore();
        errSpy.mockRestore();
      }
      expect(code).toBe(0);
      expect(log).toEqual([`4 events in ${join(dir, "f.parquet")}`, "1. fast: 3 pass alone, 3 pass with all before (75.0 %)", "2. high: 3 pass alone, 2 pass with all before (50.0 %)"]);
      const clean = readParquet(new Uint8Array(readFileSync(join(dir, "clean.parquet"))), "clean.parquet");
      // Events 1 and 3 pass both cuts: their rows, both channels, every column.
      expect(Array.from(clean.getChild("event")!.toArray() as Int32Array)).toEqual([1, 1, 3, 3]);
      expect(Array.from(clean.getChild("rise_time_ms")!.toArray() as Float64Array)).toEqual([2, 5, 1.5, 2]);
      expect(clean.schema.metadata.get("pulsebook.table")).toBe("features");
      expect(JSON.parse(clean.schema.metadata.get("pulsebook.cuts")!).map((c: {name: string}) => c.name)).toEqual(["fast", "high"]);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
