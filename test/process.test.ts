// `pulsebook process`: the whole DSP chain from one config on a simulated run, checked against
// what the simulator knows (test-pulse gain, calibration line), reproducibility, and bad input.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {writeSimulation} from "../data-loaders/simulate.js";
import {processFromFile} from "../data-loaders/processFile.js";
import {readParquet, readParquetMetadata} from "../data-loaders/io/parquet.js";
import {CRESST_LIKE} from "../lib/sim/index.js";
import {LABEL} from "../lib/types.js";
import {runPulsebook as cli} from "./support/cli.js";

const LINE_KEV = 5.895;
const CONFIG = `version: 1
input: run.h5
output: out
sev:
  selection: ["label = 1 AND pulse_height_V BETWEEN 0.2 AND 1", "label = 1"]
  maxRecords: 200
nps:
  selection: "abs(baseline_slope_V_per_s) < 0.05"
sevFit: true
calibration:
  amplitude: of_amplitude_V
  line_keV: ${LINE_KEV}
  polyOrder: 2
`;

let dir: string;
const write = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
const column = (bytes: Buffer, name: string) => {
  const t = readParquet(bytes, name);
  return (c: string) => Array.from(t.getChild(c)!.toArray() as ArrayLike<number>, Number);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-process-"));
  await writeSimulation(join(dir, "run.h5"), {events: 300, testpulses: 60, noise: 60, seed: 11});
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("pulsebook process", () => {
  let summary: Awaited<ReturnType<typeof processFromFile>>;
  beforeAll(async () => {
    summary = await processFromFile(write("run.yaml", CONFIG));
  }, 120_000);

  it("writes every table, spectrum and the summary, with provenance", async () => {
    for (const f of ["events.parquet", "testpulses.parquet", "noise.parquet", "sev.parquet", "nps.parquet", "optimum-filter.parquet", "summary.json"]) {
      expect(existsSync(join(dir, "out", f)), f).toBe(true);
    }
    const events = readFileSync(join(dir, "out", "events.parquet"));
    const {metadata, rows} = await readParquetMetadata(events, "events.parquet");
    expect(rows).toBe(600);
    expect(metadata["pulsebook.config_hash"]).toBe(summary.config_hash);
    expect(JSON.parse(metadata["pulsebook.input"]).path).toBe(join(dir, "run.h5"));
    expect(summary.tables.events!.columns).toEqual(expect.arrayContaining(["pulse_height_V", "of_amplitude_V", "of_time_ms", "fit_height_V", "fit_rms_V", "tpa_equivalent", "energy_keV"]));
    const saved = JSON.parse(readFileSync(join(dir, "out", "summary.json"), "utf8"));
    expect(saved.config_hash).toBe(summary.config_hash);
    expect(saved.channels).toHaveLength(2);
  });

  it("finds the simulator's energy scale: keV per TPA from test-pulse gain and line height", () => {
    // The line sits at line_V (phonon) × relativeHeight; test pulses give gain_V_per_TPA·TPA, so
    // the true scale is line_keV / (line height / gain) — nothing the chain was told.
    for (const ch of CRESST_LIKE.channels) {
      const lineTpa = (CRESST_LIKE.events.line_V * ch.relativeHeight) / ch.testPulseGain_V_per_TPA;
      const got = summary.channels.find((c) => c.channel === ch.index)!.calibration!;
      expect(Math.abs(got.cpe_keV_per_TPA / (LINE_KEV / lineTpa) - 1), `channel ${ch.index}`).toBeLessThan(0.01);
      expect(got.sigma_keV).toBeGreaterThan(0);
      expect(got.sigma_keV).toBeLessThan(0.05 * LINE_KEV);
    }
  });

  it("OF amplitudes agree with SEV-fit heights; measured resolution is near the predicted one", () => {
    const col = column(readFileSync(join(dir, "out", "events.parquet")), "events.parquet");
    const [label, channel, of, fit, ph] = ["label", "channel", "of_amplitude_V", "fit_height_V", "pulse_height_V"].map(col);
    const ratios: number[] = [];
    for (let r = 0; r < label.length; r++) {
      if (label[r] === LABEL.EventPulse && channel[r] === 0 && ph[r] > 0.1 && ph[r] < 1) ratios.push(of[r] / fit[r]);
    }
    ratios.sort((a, b) => a - b);
    expect(ratios.length).toBeGreaterThan(50);
    expect(Math.abs(ratios[ratios.length >> 1] - 1)).toBeLessThan(0.01);
    for (const c of summary.channels) {
      const {predictedResolution_V: p, measuredResolution_V: m, noiseRecords} = c.optimumFilter!;
      expect(noiseRecords).toBe(60);
      // 60 records: the measured σ scatters by ≈ 1/√(2·60) ≈ 9 %.
      expect(Math.abs(m / p - 1), `channel ${c.channel}`).toBeLessThan(0.3);
    }
  });

  it("is reproducible: the same config gives the same tables and hash", async () => {
    const first = readFileSync(join(dir, "out", "events.parquet"));
    const again = await processFromFile(join(dir, "run.yaml"));
    expect(again.config_hash).toBe(summary.config_hash);
    const a = column(first, "first"), b = column(readFileSync(join(dir, "out", "events.parquet")), "second");
    for (const c of ["of_amplitude_V", "fit_height_V", "energy_keV"]) expect(b(c)).toEqual(a(c));
  }, 120_000);
});

describe("pulsebook process: options", () => {
  it("features: false writes spectra, filter and summary but no tables", async () => {
    const path = write("nofeat.yaml", CONFIG.replace("output: out", "output: out-nofeat\nfeatures: false").replace("sevFit: true", "sevFit: false").replace(/calibration:[\s\S]*$/, ""));
    const s = await processFromFile(path);
    expect(s.tables).toEqual({});
    expect(existsSync(join(dir, "out-nofeat", "events.parquet"))).toBe(false);
    for (const f of ["sev.parquet", "nps.parquet", "optimum-filter.parquet", "summary.json"]) expect(existsSync(join(dir, "out-nofeat", f)), f).toBe(true);
    expect(s.channels[0].optimumFilter!.predictedResolution_V).toBeGreaterThan(0);
  }, 60_000);
});

describe("pulsebook process: bad input", () => {
  it("names the config and the key when a selection picks nothing", async () => {
    const path = write("empty.yaml", CONFIG.replace(`"label = 1"]`, `"pulse_height_V > 1000"]`).replace("output: out", "output: out-empty"));
    await expect(processFromFile(path)).rejects.toThrow(/empty\.yaml: sev\.selection selects no events records of channel 1/);
    expect(existsSync(join(dir, "out-empty", "summary.json"))).toBe(false);
  }, 60_000);

  it("reports a selection's unknown column with the key, before the feature pass", async () => {
    const path = write("sql.yaml", CONFIG.replace("abs(baseline_slope_V_per_s) < 0.05", "no_such_column > 1").replace("output: out", "output: out-sql"));
    await expect(processFromFile(path)).rejects.toThrow(/sql\.yaml: nps\.selection selects from the noise table of .*run\.h5: no column no_such_column/s);
    expect(existsSync(join(dir, "out-sql", ".store"))).toBe(false);
  }, 60_000);

  it("CLI: exit 0 and the output folder; exit 1 naming the file for a bad key, a missing input or a missing group", async () => {
    const ok = await cli("process", join(dir, "run.yaml"), "--quiet");
    expect(ok.code).toBe(0);
    const typo = await cli("process", write("typo.yaml", CONFIG.replace("maxRecords", "maxrecords")));
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/typo\.yaml: sev\.maxrecords is not a known key/);
    expect(typo.stderr).not.toMatch(/\n\s+at /);
    const missing = await cli("process", write("missing.yaml", CONFIG.replace("input: run.h5", "input: nope.h5")));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.h5");
    await writeSimulation(join(dir, "nonoise.h5"), {events: 20, testpulses: 5, seed: 3});
    const group = await cli("process", write("nonoise.yaml", CONFIG.replace("input: run.h5", "input: nonoise.h5")));
    expect(group.code).toBe(1);
    expect(group.stderr).toMatch(/nonoise\.h5.*group "noise" is missing/);
    const none = await cli("process");
    expect(none.code).toBe(2);
  }, 120_000);
});
