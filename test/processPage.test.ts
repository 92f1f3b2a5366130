// Tutorial 5's batch section in headless Chromium: the summary of the processed demo run and
// its energy spectrum, checked against the built data files read independently in Node.

import {beforeAll, describe, expect, it} from "vitest";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {readFeatureRows, type FeatureRow} from "./support/features.js";
import {useBuiltSite} from "./support/site.js";
import {formatSI} from "../lib/math/units.js";

let rows: FeatureRow[];
let summary: {unit: string; channels: Array<{channel: number; sev: {records: number}; optimumFilter: {predictedResolution_V: number; measuredResolution_V: number}; calibration: {cpe_keV_per_TPA: number}}>};

const built = (dist: string, re: RegExp) => {
  const dir = join(dist, "_file", "data");
  const f = readdirSync(dir).filter((x) => re.test(x));
  if (f.length !== 1) throw new Error(`expected one file matching ${re} in ${dir}, found ${f.join(", ") || "none"}`);
  return join(dir, f[0]);
};

const site = useBuiltSite();
beforeAll(async () => {
  const {dist} = site;
  rows = readFeatureRows(built(dist, /^processed-events(\.[0-9a-f]+)?\.parquet$/));
  summary = JSON.parse(readFileSync(built(dist, /^process-summary(\.[0-9a-f]+)?\.json$/), "utf8"));
  await site.page.goto(site.at("tutorials/05-calibration"), {waitUntil: "load"});
}, 300_000);

const spectrum = () => site.page.evaluate(() => {
  const el = document.querySelector<HTMLElement>("#processed-spectrum");
  return el ? {count: Number(el.dataset.count), max: Number(el.dataset.max), channel: Number(el.dataset.channel), bars: el.querySelectorAll("rect").length} : null;
});
const expectedCount = (channel: number, max: number) =>
  rows.filter((r) => r.channel === channel && Number.isFinite(r.energy_keV) && r.energy_keV >= 0 && r.energy_keV <= max).length;

describe("tutorial 5 · the whole chain in one command", () => {
  it("shows the processed run's summary: SEV records, OF resolutions, CPE per channel", async () => {
    await site.page.waitForSelector("#process-summary tr:nth-child(3)", {timeout: 60_000});
    const cells = await site.page.evaluate(() => Array.from(document.querySelectorAll("#process-summary tr"), (tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
    const body = cells.filter((r) => r.length);
    expect(body).toHaveLength(summary.channels.length);
    summary.channels.forEach((c, i) => {
      expect(body[i][1]).toBe(String(c.sev.records));
      // The page prints the resolution in the run's unit with the prefix that shows its digits.
      expect(summary.unit).toBe("V");
      expect(body[i][2]).toBe(formatSI(c.optimumFilter.predictedResolution_V, "V", 4));
      expect(body[i][2]).toMatch(/^\d{1,3}\.\d+ (mV|µV)$/);
      expect(body[i][4]).toBe(c.calibration.cpe_keV_per_TPA.toFixed(4));
    });
    // The true phonon scale of the demo detector: 5.895 keV over 0.5 V / 0.2 V/TPA.
    expect(Math.abs(summary.channels[0].calibration.cpe_keV_per_TPA / (5.895 / 2.5) - 1)).toBeLessThan(0.01);
  });

  it("draws the energy spectrum of exactly the processed rows, and follows the range input", async () => {
    await site.page.waitForFunction(() => document.querySelector("#processed-spectrum rect") !== null, null, {timeout: 60_000});
    const before = (await spectrum())!;
    expect(before.channel).toBe(0);
    expect(before.count).toBe(expectedCount(0, before.max));
    expect(before.bars).toBeGreaterThan(5);
    await site.page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>("#processed-max input[type=range]")!;
      input.value = "4";
      input.dispatchEvent(new Event("input", {bubbles: true}));
    });
    await site.page.waitForFunction(() => document.querySelector<HTMLElement>("#processed-spectrum")?.dataset.max === "4", null, {timeout: 20_000});
    const after = (await spectrum())!;
    expect(after.count).toBe(expectedCount(0, 4));
    expect(after.count).toBeLessThan(before.count);
    expect(site.browser.pageErrors).toEqual([]);
    expect(site.browser.external).toEqual([]);
  });

  it("reads the run's parts as one table, fetching each part it needs by one range request", async () => {
    const result = () => site.page.evaluate(() => ({...document.querySelector<HTMLElement>("#parts-result")?.dataset}));
    await site.page.waitForSelector("#parts-result[data-rows]", {timeout: 60_000});
    const manifest = JSON.parse(readFileSync(built(site.dist, /^processed-parts(\.[0-9a-f]+)?\.json$/), "utf8"));
    // The demo was processed in one go: one part, the run's events table itself.
    expect(manifest.parts).toHaveLength(1);
    expect(await result()).toEqual({parts: "1", read: "[0]", rows: String(rows.length)});
    const partReads = () => site.served.filter((r) => /processed-parts[^/]*\.bin$/.test(r.path));
    expect(partReads().map((r) => [r.status, r.range])).toEqual([[206, `bytes=0-${manifest.parts[0].bytes - 1}`]]);
    await site.page.fill("#parts-where input", "channel = 1 AND energy_keV BETWEEN 1 AND 40");
    await site.page.press("#parts-where input", "Enter");
    const expected = rows.filter((r) => r.channel === 1 && r.energy_keV >= 1 && r.energy_keV <= 40).length;
    await site.page.waitForSelector(`#parts-result[data-rows="${expected}"]`, {timeout: 30_000});
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(rows.length / 2);
    // Again that one part, by the same range (or from the browser's cache), never the whole file.
    expect(partReads().length).toBeLessThanOrEqual(2);
    for (const r of partReads()) expect([r.status, r.range]).toEqual([206, `bytes=0-${manifest.parts[0].bytes - 1}`]);
    expect(site.browser.pageErrors).toEqual([]);
  });
});
