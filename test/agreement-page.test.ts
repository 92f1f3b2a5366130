// The label agreement page in headless Chromium, on the built site (labels/ holds no label files,
// so the page shows the two example analysts simulated from the demo's true labels): the kappa
// shown equals a kappa computed here from the loader's label arrays, the disagreement list holds
// exactly the records the two label differently, and stepping through it moves the record viewer.
// Also: the labeling page's "Export my labels" (only the author's own labels, named AUTHOR.parquet,
// with the data set inside) and its refusal of another run's labels; and the cuts page's history
// section, which in the isolated build copy (no git) says so.

import {beforeAll, describe, expect, it} from "vitest";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import type {Page} from "playwright-core";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {builtFeaturesPath, readFeatureRows} from "./support/features.js";
import {decodeLabelsParquet} from "../lib/labels/parquet.js";
import {encodeLabelsCsv} from "../lib/labels/csv.js";
import {exampleAuthors} from "../lib/labels/example.js";
import {launchBrowser} from "./support/browser.js";
import {useBuiltSite} from "./support/site.js";

interface LoaderAuthor {author: string; file: string; event: number[]; channel: number[]; label: number[]}
interface LoaderData {dataset: string; example?: string; authors: LoaderAuthor[]; refused: unknown[]}

const site = useBuiltSite();
let page: Page;
let data: LoaderData;

/** Kappa from two label maps: p_e as the share of the n² cross pairs of common records whose labels match. */
function kappa(x: Map<string, number>, y: Map<string, number>, cls?: number): number {
  const keys = [...x.keys()].filter((k) => y.has(k));
  const f = (v: number) => (cls === undefined ? v : v === cls ? 1 : 0);
  const xs = keys.map((k) => f(x.get(k)!)), ys = keys.map((k) => f(y.get(k)!));
  const n = keys.length;
  let agree = 0, cross = 0;
  for (let i = 0; i < n; ++i) {
    if (xs[i] === ys[i]) ++agree;
    for (let j = 0; j < n; ++j) if (xs[i] === ys[j]) ++cross;
  }
  return (agree / n - cross / (n * n)) / (1 - cross / (n * n));
}

const labelMap = (a: LoaderAuthor) => new Map(a.event.map((e, i) => [`${e}/${a.channel[i]}`, a.label[i]]));

beforeAll(async () => {
  const dir = join(site.dist, "_file", "data");
  const file = readdirSync(dir).filter((f) => /^label-agreement(\.[0-9a-f]+)?\.json$/.test(f));
  expect(file).toHaveLength(1);
  data = JSON.parse(readFileSync(join(dir, file[0]), "utf8"));
  page = site.browser.page;
  await page.goto(site.at("tools/agreement"));
  await page.waitForSelector("#kappa-table", {timeout: 45_000});
  await page.waitForSelector("#disagreement-viewer[data-event]", {timeout: 45_000});
}, 300_000);

describe("label agreement page", () => {
  it("shows the example analysts, simulated from the demo's true labels as lib/labels/example.ts documents", async () => {
    expect(data.example).toMatch(/labels\/ holds no label files/);
    expect(await page.locator("#example-note").innerText()).toContain("simulated analysts");
    const rows = readFeatureRows(builtFeaturesPath(site.dist));
    const truth = {event: rows.map((r) => r.event), channel: rows.map((r) => r.channel), label: rows.map((r) => r.label)};
    const expected = exampleAuthors(truth);
    expect(data.authors.map((a) => a.author)).toEqual(["example-A", "example-B"]);
    data.authors.forEach((a, k) => {
      expect(a.event).toEqual(expected[k].entries.map((e) => e.event));
      expect(a.channel).toEqual(expected[k].entries.map((e) => e.channel));
      expect(a.label).toEqual(expected[k].entries.map((e) => e.label));
    });
    // The perturbation makes real disagreement: neither copies the truth.
    const truthMap = new Map(rows.map((r) => [`${r.event}/${r.channel}`, r.label]));
    for (const a of data.authors) {
      const wrong = a.event.filter((e, i) => truthMap.get(`${e}/${a.channel[i]}`) !== a.label[i]).length;
      expect(wrong).toBeGreaterThan(0);
    }
  });

  it("shows the kappa computed here, overall and per class", async () => {
    const [A, B] = data.authors.map(labelMap);
    const overall = kappa(A, B);
    const shown = JSON.parse((await page.locator("#kappa-table").getAttribute("data-kappa"))!);
    expect(shown["example-A|example-B"]).toBeCloseTo(overall, 12);
    const row = page.locator('#kappa-table tr.overall[data-pair="example-A|example-B"] td.k');
    expect(await row.innerText()).toBe(overall.toFixed(3));
    const classes = [...new Set([...A.keys()].filter((k) => B.has(k)).flatMap((k) => [A.get(k)!, B.get(k)!]))].sort((a, b) => a - b);
    const perClass = await page.locator('#kappa-table tr[data-label]').evaluateAll((trs) => trs.map((tr) => [Number((tr as HTMLElement).dataset.label), (tr.querySelector("td.k") as HTMLElement).dataset.kappa]));
    expect(perClass.map(([c]) => c)).toEqual(classes);
    for (const [c, k] of perClass) {
      const want = kappa(A, B, c as number);
      if (Number.isFinite(want)) expect(Number(k)).toBeCloseTo(want, 12);
      else expect(k).toBe("null");
    }
    // The confusion heatmap's counts add up to the common records.
    const matrix: number[][] = JSON.parse((await page.locator("#confusion").getAttribute("data-matrix"))!);
    expect(matrix.flat().reduce((s, v) => s + v, 0)).toBe([...A.keys()].filter((k) => B.has(k)).length);
    expect(await page.locator("#confusion svg").count()).toBeGreaterThan(0);
  });

  it("lists exactly the records the two label differently, and steps through them with the record viewer", async () => {
    const [A, B] = data.authors.map(labelMap);
    const want = [...A.keys()].filter((k) => B.has(k) && A.get(k) !== B.get(k))
      .sort((p, q) => { const [a, b] = [p, q].map((s) => s.split("/").map(Number)); return a[0] - b[0] || a[1] - b[1]; });
    expect(want.length).toBeGreaterThan(2);
    expect(JSON.parse((await page.locator("#disagreements").getAttribute("data-events"))!)).toEqual(want);
    const [e0, e1] = want.map((k) => k.split("/")[0]);
    expect(await page.locator("#disagreement-stepper").getAttribute("data-event")).toBe(e0);
    expect(await page.locator("#disagreement-viewer").getAttribute("data-event")).toBe(e0);
    await page.click("#next-disagreement");
    await page.waitForSelector(`#disagreement-stepper[data-position="1"]`, {timeout: 10_000});
    expect(await page.locator("#disagreement-stepper").getAttribute("data-event")).toBe(e1);
    await page.waitForSelector(`#disagreement-viewer[data-event="${e1}"] svg`, {timeout: 20_000});
    await page.focus("#disagreement-stepper");
    await page.keyboard.press("ArrowLeft");
    await page.waitForSelector(`#disagreement-stepper[data-position="0"]`, {timeout: 10_000});
    // Clicking a row of the list jumps to it.
    await page.click(`#disagreements .row[data-index="${want.length - 1}"]`);
    await page.waitForSelector(`#disagreement-stepper[data-position="${want.length - 1}"]`, {timeout: 10_000});
  });

  it("states the consensus rule and counts what it resolves", async () => {
    const [A, B] = data.authors.map(labelMap);
    const all = new Set([...A.keys(), ...B.keys()]);
    const both = [...A.keys()].filter((k) => B.has(k));
    const agreed = both.filter((k) => A.get(k) === B.get(k)).length;
    const counts = JSON.parse((await page.locator("#consensus-result").getAttribute("data-counts"))!);
    // Two authors: a majority is both of them, so the rest is unresolved.
    expect(counts).toEqual({agreed, majority: 0, referee: 0, unresolved: all.size - agreed, single: all.size - both.length});
    expect(await page.locator("#consensus-rule").innerText()).toMatch(/more than half of the authors who labelled it/);
    // example-A as referee decides every unresolved record example-A labelled.
    await page.selectOption("#consensus-referee select", {label: "example-A"});
    await page.waitForFunction(() => JSON.parse(document.querySelector<HTMLElement>("#consensus-result")?.dataset.counts ?? "{}").referee > 0, undefined, {timeout: 10_000});
    const refereed = JSON.parse((await page.locator("#consensus-result").getAttribute("data-counts"))!);
    expect(refereed.referee).toBe([...A.keys()].filter((k) => !(B.has(k) && A.get(k) === B.get(k))).length);
    expect(await page.locator("#consensus-result pre").innerText()).toContain("--referee example-A");
    expect(site.browser.pageErrors).toEqual([]);
    expect(await page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent ?? ""))).toEqual([]);
    expect(site.browser.external).toEqual([]);
  });
});

describe("labeling page: my labels as labels/AUTHOR.parquet", () => {
  it("exports only the labels the author assigned, named by the author, and refuses another run's labels", async () => {
    const fresh = await launchBrowser();
    try {
      const p = fresh.page;
      await p.goto(site.at("tools/labeling"));
      await p.waitForSelector("#label-total", {timeout: 45_000});
      const dataset = (await p.locator("#dataset-summary").getAttribute("data-dataset"))!;
      const T = "2026-12-01T10:00:00.000Z";
      const entries = [[3, 0, 1, "ann"], [3, 1, 1, "ann"], [7, 0, 4, "bob"], [9, 0, 3, "ann"]].map(([event, channel, label, author]) => ({event: event as number, channel: channel as number, label: label as number, author: author as string, time: T, note: ""}));
      await p.setInputFiles("#import-file input", {name: "team.csv", mimeType: "text/csv", buffer: Buffer.from(encodeLabelsCsv(entries, dataset))});
      await p.waitForSelector('#import-result[data-count="4"]', {timeout: 20_000});
      await p.fill("#label-author input", "ann");
      await p.waitForSelector('#export-mine-card[data-count="3"]', {timeout: 10_000});
      expect(await p.locator("#export-mine").innerText()).toBe("Export my labels as labels/ann.parquet");
      const [download] = await Promise.all([p.waitForEvent("download"), p.click("#export-mine")]);
      expect(download.suggestedFilename()).toBe("ann.parquet");
      const got = decodeLabelsParquet({arrow, parquet}, new Uint8Array(readFileSync((await download.path())!)), "ann.parquet");
      expect(got.dataset).toBe(dataset);
      expect(got.entries).toEqual(entries.filter((e) => e.author === "ann"));

      await p.setInputFiles("#import-file input", {name: "other.csv", mimeType: "text/csv", buffer: Buffer.from(encodeLabelsCsv(entries, "other.h5#0123456789abcdef"))});
      await p.waitForSelector('#import-result[data-error="1"]', {timeout: 20_000});
      expect(await p.locator("#import-result").innerText()).toContain(`other.csv: labels are for data set other.h5#0123456789abcdef, but this page shows ${dataset}; not imported`);
      expect(await p.locator("#label-total").getAttribute("data-count")).toBe("4");
      expect(fresh.pageErrors).toEqual([]);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});

describe("cuts page: history", () => {
  it("lists every cut file with its format version, and says why there is no history outside git", async () => {
    await page.goto(site.at("tools/cuts"));
    await page.waitForSelector("#cut-history", {timeout: 45_000});
    // The test build runs in an isolated copy of the repository without .git.
    expect(await page.locator("#cut-history").getAttribute("data-git")).toBe("0");
    expect(await page.locator("#cut-history-note").innerText()).toMatch(/No history shown: src\/cuts is not in a git checkout \(fatal: not a git repository/);
    const files = readdirSync(new URL("../src/cuts/", import.meta.url)).filter((f) => f.endsWith(".cut.json")).sort();
    expect(await page.locator("#cut-history details").evaluateAll((ds) => ds.map((d) => (d as HTMLElement).dataset.file))).toEqual(files);
    expect(await page.locator("#cut-history details summary").first().innerText()).toMatch(/format version 1/);
  });
});
