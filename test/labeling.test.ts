// The labeling page in headless Chromium: draw a rectangle and a lasso with the mouse, check the
// selected records against the feature table read in Node, label them, undo with the keyboard,
// reload and find the labels (IndexedDB), export CSV and Parquet, and import the export into
// fresh browser profiles.

import {beforeAll, describe, expect, it} from "vitest";
import {copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {importLabels, readLabelsFile} from "../data-loaders/labels.js";
import {writeFeatures} from "../data-loaders/features.js";
import {ensureDemoFile} from "../data-loaders/demo.js";
import {join} from "node:path";
import type {Page} from "playwright-core";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {builtFeaturesPath, readFeatureRows, type FeatureRow} from "./support/features.js";
import {decodeLabelsCsv} from "../lib/labels/csv.js";
import {decodeLabelsParquet} from "../lib/labels/parquet.js";
import type {LabelEntry} from "../lib/labels/book.js";
import {parseCut} from "../lib/cuts/cut.js";
import {applyCuts, readCutDir} from "../data-loaders/cuts.js";
import {querySql} from "../data-loaders/io/sqlSelect.js";
import {fileURLToPath} from "node:url";
import {launchBrowser} from "./support/browser.js";
import {useBuiltSite} from "./support/site.js";

let page: Page;
let phonon: FeatureRow[];
let rows: FeatureRow[];
let featuresBytes: Uint8Array;
let distDir: string;
const builtFile = (dist: string, pattern: RegExp) => {
  const dir = join(dist, "_file", "data");
  const matches = readdirSync(dir).filter((f) => pattern.test(f));
  if (matches.length !== 1) throw new Error(`expected one file matching ${pattern} in ${dir}, found ${matches.join(", ") || "none"}`);
  return join(dir, matches[0]);
};
let url: string;
const NOTE = `<img src=x onerror="document.body.dataset.pwned=1"> & "quoted", note`;

interface Frame {
  xDomain: [number, number];
  yDomain: [number, number];
  xRange: [number, number];
  yRange: [number, number];
  box: {x: number; y: number};
}

async function frame(): Promise<Frame> {
  await page.locator("#label-scatter").scrollIntoViewIfNeeded();
  const box = (await page.locator("#label-scatter .selection-overlay").boundingBox())!;
  const d = await page.evaluate(() => ({...document.querySelector<HTMLElement>("#label-scatter")!.dataset}));
  return {xDomain: JSON.parse(d.xDomain!), yDomain: JSON.parse(d.yDomain!), xRange: JSON.parse(d.xRange!), yRange: JSON.parse(d.yRange!), box};
}

/** Viewport pixel of a data point; beyond the axes (robust domains), 2 px inside the frame's edge. */
function toScreen(f: Frame, x: number, y: number): [number, number] {
  const inside = (p: number, [r0, r1]: [number, number]) => Math.min(Math.max(r0, r1) - 2, Math.max(Math.min(r0, r1) + 2, p));
  const px = f.xRange[0] + ((x - f.xDomain[0]) / (f.xDomain[1] - f.xDomain[0])) * (f.xRange[1] - f.xRange[0]);
  const py = f.yRange[0] + ((y - f.yDomain[0]) / (f.yDomain[1] - f.yDomain[0])) * (f.yRange[1] - f.yRange[0]);
  return [f.box.x + inside(px, f.xRange), f.box.y + inside(py, f.yRange)];
}

async function selection(): Promise<{count: number; polygon: [number, number][]}> {
  return page.evaluate(() => {
    const el = document.querySelector<HTMLElement>("#label-scatter")!;
    return {count: Number(el.dataset.selected), polygon: JSON.parse(el.dataset.polygon ?? "[]")};
  });
}

/** Even-odd ray casting, written independently of d3's polygonContains used by the page. */
function inside(poly: [number, number][], x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

const labelTotal = () => page.locator("#label-total").getAttribute("data-count").then(Number);
const waitTotal = (n: number) => page.waitForSelector(`#label-total[data-count="${n}"]`, {timeout: 20_000});

async function openPage(p: Page): Promise<void> {
  await p.goto(url);
  await p.waitForSelector("#label-scatter[data-drawn]", {timeout: 45_000});
  await p.waitForSelector("#label-total", {timeout: 20_000});
}

async function exportFile(p: Page, button: string): Promise<Uint8Array> {
  const [download] = await Promise.all([p.waitForEvent("download"), p.click(button)]);
  return new Uint8Array(readFileSync((await download.path())!));
}

const summary = (entries: LabelEntry[]) => entries.map((e) => `${e.event}/${e.channel}:${e.label}:${e.author}:${e.note}`).sort();

const site = useBuiltSite();
/** Every answer to a request for the feature table: the page must read it by ranges. */
const featureReads: {method: string; status: number; range?: string}[] = [];
beforeAll(async () => {
  const {dist} = site;
  distDir = dist;
  rows = readFeatureRows(builtFeaturesPath(dist));
  featuresBytes = new Uint8Array(readFileSync(builtFeaturesPath(dist)));
  phonon = rows.filter((r) => r.channel === 0);
  url = site.at("tools/labeling");
  page = site.browser.page;
  page.on("response", (r) => {
    if (/\/features[^/]*\.parquet$/.test(new URL(r.url()).pathname)) featureReads.push({method: r.request().method(), status: r.status(), range: r.request().headers().range});
  });
}, 300_000);


let rectEvents: number[] = [];
let rectRightEdge = NaN;
let lassoEvents: number[] = [];
let exportedCsv: Uint8Array;
let lassoCut = "";
let exportedParquet: Uint8Array;

describe("labeling page", () => {
  it("draws every phonon record of the table as a point", async () => {
    await openPage(page);
    const d = await page.evaluate(() => ({...document.querySelector<HTMLElement>("#label-scatter")!.dataset}));
    const finite = phonon.filter((r) => Number.isFinite(r.pulse_height_V) && Number.isFinite(r.rise_time_ms));
    expect(Number(d.points)).toBe(phonon.length);
    expect(Number(d.drawn)).toBe(finite.length);
    // The few rise times of 100+ ms no longer squash the pulses at 1–2 ms: they sit hollow on the edge.
    const riseTimes = finite.map((r) => r.rise_time_ms);
    const yDomain = JSON.parse(d.yDomain!) as [number, number];
    expect(Math.max(...riseTimes)).toBeGreaterThan(50);
    expect(yDomain[1]).toBeLessThan(10);
    expect(Number(d.clamped)).toBe(riseTimes.filter((v) => v < yDomain[0] || v > yDomain[1]).length + finite.filter((r) => r.rise_time_ms >= yDomain[0] && r.rise_time_ms <= yDomain[1] && (r.pulse_height_V < JSON.parse(d.xDomain!)[0] || r.pulse_height_V > JSON.parse(d.xDomain!)[1])).length);
    expect(Number(d.clamped)).toBeGreaterThan(0);
    expect(await labelTotal()).toBe(0);
  });

  it("reads the feature table by range requests and counts records as DuckDB in Node does", async () => {
    // DuckDB-wasm starts in a worker after the scatter is drawn: seconds on a busy machine.
    await page.waitForSelector("#dataset-summary[data-channel-counts]", {timeout: 120_000});
    const d = await page.evaluate(() => ({...document.querySelector<HTMLElement>("#dataset-summary")!.dataset}));
    const sql = await querySql(featuresBytes, "SELECT channel::INTEGER AS channel, count(*)::INTEGER AS n FROM features GROUP BY channel ORDER BY channel");
    const expected = sql.toArray().map((r) => ({channel: Number(r.channel), n: Number(r.n)}));
    expect(expected.length).toBe(2);
    expect(JSON.parse(d.channelCounts!)).toEqual(expected);
    const gets = featureReads.filter((r) => r.method === "GET");
    expect(gets.length).toBeGreaterThan(1);
    // Footer (a suffix range) and column chunks by range; never the whole file in one 200.
    expect(gets.every((r) => r.status === 206 && /^bytes=(\d+-\d+|-\d+)$/.test(r.range ?? ""))).toBe(true);
    expect(gets.some((r) => /^bytes=\d+-\d+$/.test(r.range ?? ""))).toBe(true);
  });

  it("zooms into a dragged rectangle and back out on a double click", async () => {
    await page.click('#mode input[value="2"]'); // zoom
    const f = await frame();
    const heights = phonon.map((r) => r.pulse_height_V).sort((a, b) => a - b);
    const [x0, x1] = [heights[Math.floor(heights.length * 0.25)], heights[Math.floor(heights.length * 0.75)]];
    const [sx0, sy0] = toScreen(f, x0, 3);
    const [sx1, sy1] = toScreen(f, x1, 1);
    await page.mouse.move(sx0, sy0);
    await page.mouse.down();
    await page.mouse.move(sx1, sy1, {steps: 4});
    await page.mouse.up();
    await page.waitForSelector('#label-scatter[data-zoomed="true"]');
    const z = await frame();
    const xPerPx = (f.xDomain[1] - f.xDomain[0]) / (f.xRange[1] - f.xRange[0]);
    expect(Math.abs(z.xDomain[0] - x0)).toBeLessThan(1.5 * xPerPx);
    expect(Math.abs(z.xDomain[1] - x1)).toBeLessThan(1.5 * xPerPx);
    // The values beyond each zoomed axis are counted, as a direct count says.
    const beyond = (key: "pulse_height_V" | "rise_time_ms", [lo, hi]: [number, number]) => phonon.filter((r) => Number.isFinite(r[key]) && (r[key] < lo || r[key] > hi)).length;
    const outliers = beyond("pulse_height_V", z.xDomain) + beyond("rise_time_ms", z.yDomain);
    expect(outliers).toBeGreaterThan(phonon.length / 2);
    expect(Number(await page.locator("#label-scatter").getAttribute("data-outliers"))).toBe(outliers);
    expect((await selection()).count).toBe(0); // zooming selects nothing
    await page.mouse.dblclick((sx0 + sx1) / 2, (sy0 + sy1) / 2);
    await page.waitForSelector('#label-scatter[data-zoomed="false"]');
    expect((await frame()).xDomain).toEqual(f.xDomain);
    await page.click('#mode input[value="0"]'); // back to rectangles
  });

  it("selects with a rectangle exactly the records inside it, and labels all their channels", async () => {
    const f = await frame();
    // Pulses between the 20th and 60th percentile of pulse height, rise time below 5 ms.
    const heights = phonon.map((r) => r.pulse_height_V).sort((a, b) => a - b);
    const [x0, x1] = [heights[Math.floor(heights.length * 0.2)], heights[Math.floor(heights.length * 0.6)]];
    const [sx0, sy0] = toScreen(f, x0, 5);
    const [sx1, sy1] = toScreen(f, x1, -1);
    await page.mouse.move(sx0, sy0);
    await page.mouse.down();
    await page.mouse.move((sx0 + sx1) / 2, (sy0 + sy1) / 2, {steps: 4});
    await page.mouse.move(sx1, sy1, {steps: 4});
    await page.mouse.up();
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>("#label-scatter")!.dataset.selected) > 0);
    const s = await selection();
    const xs = s.polygon.map((p) => p[0]), ys = s.polygon.map((p) => p[1]);
    const [lo, hi, ylo, yhi] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    // The drawn rectangle is the intended one to within a pixel.
    const xPerPx = (f.xDomain[1] - f.xDomain[0]) / (f.xRange[1] - f.xRange[0]);
    expect(Math.abs(lo - x0)).toBeLessThan(1.5 * xPerPx);
    expect(Math.abs(hi - x1)).toBeLessThan(1.5 * xPerPx);
    rectRightEdge = hi;
    rectEvents = phonon.filter((r) => r.pulse_height_V >= lo && r.pulse_height_V <= hi && r.rise_time_ms >= ylo && r.rise_time_ms <= yhi).map((r) => r.event).sort((a, b) => a - b);
    expect(rectEvents.length).toBeGreaterThan(10);
    expect(s.count).toBe(rectEvents.length);
    // The same rectangle as an SQL query in Node, independent of the page's selection code.
    const bySql = await querySql(featuresBytes, `SELECT event FROM features WHERE channel = 0 AND pulse_height_V BETWEEN ${lo} AND ${hi} AND rise_time_ms BETWEEN ${ylo} AND ${yhi} ORDER BY event`);
    expect(bySql.toArray().map((r) => Number(r.event))).toEqual(rectEvents);

    await page.fill("#label-author input", "tester");
    await page.fill("#label-note input", NOTE);
    await page.selectOption("#label-class select", {label: "1 · Event_Pulse"});
    await page.click('#label-scope input[value="1"]'); // "all channels"
    await page.click("#assign-selection");
    await waitTotal(2 * rectEvents.length);
  });

  it("selects with a lasso exactly the records inside it, and labels one channel", async () => {
    await page.click('#mode input[value="1"]'); // lasso
    await page.fill("#label-note input", "");
    await page.selectOption("#label-class select", {label: "4 · Squid_Jump"});
    await page.click('#label-scope input[value="0"]'); // "this channel"
    const f = await frame();
    // A pentagon right of the rectangle (higher pulse heights), drawn as a lasso of many short moves.
    const heights = phonon.map((r) => r.pulse_height_V).sort((a, b) => a - b);
    const xPerPx = (f.xDomain[1] - f.xDomain[0]) / (f.xRange[1] - f.xRange[0]);
    const left = rectRightEdge + 4 * xPerPx, right = heights[heights.length - 1] + 4 * xPerPx;
    const corners: [number, number][] = [[left, -1], [right, -1], [right, 6], [(left + right) / 2, 9], [left, 4]].map(([x, y]) => toScreen(f, x, y));
    await page.mouse.move(...corners[0]);
    await page.mouse.down();
    for (let k = 1; k <= corners.length; ++k) {
      const [a, b] = [corners[k - 1], corners[k % corners.length]];
      for (let t = 1; t <= 10; ++t) await page.mouse.move(a[0] + ((b[0] - a[0]) * t) / 10, a[1] + ((b[1] - a[1]) * t) / 10);
    }
    await page.mouse.up();
    await page.waitForFunction(() => JSON.parse(document.querySelector<HTMLElement>("#label-scatter")!.dataset.polygon ?? "[]").length > 10);
    const s = await selection();
    lassoEvents = phonon.filter((row) => inside(s.polygon, row.pulse_height_V, row.rise_time_ms)).map((row) => row.event).sort((a, b) => a - b);
    expect(lassoEvents.length).toBeGreaterThan(3);
    expect(s.count).toBe(lassoEvents.length);
    // None of the lasso's records was in the rectangle, so every one adds a label.
    expect(lassoEvents.filter((e) => rectEvents.includes(e))).toEqual([]);
    await page.click("#assign-selection");
    await waitTotal(2 * rectEvents.length + lassoEvents.length);
  });

  it("saves the lasso as a polygon cut file", async () => {
    const s = await selection();
    expect(await page.locator("#save-cut").isDisabled()).toBe(true); // no name yet
    await page.fill("#selection-cut-name input", "Lasso <high> pulses");
    const bytes = await exportFile(page, "#save-cut");
    lassoCut = new TextDecoder().decode(bytes);
    const cut = parseCut(lassoCut, "lasso.cut.json");
    expect(cut).toMatchObject({kind: "polygon", name: "Lasso <high> pulses", x: "pulse_height_V", y: "rise_time_ms", channel: 0});
    expect((cut as {polygon: [number, number][]}).polygon).toEqual(s.polygon);
  });

  it("steps through the selection with the keyboard, labels one by one, and undoes", async () => {
    const base = 2 * rectEvents.length + lassoEvents.length;
    await page.focus("#stepper");
    await page.keyboard.press("ArrowRight");
    await page.waitForSelector('#stepper[data-position="1"]');
    expect(Number(await page.locator("#stepper").getAttribute("data-event"))).toBe(lassoEvents[1]);
    // The scatter marks the event being looked at.
    await page.waitForSelector(`#label-scatter[data-focus-event="${lassoEvents[1]}"]`);
    // The record viewer follows with all channels of the shown event.
    await page.waitForSelector(`#record-viewer[data-event="${lassoEvents[1]}"] g[data-role="records"] path`, {state: "attached", timeout: 20_000});
    expect(await page.locator('#record-viewer g[data-role="records"] path').count()).toBe(2);
    // "3" labels the shown record as Noise (replacing its SQUID-jump label) and moves on.
    await page.keyboard.press("3");
    await page.waitForSelector('#stepper[data-position="2"]');
    await expect.poll(() => page.locator(`#stepper .chip[data-channel="0"]`).innerText()).toMatch(/Squid_Jump/); // event 2 of the lasso
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => page.locator(`#stepper .chip[data-channel="0"]`).innerText()).toMatch(/Noise/);
    expect(await labelTotal()).toBe(base);
    // "0" unlabels, "u" undoes it, Undo button undoes the Noise.
    await page.keyboard.press("0");
    await waitTotal(base - 1);
    await page.focus("#stepper");
    await page.keyboard.press("u");
    await waitTotal(base);
    await page.click("#undo");
    await page.focus("#stepper");
    await page.keyboard.press("ArrowLeft"); // "0" had moved on to position 2
    await page.waitForSelector('#stepper[data-position="1"]');
    await expect.poll(() => page.locator(`#stepper .chip[data-channel="0"]`).innerText()).toMatch(/Squid_Jump/);
  });

  it("shows typed notes as text, never as markup", async () => {
    // Re-label the lasso selection with the note: its rows become the newest, first in the table.
    await page.fill("#label-note input", NOTE);
    await page.click("#assign-selection");
    await expect.poll(() => page.locator("#label-status").innerText()).toContain(`${lassoEvents.length} records · saved`);
    const table = page.locator("#observablehq-main table").first();
    await expect.poll(() => table.innerText()).toContain(`<img src=x`);
    expect(await page.locator("#observablehq-main table img").count()).toBe(0);
    expect(await page.evaluate(() => document.body.dataset.pwned ?? null)).toBeNull();
  });

  it("keeps the labels across a reload (IndexedDB), and exports them as CSV and Parquet", async () => {
    const total = 2 * rectEvents.length + lassoEvents.length;
    await openPage(page);
    await waitTotal(total);
    exportedCsv = await exportFile(page, "#export-csv");
    exportedParquet = await exportFile(page, "#export-parquet");
    const csv = decodeLabelsCsv(new TextDecoder().decode(exportedCsv), "export.csv");
    const pq = decodeLabelsParquet({arrow, parquet}, exportedParquet, "export.parquet");
    expect(csv.version).toBe(1);
    expect(pq.entries).toEqual(csv.entries);
    const dataset = await page.locator("#dataset-summary").getAttribute("data-dataset");
    expect(csv.dataset).toBe(dataset);
    expect(pq.dataset).toBe(dataset);
    const want = [
      ...rectEvents.flatMap((e) => [0, 1].map((c) => `${e}/${c}:1:tester:${NOTE}`)),
      ...lassoEvents.map((e) => `${e}/0:4:tester:${NOTE}`)
    ].sort();
    expect(summary(csv.entries)).toEqual(want);
    for (const e of csv.entries) expect(Date.parse(e.time)).toBeGreaterThan(Date.now() - 10 * 60_000);
  });

  it("imports the Parquet export into a fresh profile, and the CSV export into another", async () => {
    const csv = decodeLabelsCsv(new TextDecoder().decode(exportedCsv), "export.csv").entries;
    for (const [file, name] of [[exportedParquet, "labels.parquet"], [exportedCsv, "labels.csv"]] as const) {
      const fresh = await launchBrowser();
      try {
        const p = fresh.page;
        await openPage(p);
        expect(await p.locator("#label-total").getAttribute("data-count")).toBe("0");
        await p.setInputFiles("#import-file input", {name, mimeType: "application/octet-stream", buffer: Buffer.from(file)});
        await p.waitForSelector(`#import-result[data-count="${csv.length}"]`, {timeout: 20_000});
        await p.waitForSelector(`#label-total[data-count="${csv.length}"]`, {timeout: 20_000});
        // Saved in this profile too: a reload still has them, identical to the original, times included.
        await openPage(p);
        await p.waitForSelector(`#label-total[data-count="${csv.length}"]`, {timeout: 20_000});
        const again = decodeLabelsCsv(new TextDecoder().decode(await exportFile(p, "#export-csv")), "again.csv").entries;
        expect(again).toEqual(csv);
        expect(fresh.pageErrors).toEqual([]);
        expect(fresh.external).toEqual([]);
      } finally {
        await fresh.close();
      }
    }
  }, 120_000);

  it("writes the exported labels into a copy of the run's HDF5 file, and the features command reads them back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pulsebook-labeling-"));
    try {
      const h5 = join(dir, "demo.h5");
      // The site carries the run's record store, not its HDF5 file: the same demo run from the reuse store.
      copyFileSync(await ensureDemoFile(), h5);
      writeFileSync(join(dir, "labels.parquet"), exportedParquet);
      const {entries} = readLabelsFile(join(dir, "labels.parquet"));
      const result = await importLabels(entries, h5, "labels.parquet", {existing: "replace"});
      expect(result.written).toBe(entries.length);
      await writeFeatures(h5, join(dir, "features.parquet"));
      const back = readFeatureRows(join(dir, "features.parquet"));
      const label = new Map(back.map((r) => [`${r.event}/${r.channel}`, r.label]));
      for (const e of entries) expect(label.get(`${e.event}/${e.channel}`)).toBe(e.label);
      // Records nobody labelled keep the file's own labels.
      const labelled = new Set(entries.map((e) => `${e.event}/${e.channel}`));
      const untouched = rows.filter((r) => !labelled.has(`${r.event}/${r.channel}`));
      expect(untouched.length).toBeGreaterThan(0);
      for (const r of untouched) expect(label.get(`${r.event}/${r.channel}`)).toBe(r.label);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  }, 60_000);

  it("starts from the feature table's own labels in one undoable step", async () => {
    await openPage(page);
    const before = await labelTotal();
    const fromTable = rows.filter((r) => r.label !== 0);
    const mine = decodeLabelsCsv(new TextDecoder().decode(exportedCsv), "export.csv").entries;
    const union = new Set([...fromTable.map((r) => `${r.event}/${r.channel}`), ...mine.map((e) => `${e.event}/${e.channel}`)]);
    expect(await page.locator("#copy-table-labels").innerText()).toContain(`${fromTable.length} labels`);
    await page.click("#copy-table-labels");
    await waitTotal(union.size);
    const csv = decodeLabelsCsv(new TextDecoder().decode(await exportFile(page, "#export-csv")), "all.csv").entries;
    const want = new Map(fromTable.map((r) => [`${r.event}/${r.channel}`, r.label]));
    for (const e of csv) if (want.has(`${e.event}/${e.channel}`)) expect(e.label).toBe(want.get(`${e.event}/${e.channel}`));
    await page.click("#undo");
    await waitTotal(before);
  });

  it("reports a bad import file by name, and changes nothing", async () => {
    const before = await labelTotal();
    await page.setInputFiles("#import-file input", {name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("event,channel,label\n1,0,frog\n")});
    await page.waitForSelector('#import-result[data-error="1"]', {timeout: 20_000});
    expect(await page.locator("#import-result").innerText()).toMatch(/bad\.csv: row 2: "frog" is not a cait label class/);
    expect(await labelTotal()).toBe(before);
  });

  it("cuts page: the demo cuts pass what Node computes from the same files", async () => {
    await page.goto(site.at("tools/cuts"));
    await page.waitForSelector("#demo-cuts[data-cumulative]", {timeout: 45_000});
    await page.waitForSelector("#cut-result", {timeout: 45_000});
    const cuts = readCutDir(fileURLToPath(new URL("../src/cuts/", import.meta.url))).map((c) => c.cut);
    const report = await applyCuts(featuresBytes, cuts, "features.parquet");
    expect(JSON.parse((await page.locator("#demo-cuts").getAttribute("data-cumulative"))!)).toEqual(report.survival.passedCumulative);
    expect(await page.locator("#demo-survival svg").count()).toBeGreaterThan(0);
    expect(await page.locator("#class-survival").innerText()).toContain("Squid_Jump");
  }, 90_000);

  it("cuts page: a typed SQL cut on every channel keeps the events whose rows all pass, names shown as text", async () => {
    await page.fill("#cut-name input", "<b>decay</b> & co");
    await page.selectOption("#cut-channel select", {label: "every channel"});
    await page.fill("#cut-where input", "decay_time_ms > 4 AND label = 1");
    await page.waitForSelector('#cut-result[data-name="<b>decay</b> & co"]', {timeout: 20_000});
    const events = new Set(rows.map((r) => r.event));
    const want = [...events].filter((e) => rows.filter((r) => r.event === e).every((r) => r.decay_time_ms > 4 && r.label === 1)).length;
    expect(want).toBeGreaterThan(10);
    expect(want).toBeLessThan(events.size);
    await expect.poll(() => page.locator("#cut-result").getAttribute("data-passed").then(Number)).toBe(want);
    expect(await page.locator("#cut-result").innerText()).toContain("<b>decay</b> & co keeps");
    expect(await page.locator("#cut-result b").count()).toBe(0);
    const cut = parseCut(new TextDecoder().decode(await exportFile(page, "#download-cut")), "typed.cut.json");
    expect(cut).toEqual({format: "pulsebook-cut", format_version: 1, name: "<b>decay</b> & co", kind: "sql", where: "decay_time_ms > 4 AND label = 1"});
    await page.fill("#cut-where input", "decay_time_ms >");
    await page.waitForSelector("#cut-error", {timeout: 20_000});
    expect(await page.locator("#cut-error").innerText()).toMatch(/Parser Error|syntax error/i);
  });

  it("cuts page: the lasso cut from the labeling page keeps exactly the lasso's events", async () => {
    await page.setInputFiles("#cut-file input", {name: "lasso.cut.json", mimeType: "application/json", buffer: Buffer.from(lassoCut)});
    await page.waitForSelector('#cut-result[data-name="Lasso <high> pulses"]', {timeout: 20_000});
    expect(Number(await page.locator("#cut-result").getAttribute("data-passed"))).toBe(lassoEvents.length);
  });

  it("manifold page: colours events by the labels made on the labeling page, and shows the clicked event", async () => {
    await page.goto(site.at("tools/manifold"));
    await page.waitForSelector("#manifold circle[data-event]", {timeout: 45_000});
    const events = new Set(rows.map((r) => r.event)).size;
    expect(Number(await page.locator("#manifold").getAttribute("data-points"))).toBe(events);
    await page.click('#colour-by input[value="3"]'); // your labels
    await page.waitForSelector('#manifold[data-colour="your labels (labeling page)"]', {timeout: 20_000});
    const groups = JSON.parse((await page.locator("#manifold").getAttribute("data-groups"))!);
    expect(groups).toEqual({
      "0 · unlabeled": events - rectEvents.length - lassoEvents.length,
      "1 · Event_Pulse": rectEvents.length,
      "4 · Squid_Jump": lassoEvents.length
    });
    const event = lassoEvents[0];
    await page.locator(`#manifold circle[data-event="${event}"]`).dispatchEvent("click");
    await page.waitForSelector(`#manifold-records[data-event="${event}"] g[data-role="records"] path`, {state: "attached", timeout: 20_000});
    expect(await page.locator('#manifold-records g[data-role="records"] path').count()).toBe(2);
    // The UMAP projection plots the loader's UMAP coordinates: circles in the order of umap1.
    const json = JSON.parse(readFileSync(builtFile(distDir, /^manifold(\.[0-9a-f]+)?\.json$/), "utf8"));
    await page.click('#projection input[value="1"]');
    await page.waitForSelector('#manifold[data-projection="UMAP"] circle[data-event]', {timeout: 20_000});
    const cx = await page.evaluate(() => Array.from(document.querySelectorAll("#manifold circle[data-event]"), (c) => [Number(c.getAttribute("data-event")), Number(c.getAttribute("cx"))]));
    expect(cx).toHaveLength(events);
    const umap1 = new Map<number, number>(json.events.map((e: number, i: number) => [e, json.umap1[i]]));
    const byX = [...cx].sort((a, b) => a[1] - b[1]).map(([e]) => umap1.get(e)!);
    for (let k = 1; k < byX.length; ++k) expect(byX[k]).toBeGreaterThanOrEqual(byX[k - 1]);
    // Coloured by the pretrained CNN: the groups are the loader's probabilities cut at 0.5.
    await page.click('#colour-by input[value="4"]');
    await page.waitForSelector('#manifold[data-colour="CNN prediction, phonon"]', {timeout: 20_000});
    const cnn = JSON.parse((await page.locator("#manifold").getAttribute("data-groups"))!);
    const clean = (json.prediction[0] as number[]).filter((p) => p >= 0.5).length;
    expect(json.prediction[0]).toHaveLength(events);
    expect(clean).toBeGreaterThan(events / 2); // most demo events are clean pulses
    expect(cnn).toEqual({"clean pulse (p ≥ 0.5)": clean, "rejected (p < 0.5)": events - clean});
  }, 90_000);

  it("raised no page errors and requested nothing outside 127.0.0.1", async () => {
    expect(await page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent))).toEqual([]);
    expect(site.browser.pageErrors).toEqual([]);
    expect(site.browser.external).toEqual([]);
  });
});
