// The report "From raw records to a dark-matter limit" in headless Chromium: it renders without
// an error, and its numbers equal an independent computation in Node — the clean events from
// the processed table, cut files and tree model (test/support/demoCleaning.ts), the exposure
// from the records' hours, and the maximum-gap limit the page recomputes in the browser.
import {beforeAll, describe, expect, it} from "vitest";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {TARGETS, wimpLimits} from "../lib/stats/wimpLimit.js";
import {demoCleaned} from "./support/demoCleaning.js";
import {useBuiltSite} from "./support/site.js";

const site = useBuiltSite();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let report: any;
beforeAll(() => {
  const dir = join(site.dist, "_file", "data");
  const f = readdirSync(dir).find((n) => n.startsWith("dark-matter-limit.") && n.endsWith(".json"));
  report = JSON.parse(readFileSync(join(dir, f!), "utf8"));
});

describe("dark-matter limit report", () => {
  it("shows the limit the library computes from independently cleaned events", async () => {
    const errorsBefore = site.browser.pageErrors.length;
    await site.page.goto(site.at("reports/dark-matter-limit"), {waitUntil: "load"});
    await site.page.waitForSelector("#limit-check", {state: "attached", timeout: 120_000});
    await site.page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, null, {timeout: 60_000});
    expect(await site.page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent))).toEqual([]);
    expect(site.browser.pageErrors.slice(errorsBefore)).toEqual([]);
    const shown = await site.page.evaluate(() => {
      const d = document.querySelector<HTMLElement>("#limit-check")!.dataset;
      return {mass: +d.mass!, sigma: +d.sigma!, mu: +d.mu!, events: +d.events!, exposure: +d.exposure!};
    });

    const {energies, exposure_kg_day} = await demoCleaned(report.threshold.V);
    expect(shown.events).toBe(energies.length);
    expect(shown.exposure).toBeCloseTo(exposure_kg_day, 14);
    const efficiency = {
      energy_keV: Float64Array.from(report.efficiency.rows, (r: {energy_keV: number}) => r.energy_keV),
      efficiency: Float64Array.from(report.efficiency.rows, (r: {efficiency: number}) => r.efficiency)
    };
    const [node] = wimpLimits(energies, [shown.mass], {target: TARGETS.CaWO4, exposure_kg_day, window_keV: report.settings.window_keV, efficiency}, {method: "maximum-gap", cl: 0.9});
    expect(shown.sigma / node.sigma_cm2).toBeCloseTo(1, 9);
    expect(shown.mu).toBeCloseTo(node.mu, 9);
    // The loader's own maximum-gap row at that mass is the same number.
    const loader = report.limits["maximum-gap"].find((r: {mass_GeV: number}) => r.mass_GeV === shown.mass);
    expect(loader.sigma_cm2 / node.sigma_cm2).toBeCloseTo(1, 9);
    // Efficiency: 0 well below threshold, ≥ 0.9 at the top, intervals around every point.
    const rows = report.efficiency.rows;
    expect(rows[0].efficiency).toBe(0);
    expect(rows[rows.length - 1].efficiency).toBeGreaterThanOrEqual(0.9);
    for (const r of rows) expect(r.lower <= r.efficiency && r.efficiency <= r.upper).toBe(true);
  }, 300_000);
});
