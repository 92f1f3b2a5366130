// The data-cleaning report in headless Chromium: Table 2 shows the shipped models' held-out
// figures (read here from their model files), and Fig. 6 (right) draws the selectivity map of
// the chosen model, one cell per populated bin, re-drawn when another model is chosen.
import {describe, expect, it} from "vitest";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {ROOT} from "../support/build.js";
import {useBuiltSite} from "../support/site.js";

const metrics = (dir: string) => JSON.parse(readFileSync(join(ROOT, "models", dir, "model.json"), "utf8")).metrics.test;

const site = useBuiltSite({width: 1300, height: 1200});

describe("data-cleaning report", () => {
  it("Table 2 holds the shipped models' figures; the selectivity map follows the model chosen", async () => {
    const {page} = site;
    await page.goto(site.at("reports/data-cleaning"), {waitUntil: "load"});
    await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length >= 14, null, {timeout: 60_000});
    const rows = await page.evaluate(() => Array.from(document.querySelector("table")!.querySelectorAll("tbody tr"), (tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent?.trim() ?? "")));
    const row = (name: string) => rows.find((r) => r.some((c) => c.startsWith(name)))!;
    for (const [name, dir] of [["cnn-full (Pulsebook", "cnn-full"], ["CNN, Table 3 (Pulsebook", "cnn"]]) {
      const t = metrics(dir);
      const cells = row(name);
      expect(cells, name).toBeDefined();
      for (const v of [t.balancedAccuracy, t.recall, t.precision, t.ior, t.ios, t.iosLaterSmaller]) expect(cells).toContain(v.toFixed(3));
      expect(cells).toContain((27_120 / t.inference.recordsPerSecond).toFixed(1));
    }
    // The map: one <rect> per populated grid cell of the shown model (20 onset × 10 height bins).
    const populated = (dir: string) => metrics(dir).selectivityGrid.filter((c: {n: number}) => c.n > 0).length;
    const cellCount = () => page.evaluate(() => {
      const svg = Array.from(document.querySelectorAll("svg")).find((s) => s.textContent?.includes("max(h₁, h₂)"));
      return svg ? svg.querySelectorAll("rect").length : -1;
    });
    await page.waitForFunction(() => Array.from(document.querySelectorAll("svg")).some((s) => s.textContent?.includes("max(h₁, h₂)")), null, {timeout: 60_000});
    expect(await cellCount()).toBe(populated("cnn-full"));
    expect(populated("cnn-full")).toBeGreaterThan(190);
    // Choosing the paper's CNN redraws the map with its cells.
    const fillsOf = () => page.evaluate(() => {
      const svg = Array.from(document.querySelectorAll("svg")).find((s) => s.textContent?.includes("max(h₁, h₂)"))!;
      return Array.from(svg.querySelectorAll("rect"), (r) => r.getAttribute("fill")).join();
    });
    const before = await fillsOf();
    await page.evaluate(() => {
      const form = Array.from(document.querySelectorAll("form")).find((f) => f.querySelector("label")?.textContent?.trim() === "model")!;
      const select = form.querySelector("select")!;
      select.value = Array.from(select.options).find((o) => o.textContent === "CNN, Table 3")!.value;
      select.dispatchEvent(new Event("input", {bubbles: true}));
    });
    await page.waitForFunction((b) => {
      const svg = Array.from(document.querySelectorAll("svg")).find((s) => s.textContent?.includes("max(h₁, h₂)"));
      return svg && Array.from(svg.querySelectorAll("rect"), (r) => r.getAttribute("fill")).join() !== b;
    }, before, {timeout: 30_000});
    expect(await fillsOf()).not.toBe(before);
    expect(await cellCount()).toBe(populated("cnn"));
    if (process.env.PULSEBOOK_SCREENSHOT) await page.screenshot({path: process.env.PULSEBOOK_SCREENSHOT, fullPage: true});
    expect(site.browser.pageErrors).toEqual([]);
    expect(site.browser.external).toEqual([]);
  }, 180_000);
});
