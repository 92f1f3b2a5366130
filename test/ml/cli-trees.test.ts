// `pulsebook train-trees | classify-trees`: a model trained on simulated detectors scores a
// feature table made by `pulsebook simulate` + `pulsebook features`, with SHAP columns that add
// up to the log-odds; bad input exits with the file and the problem.
import {afterAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync, existsSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {encodeParquet, readParquet, readParquetMetadata} from "../../data-loaders/io/parquet.ts";
import {FEATURE_SETS} from "../../lib/ml/trees/treeData.ts";
import {runMain} from "../support/cli.ts";

const run = runMain;

const dir = mkdtempSync(join(tmpdir(), "pulsebook-cli-trees-"));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("boosted trees on the command line", () => {
  it("train-trees on simulated modules writes trees.json with held-out metrics; classify-trees scores a feature table", async () => {
    const model = join(dir, "trees");
    const t = await run(["train-trees", "--data", "sim", "--features", "four", "--out", model, "--modules", "2", "--test-modules", "1", "--events-per-module", "150", "--rounds", "20", "--quiet"]);
    expect(t.code, t.err).toBe(0);
    const doc = JSON.parse(readFileSync(join(model, "trees.json"), "utf8"));
    expect(doc).toMatchObject({format: "pulsebook-trees", formatVersion: 1, featureSet: "four"});
    expect(doc.ensemble.features).toEqual(FEATURE_SETS.four);
    expect(doc.ensemble.trees).toHaveLength(20);
    const test = JSON.parse(t.out);
    expect(test.records).toBeGreaterThan(100);
    expect(test.balancedAccuracy).toBeGreaterThan(0.5);
    expect(Object.keys(test.meanAbsShap)).toEqual(FEATURE_SETS.four);
    expect(doc.metrics.test.balancedAccuracy).toBe(test.balancedAccuracy);
    // The classical cuts are scored on the same held-out rows, for the comparison.
    expect(doc.metrics.test.classicalCuts.recall).toBeGreaterThan(0);
    expect(doc.metrics.test.classicalCuts.recall).toBeLessThanOrEqual(1);

    const h5 = join(dir, "run.h5"), features = join(dir, "features.parquet"), out = join(dir, "pred.parquet");
    expect((await run(["simulate", "--events", "30", "--testpulses", "0", "--noise", "0", "--seed", "4", "--out", h5, "--quiet"])).code).toBe(0);
    expect((await run(["features", h5, "--out", features, "--quiet"])).code).toBe(0);
    const c = await run(["classify-trees", features, "--model", model, "--out", out, "--quiet"]);
    expect(c.code, c.err).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    const table = readParquet(bytes, out);
    expect(table.numRows).toBe(60);
    expect(table.schema.fields.map((f) => f.name)).toEqual(["event", "channel", "probability", ...FEATURE_SETS.four.map((f) => `shap_${f}`)]);
    const {metadata} = await readParquetMetadata(bytes, out);
    const e = Number(metadata["pulsebook.shap_expected_value"]);
    expect(Number.isFinite(e)).toBe(true);
    const p = table.getChild("probability")!.toArray() as Float64Array;
    for (let r = 0; r < table.numRows; r++) {
      expect(p[r]).toBeGreaterThan(0);
      expect(p[r]).toBeLessThan(1);
      const sum = FEATURE_SETS.four.reduce((s, f) => s + (table.getChild(`shap_${f}`)!.get(r) as number), e);
      expect(sum).toBeCloseTo(Math.log(p[r] / (1 - p[r])), 9);
    }
  });

  it("classify-trees without --model uses the shipped 14-feature trees", async () => {
    const out = join(dir, "pred-default.parquet");
    const c = await run(["classify-trees", join(dir, "features.parquet"), "--out", out, "--quiet"]);
    expect(c.code, c.err).toBe(0);
    const table = readParquet(new Uint8Array(readFileSync(out)), out);
    expect(table.schema.fields.map((f) => f.name)).toEqual(["event", "channel", "probability", ...FEATURE_SETS.all.map((f) => `shap_${f}`)]);
    // Simulated CRESST-like events: most records are clean pulses, and the model accepts most of them.
    const p = Array.from(table.getChild("probability")!.toArray() as Float64Array);
    expect(p.filter((q) => q >= 0.5).length).toBeGreaterThan(table.numRows / 2);
  });

  it("usage errors exit 2; bad model or feature files exit 1 naming the file", async () => {
    expect(await run(["train-trees", "--data", "sim", "--out", "x", "--features", "nine"])).toMatchObject({code: 2, err: expect.stringContaining(`--features must be all or four, got "nine"`)});
    expect(await run(["train-trees", "--out", "x"])).toMatchObject({code: 2, err: expect.stringContaining("--data sim|FEATURES.parquet[,…] is required")});
    expect(await run(["classify-trees", "f.parquet"])).toMatchObject({code: 2, err: expect.stringContaining("--out FILE.parquet is required")});
    const m = join(dir, "bad-model");
    mkdirSync(m);
    writeFileSync(join(m, "trees.json"), JSON.stringify({format: "pulsebook-trees", formatVersion: 7}));
    writeFileSync(join(dir, "f.parquet"), "not parquet");
    const r = await run(["classify-trees", join(dir, "f.parquet"), "--model", m, "--out", join(dir, "p.parquet")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(m, "trees.json")}: format version 7 is not supported`);
    const r2 = await run(["classify-trees", join(dir, "f.parquet"), "--model", join(dir, "trees"), "--out", join(dir, "p.parquet")]);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain(`${join(dir, "f.parquet")}: not a readable Parquet file`);
    // Predictions have no label column: not training data.
    const r3 = await run(["train-trees", "--data", join(dir, "pred.parquet"), "--out", join(dir, "t2")]);
    expect(r3.code).toBe(1);
    expect(r3.err).toMatch(/pred\.parquet: no label column/);
    // The feature table of a labelled (simulated) file is.
    const r4 = await run(["train-trees", "--data", join(dir, "features.parquet"), "--out", join(dir, "t3"), "--rounds", "5", "--quiet"]);
    expect(r4.code, r4.err).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "t3", "trees.json"), "utf8")).training.trainRecords).toBeGreaterThan(30);
    expect(existsSync(join(dir, "p.parquet"))).toBe(false);
    // A table with every feature but no event column: refused, its probabilities could not be joined back.
    const cols = readParquet(new Uint8Array(readFileSync(join(dir, "features.parquet"))), "features.parquet");
    const noEvent = Object.fromEntries(cols.schema.fields.filter((f) => f.name !== "event").map((f) => [f.name, Float64Array.from(cols.getChild(f.name)!.toArray() as ArrayLike<number>, Number)]));
    writeFileSync(join(dir, "no-event.parquet"), encodeParquet(noEvent));
    const r5 = await run(["classify-trees", join(dir, "no-event.parquet"), "--out", join(dir, "p.parquet")]);
    expect(r5.code).toBe(1);
    expect(r5.err).toContain(`${join(dir, "no-event.parquet")}: no event column`);
    expect(existsSync(join(dir, "p.parquet"))).toBe(false);
  });
});
