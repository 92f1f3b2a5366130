// Training on the user's own labeled cait file. In Node: the page's path (the browser build of
// h5wasm, file bytes in wasm memory, openCaitBuffer) builds exactly the set `pulsebook train
// --data` builds; the held-out split and the class check. In headless Chromium: the file is set
// on the page's file input, its labeled records are counted and the model trains one epoch on
// them; a foreign file gives a message naming it, not an exception.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import h5wasmNode from "h5wasm/node";
import h5wasmBrowser from "h5wasm";
import {writeSimulation} from "../../data-loaders/simulate.ts";
import {labeledSetFromFiles} from "../../data-loaders/ml.ts";
import {openCaitBuffer, type BrowserH5Module} from "../../lib/io/browser.ts";
import {checkBothClasses, holdOutEvents, labeledSetFromCait} from "../../lib/ml/data/caitLabeled.ts";
import {DataFileError} from "../../lib/io/errors.ts";
import {createCaitFile} from "../../data-loaders/io/node.ts";
import {useBuiltSite} from "../support/site.js";

const EVENTS = 60;
const dir = mkdtempSync(join(tmpdir(), "pulsebook-train-file-"));
const h5 = join(dir, "my-run.h5");
const other = join(dir, "other-module.h5"); // validation file: other detectors
const foreign = join(dir, "notes.h5"); // a text file named .h5
/** Files the page must refuse, with the message it must show (file name first, as DataFileError). */
const refused: [string, string][] = [
  ["notes.h5", "notes.h5: not an HDF5 file (no HDF5 signature found)"],
  ["other.h5", "other.h5: no record group: expected one of events, testpulses, noise (found: spectra)"],
  ["bare.h5", "bare.h5 [events/labels]: no labels: training needs the events/labels dataset"],
  ["odd.h5", "odd.h5 [events/event]: record length 1000 is not a multiple of 512"],
  ["artefacts.h5", "artefacts.h5 [events/labels]: no positive records for training (labels 1 Event_Pulse or 9 Strongly_Saturated_Event_Pulse): 8 records, all artefacts"]
];

/** A small cait file of 4 events × 2 channels, records of `recordLength` samples, labels `label` (none: no labels dataset). */
async function writeSmall(path: string, recordLength: number, label?: number): Promise<void> {
  const count = 4, nChannels = 2;
  await createCaitFile(path, {layout: {sampleFrequency_Hz: 25_000, recordLength, triggerIndex: recordLength / 4}, channelNumbers: [1, 2], groups: [{group: "events", count, labels: label !== undefined}]}, (w) => {
    const samples = Float32Array.from({length: nChannels * count * recordLength}, (_, i) => Math.sin(i / 7));
    w.write({group: "events", start: 0, count, nChannels, recordLength, samples, hours: new Float64Array(count), ...(label !== undefined ? {labels: new Int32Array(nChannels * count).fill(label)} : {})});
  });
}
/** Labeled records of the file, counted from events/labels with h5wasm directly. */
let expected = {records: 0, positive: 0};
let expectedOther = 0;

beforeAll(async () => {
  await writeSimulation(h5, {events: EVENTS, seed: 11});
  await writeSimulation(other, {events: 20, seed: 12});
  writeFileSync(foreign, "event,channel,label\n0,0,1\n");
  await h5wasmNode.ready;
  const foreignH5 = new h5wasmNode.File(join(dir, "other.h5"), "w");
  foreignH5.create_group("spectra");
  foreignH5.close();
  await writeSmall(join(dir, "bare.h5"), 1024);
  await writeSmall(join(dir, "odd.h5"), 1000, 1);
  await writeSmall(join(dir, "artefacts.h5"), 1024, 3); // all Noise
  const readLabels = (path: string) => {
    const f = new h5wasmNode.File(path, "r");
    const labels = Array.from((f.get("events/labels") as import("h5wasm").Dataset).value as ArrayLike<number>, Number);
    f.close();
    return labels;
  };
  const labels = readLabels(h5);
  expectedOther = readLabels(other).filter((l) => l !== 0).length;
  // cait classes: 0 unlabeled (left out); 1 Event_Pulse and 9 Strongly_Saturated_Event_Pulse positive.
  expected = {records: labels.filter((l) => l !== 0).length, positive: labels.filter((l) => l === 1 || l === 9).length};
}, 60_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("labeled set from a cait file", () => {
  it("the page's path (browser h5wasm, bytes in memory) gives the same set as pulsebook train --data", async () => {
    const node = await labeledSetFromFiles([h5]);
    const cait = await openCaitBuffer(h5wasmBrowser as unknown as BrowserH5Module, readFileSync(h5).buffer as ArrayBuffer, "my-run.h5");
    const page = labeledSetFromCait(cait);
    cait.close();
    expect(node.y.length).toBe(expected.records);
    expect(node.y.reduce((a, b) => a + b, 0)).toBe(expected.positive);
    expect(page.y).toEqual(node.y);
    expect(page.detector).toEqual(node.detector);
    expect(page.labelClass).toEqual(node.labelClass);
    expect(Buffer.from(page.x.buffer).equals(Buffer.from(node.x.buffer))).toBe(true);
    // Detectors consecutive (channel 0's records, then channel 1's), events ascending within.
    for (let i = 1; i < page.y.length; i++) {
      expect(page.detector[i]).toBeGreaterThanOrEqual(page.detector[i - 1]);
      if (page.detector[i] === page.detector[i - 1]) expect(page.event[i]).toBeGreaterThan(page.event[i - 1]);
    }
  });

  it("holds out whole events, keeps detectors consecutive, and refuses one-class sets", async () => {
    const cait = await openCaitBuffer(h5wasmBrowser as unknown as BrowserH5Module, readFileSync(h5).buffer as ArrayBuffer, "my-run.h5");
    const set = labeledSetFromCait(cait);
    cait.close();
    const {train, validation, heldOutEvents} = holdOutEvents(set, 0.25, 1);
    expect(train.y.length + validation.y.length).toBe(set.y.length);
    // 25 % of the events that have a labeled record; all records of a held-out event (both
    // channels) on the validation side, in the set's order (detectors stay consecutive).
    const events = new Set(set.event);
    const held = new Set(heldOutEvents);
    const heldEvents = new Set<number>(), trainEvents = new Set<number>();
    let v = 0, t = 0;
    for (let i = 0; i < set.y.length; i++) {
      if (held.has(set.event[i])) { heldEvents.add(set.event[i]); expect(validation.y[v]).toBe(set.y[i]); expect(validation.detector[v++]).toBe(set.detector[i]); }
      else { trainEvents.add(set.event[i]); expect(train.y[t]).toBe(set.y[i]); expect(train.detector[t++]).toBe(set.detector[i]); }
    }
    expect(v).toBe(validation.y.length);
    expect(heldEvents.size).toBe(Math.round(0.25 * events.size));
    expect([...heldEvents].some((e) => trainEvents.has(e))).toBe(false);
    expect(() => checkBothClasses(set, "my-run.h5")).not.toThrow();
    const negatives = {...set, y: new Float32Array(set.y.length)};
    expect(() => checkBothClasses(negatives, "my-run.h5")).toThrow(DataFileError);
    expect(() => checkBothClasses(negatives, "my-run.h5")).toThrow(/^my-run\.h5 \[events\/labels\]: no positive records for training/);
    expect(() => checkBothClasses({...set, y: new Float32Array(set.y.length).fill(1)}, "my-run.h5")).toThrow(/no negative records/);
  });
});

describe("train-classifier page on the user's file", () => {
  const site = useBuiltSite();

  it("counts the file's labeled records, trains one epoch on them and draws the curves; files it cannot use get a message", async () => {
    const {page} = site;
    await page.goto(site.at("reports/train-classifier"), {waitUntil: "load"});
    await page.waitForSelector(".train-start", {timeout: 60_000});
    // data: my labeled HDF5 file; epochs per run: 1.
    await page.evaluate(() => {
      const radio = Array.from(document.querySelectorAll<HTMLLabelElement>("form label")).find((l) => l.textContent?.trim() === "my labeled HDF5 file")!.querySelector("input")!;
      radio.click();
      const epochs = Array.from(document.querySelectorAll("form")).find((f) => f.querySelector("label")?.textContent?.trim() === "epochs per run")!.querySelector<HTMLInputElement>("input[type=number]")!;
      epochs.value = "1";
      epochs.dispatchEvent(new Event("input", {bubbles: true}));
    });
    await page.setInputFiles(".train-files input[type=file]", h5);
    await page.waitForFunction(() => /my-run\.h5: \d+ records/.test(document.querySelector(".train-data")?.textContent ?? ""), null, {timeout: 30_000});
    const summary = (await page.textContent(".train-data")) ?? "";
    const m = /my-run\.h5: (\d+) records, ([\d.]+) % positive .* from 2 detectors\. 20 % of the events held out for validation: the same detectors\. Training: (\d+) records.*; validation: (\d+) records/.exec(summary);
    expect(m, summary).not.toBeNull();
    expect(Number(m![1])).toBe(expected.records);
    expect(m![2]).toBe(((100 * expected.positive) / expected.records).toFixed(1));
    const nTrain = Number(m![3]), nValidation = Number(m![4]);
    expect(nTrain + nValidation).toBe(expected.records);
    expect(nValidation).toBeGreaterThan(0);

    await page.click(".train-start");
    await page.waitForFunction(() => /Finished\.|failed|Cannot/.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 60_000});
    const status = (await page.textContent(".train-status")) ?? "";
    expect(status).toMatch(/Epoch 1 done \(cnn\).*Finished\./);
    const drawn = await page.evaluate(() => ({
      stepVertices: Math.max(0, ...Array.from(document.querySelectorAll(".train-steps svg path"), (p) => (p.getAttribute("d") ?? "").split(/[ML]/).length)),
      epochMarks: document.querySelectorAll(".train-epochs svg path").length
    }));
    // One step per 64 records of a detector, at least ceil(nTrain / 64).
    expect(drawn.stepVertices).toBeGreaterThanOrEqual(Math.ceil(nTrain / 64));
    expect(drawn.epochMarks).toBeGreaterThanOrEqual(1);
    // The status of the run names the file and its training record count.
    expect(status).toContain(`${nTrain} training records of my-run.h5`);

    // Files that cannot be trained on: a message naming the file, in the page and on Train
    // (which keeps the model trained above); never an exception.
    for (const [name, message] of refused) {
      await page.setInputFiles(".train-files input[type=file]", join(dir, name));
      await page.waitForFunction((name) => (document.querySelector(".train-data.train-data-error")?.textContent ?? "").includes(name), name, {timeout: 30_000});
      expect(await page.textContent(".train-data")).toBe(`Cannot train on this data: ${message}`);
    }
    await page.click(".train-start");
    await page.waitForFunction(() => /Cannot train/.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 30_000});
    expect(await page.textContent(".train-status")).toBe(`Cannot train on this data: ${refused.at(-1)![1]}`);

    // Validation on a second file: other detectors; first the message that it is missing.
    await page.evaluate(() => Array.from(document.querySelectorAll<HTMLLabelElement>("form label")).find((l) => l.textContent?.trim() === "second file (other detectors)")!.querySelector("input")!.click());
    await page.setInputFiles(".train-files input[type=file]", h5);
    await page.waitForFunction(() => /no validation file/.test(document.querySelector(".train-data")?.textContent ?? ""), null, {timeout: 30_000});
    await page.setInputFiles(".validation-files input[type=file]", other);
    await page.waitForFunction(() => /validation on other-module\.h5/.test(document.querySelector(".train-data")?.textContent ?? ""), null, {timeout: 30_000});
    const two = (await page.textContent(".train-data")) ?? "";
    expect(two).toMatch(new RegExp(`validation on other-module\\.h5: other detectors\\. Training: ${expected.records} records.*; validation: ${expectedOther} records`));
    await page.click(".train-start");
    await page.waitForFunction(() => /Finished\.|failed|Cannot/.test(document.querySelector(".train-status")?.textContent ?? ""), null, {timeout: 60_000});
    expect(await page.textContent(".train-status")).toMatch(new RegExp(`Epoch 1 done \\(cnn\\).* ${expected.records} training records of my-run\\.h5\\. Finished\\.`));

    const errors = await page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent ?? ""));
    expect(errors).toEqual([]);
    expect(site.browser.pageErrors).toEqual([]);
    expect(site.browser.external).toEqual([]);
  }, 120_000);
});
