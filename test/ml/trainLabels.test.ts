// `pulsebook train --labels`: a label table (the labeling page's export) stands in for a cait
// file's events/labels. Training on a file without labels plus its table gives exactly the
// records of the same file with the labels written in; tables that do not belong to the file are
// refused naming the table and the problem.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {createCaitFile} from "../../data-loaders/io/node.ts";
import {CRESST_LIKE, simulateChunk} from "../../lib/sim/index.ts";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {encodeLabelsCsv} from "../../lib/labels/csv.ts";
import {encodeLabelsParquet} from "../../lib/labels/parquet.ts";
import type {LabelEntry} from "../../lib/labels/book.ts";
import {DataFileError} from "../../lib/io/errors.ts";
import {selectBackend} from "../../lib/ml/nets/backend.ts";
import {writeSimulation} from "../../data-loaders/simulate.ts";
import {labeledSetFromFiles} from "../../data-loaders/ml.ts";
import {datasetIdOfFile} from "../../data-loaders/trainLabels.ts";
import {runMain} from "../support/cli.ts";

const N = 30, SEED = 4;
const T = "2026-11-23T07:00:00.000Z";
const entry = (event: number, channel: number, label: number): LabelEntry => ({event, channel, label, author: "t", time: T, note: ""});

const run = runMain;

let dir: string, labelled: string, bare: string, truth: LabelEntry[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-train-labels-"));
  labelled = join(dir, "labelled.h5");
  bare = join(dir, "bare.h5");
  await writeSimulation(labelled, {events: N, seed: SEED});
  // The same records without events/labels, as a measured run has before anyone labelled it.
  const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: N, seed: SEED});
  const codes = chunk.labels!;
  truth = [];
  for (let c = 0; c < 2; c++) for (let i = 0; i < N; i++) if (codes[c * N + i] !== 0) truth.push(entry(i, c, codes[c * N + i]));
  delete chunk.labels;
  await createCaitFile(bare, {layout: CRESST_LIKE.layout, channelNumbers: CRESST_LIKE.channelNumbers, groups: [{group: "events", count: N}]}, (w) => w.write(chunk));
  writeFileSync(join(dir, "bare.csv"), encodeLabelsCsv(truth, datasetIdOfFile(bare)));
  await selectBackend(["wasm"]);
}, 120_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("training labels from label files", () => {
  it("a file without events/labels plus its label table gives the records of the labelled file", async () => {
    expect(truth.length).toBe(2 * N); // the simulation labels every record
    const fromTable = await labeledSetFromFiles([bare], [join(dir, "bare.csv")]);
    const fromFile = await labeledSetFromFiles([labelled]);
    expect(fromTable.y.length).toBe(fromFile.y.length);
    expect(fromTable.y.length).toBeGreaterThan(40);
    expect([...fromTable.labelClass]).toEqual([...fromFile.labelClass]);
    expect([...fromTable.y]).toEqual([...fromFile.y]);
    expect([...fromTable.detector]).toEqual([...fromFile.detector]);
    expect(fromTable.x).toEqual(fromFile.x);
    expect(fromTable.labelSources).toEqual([expect.objectContaining({identityCheck: "sha256", entries: 2 * N, recordsLabelledByTable: fromTable.y.length, recordsLabelledByFile: 0})]);
    expect(fromFile.labelSources).toEqual([]);
    // The Parquet export reads the same.
    writeFileSync(join(dir, "bare.parquet"), encodeLabelsParquet({arrow, parquet}, truth, datasetIdOfFile(bare)));
    const fromParquet = await labeledSetFromFiles([bare], [join(dir, "bare.parquet")]);
    expect([...fromParquet.labelClass]).toEqual([...fromFile.labelClass]);
    expect(fromParquet.labelSources[0]).toMatchObject({identityCheck: "sha256"});
  });

  it("table entries replace the file's labels record by record; the others keep the file's", async () => {
    const base = await labeledSetFromFiles([labelled]);
    // Event 0 channel 0 → Squid_Jump (negative), event 1 channel 1 → unlabelled (left out).
    const over = join(dir, "over.csv");
    writeFileSync(over, encodeLabelsCsv([entry(0, 0, 4), entry(1, 1, 0)], datasetIdOfFile(labelled)));
    const set = await labeledSetFromFiles([labelled], [over]);
    expect(set.y.length).toBe(base.y.length - 1);
    // Channel 0 comes first (detector 0), in event order: record 0 is event 0.
    expect(set.labelClass[0]).toBe(4);
    expect(set.y[0]).toBe(0);
    expect([...set.labelClass.subarray(1, N)]).toEqual([...base.labelClass.subarray(1, N)]);
    expect(set.labelSources[0]).toMatchObject({entries: 2, recordsLabelledByTable: 1, recordsLabelledByFile: set.y.length - 1});
  });

  it("pulsebook train --labels trains on a file that has no labels dataset, and records the tables", async () => {
    const out = join(dir, "model");
    const csv = join(dir, "bare.csv");
    const r = await run(["train", "--data", bare, "--labels", csv, "--validation", bare, "--validation-labels", csv, "--epochs", "1", "--backend", "wasm", "--out", out]);
    expect(r.err).toMatch(/labels of .*bare\.h5: \d+ records from .*bare\.csv, 0 from its events\/labels/);
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    const n = m.training.data.trainRecords;
    expect(n).toBeGreaterThan(40);
    expect(m.training.data.trainLabelFiles).toEqual([expect.objectContaining({identityCheck: "sha256", entries: 2 * N, recordsLabelledByTable: n})]);
    expect(m.training.data.trainLabelFiles[0].labels.path).toBe(csv);
    expect(m.training.data.validationLabelFiles).toHaveLength(1);
    // Without the table the same file cannot be trained on.
    const r2 = await run(["train", "--data", bare, "--validation", bare, "--epochs", "1", "--backend", "wasm", "--out", join(dir, "m2")]);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain(`${bare} [events/labels]: no labels: training needs the events/labels dataset or a label file (--labels)`);
  }, 60_000);

  it("refuses a label table that does not belong to the file, naming the table and the problem", async () => {
    const bad = async (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      const e = await labeledSetFromFiles([bare], [p]).then(() => null, (err) => err);
      expect(e).toBeInstanceOf(DataFileError);
      expect(e.message.startsWith(p + ":")).toBe(true);
      return e.message as string;
    };
    // Made for another file (the labelled one: other content).
    expect(await bad("other.csv", encodeLabelsCsv(truth, datasetIdOfFile(labelled))))
      .toContain(`labels are for data set "${datasetIdOfFile(labelled)}", but ${bare} is "${datasetIdOfFile(bare)}"`);
    // A table of a file with more events.
    expect(await bad("long.csv", encodeLabelsCsv([...truth, entry(N, 0, 1)])))
      .toContain(`row ${truth.length + 1}: event ${N} does not exist (${bare} has ${N} events)`);
    expect(await bad("chan.csv", encodeLabelsCsv([entry(0, 2, 1)]))).toContain(`row 1: channel 2 does not exist (${bare} has 2 channels)`);
    // Made from a feature table without provenance: the row count must match events × channels.
    expect(await bad("rows.csv", encodeLabelsCsv([entry(0, 0, 1)], `features.parquet#${2 * N + 2}rows`)))
      .toContain(`labels are for a feature table of ${2 * N + 2} records, but ${bare} has ${N} events × 2 channels = ${2 * N}`);
    // A class code cait does not define.
    expect(await bad("code.csv", encodeLabelsCsv([entry(0, 0, 1), entry(1, 0, 42)]))).toContain(`"42" is not a cait label class`);
    // A missing table.
    const missing = join(dir, "nope.csv");
    await expect(labeledSetFromFiles([bare], [missing])).rejects.toThrow(`${missing}: file not found (ENOENT)`);
    // A table whose feature-table row count does match is accepted (identity "records").
    const ok = join(dir, "rows-ok.csv");
    writeFileSync(ok, encodeLabelsCsv(truth, `features.parquet#${2 * N}rows`));
    expect((await labeledSetFromFiles([bare], [ok])).labelSources[0]).toMatchObject({identityCheck: "records"});
  });

  it("the command line pairs one table with each file", async () => {
    const csv = join(dir, "bare.csv");
    expect(await run(["train", "--data", `${bare},${labelled}`, "--labels", csv, "--validation", bare, "--out", join(dir, "x")]))
      .toMatchObject({code: 2, err: expect.stringContaining("--labels names 1 label files for 2 --data files")});
    expect(await run(["train", "--data", "sim", "--labels", csv, "--out", join(dir, "x")]))
      .toMatchObject({code: 2, err: expect.stringContaining("--labels and --validation-labels need --data FILE.h5")});
    expect(await run(["train", "--data", bare, "--labels", csv, "--validation", bare, "--validation-labels", `${csv},${csv}`, "--out", join(dir, "x")]))
      .toMatchObject({code: 2, err: expect.stringContaining("--validation-labels names 2 label files for 1 --validation files")});
  });
});
