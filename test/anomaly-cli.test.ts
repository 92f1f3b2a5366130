// `pulsebook train-anomaly` and `pulsebook anomaly-search` on small sizes; the committed models
// and the template loader the report uses.
import {afterAll, describe, expect, it} from "vitest";
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {DEFAULT_MODEL_DIR, scoreTemplates} from "../data-loaders/anomaly.js";
import {DataFileError} from "../lib/io/errors.js";
import {runPulsebook as run} from "./support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "pulsebook-anomaly-"));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("pulsebook train-anomaly / anomaly-search", () => {
  it("trains both models into versioned files, then scans sensitivity versus exposure", async () => {
    const models = join(dir, "models");
    const t = await run("train-anomaly", "--events", "400", "--epochs", "3", "--out", models);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/test accuracy \d+\.\d+ %/);
    for (const f of ["classifier.json", "vae.json"]) {
      const m = JSON.parse(readFileSync(join(models, f), "utf8"));
      expect(m.format).toBe("pulsebook-dense-model");
      expect(m.version).toBe(1);
      expect(m.meta.events).toBe(400);
      // The one provenance stamp: git-aware version, source-derived module version, parameters.
      expect(m.meta.stamp.pulsebook_version).toMatch(/^\d+\.\d+\.\d+/);
      expect(m.meta.stamp.stages.trainAnomaly).toMatch(/^[0-9a-f]{16}$/);
      expect(m.meta.stamp.parameters).toMatchObject({events: 400, epochs: 3});
    }
    const out = join(dir, "sens.json");
    const s = await run("anomaly-search", "--models", models, "--exposures", "1,20", "--null", "500", "--signal", "60", "--out", out, "--quiet");
    expect(s.code, s.stderr).toBe(0);
    const res = JSON.parse(readFileSync(out, "utf8"));
    expect(res.points.map((p: {exposure_tonne_yr: number}) => p.exposure_tonne_yr)).toEqual([1, 20]);
    // Stamped, with the templates' stamp (and through it the model files' identities) as input.
    expect(res.provenance.stamp.parameters).toMatchObject({exposures: [1, 20], nNull: 500, nSignal: 60});
    expect(res.provenance.stamp.inputs.templates.inputs.classifier.path).toBe(join(models, "classifier.json"));
    expect(res.provenance.stamp.inputs.templates.stages.scoreTemplates).toMatch(/^[0-9a-f]{16}$/);
    // Expected counts scale with exposure: ER = 3 /(t·yr·keV) × 8 keV.
    expect(res.points[0].expected.er).toBeCloseTo(24, 6);
    expect(res.points[1].expected.wimp / res.points[0].expected.wimp).toBeCloseTo(20, 6);
    expect(res.points[1].powerUnbinned).toBeGreaterThan(res.points[0].powerUnbinned);
  }, 240_000);

  it("anomaly-compare writes the three statistics for every signal and exposure, with the null checks and lineage", async () => {
    const out = join(dir, "compare.json");
    const r = await run("anomaly-compare", "--exposures", "1,30", "--null", "300", "--signal", "40", "--check", "100", "--null-binned", "2000", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/30 t·yr, WIMP 50 GeV: Z = \d+\.\d+ \(LR\)/);
    const res = JSON.parse(readFileSync(out, "utf8"));
    expect(res.format).toBe("pulsebook-anomaly-comparison");
    expect(res.points).toHaveLength(2 * 4);
    expect(res.points.map((p: {signal: string}) => p.signal).slice(0, 4)).toEqual(["WIMP 20 GeV", "WIMP 50 GeV", "WIMP 500 GeV", "NR line 20 keVnr"]);
    for (const p of res.points) for (const k of ["lr", "unbinned", "binned"]) expect(p[k].power.n).toBe(40);
    expect(res.nullChecks.map((c: {exposure_tonne_yr: number}) => c.exposure_tonne_yr)).toEqual([1, 30]);
    expect(res.provenance.stamp.parameters).toMatchObject({R: 100, exposures: [1, 30], nNull: 300, nSignal: 40, nNullBinned: 2000, nCheck: 100});
    // A WIMP of 50 GeV at 10⁻⁴⁷ cm²: 67 events at 30 t·yr; the LR sees it far beyond 3σ.
    const w50 = res.points.find((p: {signal: string; exposure_tonne_yr: number}) => p.signal === "WIMP 50 GeV" && p.exposure_tonne_yr === 30);
    expect(w50.expected.signal).toBeCloseTo(67.2, 1);
    expect(w50.lr.z).toBeGreaterThan(5);
    expect((await run("anomaly-compare", "--exposures", "0", "--out", join(dir, "z.json"))).stderr).toMatch(/--exposures must be a positive number/);
  }, 240_000);

  it("bad command lines and missing or wrong model files give clear errors", async () => {
    expect((await run("anomaly-search", "--exposures", "1,-2", "--out", join(dir, "x.json"))).stderr).toMatch(/--exposures must be a positive number/);
    const empty = join(dir, "empty");
    const r = await run("anomaly-search", "--models", empty, "--out", join(dir, "y.json"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(empty, "classifier.json"));
    expect(r.stderr).toMatch(/model file not found/);
    const bad = join(dir, "bad");
    mkdirSync(bad);
    copyFileSync(join(DEFAULT_MODEL_DIR, "classifier.json"), join(bad, "classifier.json"));
    writeFileSync(join(bad, "vae.json"), JSON.stringify({format: "pulsebook-dense-model", version: 99}));
    await expect(scoreTemplates({modelDir: bad, events: 10})).rejects.toThrow(DataFileError);
    await expect(scoreTemplates({modelDir: bad, events: 10})).rejects.toThrow(/vae\.json: format version 99 is not supported/);
  }, 60_000);

  it("the committed models score templates: classifier ≥ 98 % on NR 5–35 keVnr vs ER, VAE loss higher on NR", async () => {
    expect(existsSync(join(DEFAULT_MODEL_DIR, "classifier.json"))).toBe(true);
    const t = await scoreTemplates({events: 2000});
    let ok = 0, n = 0;
    for (const h of Array.from(t.er.hB)) { ok += h < Math.LN2 ? 1 : 0; n++; } // p < ½ ⇔ H_B < ln 2
    for (let i = 0; i < t.nr.hB.length; i++) {
      if (t.nr.energy_keV[i] < 5 || t.nr.energy_keV[i] > 35) continue;
      ok += t.nr.hB[i] >= Math.LN2 ? 1 : 0; n++;
    }
    expect(ok / n).toBeGreaterThanOrEqual(0.98);
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(mean(t.nr.negElbo)).toBeGreaterThan(1.2 * mean(t.er.negElbo));
  }, 60_000);
});
