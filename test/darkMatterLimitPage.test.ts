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
  it("zooms the limit figure: a dragged rectangle becomes the log axes' domains, a double-click goes back, a box makes x linear", async () => {
    const {page} = site;
    const root = "#limit-figure .zoomable";
    await page.waitForSelector(`${root} svg g[aria-label="line"]`, {state: "attached", timeout: 60_000});
    const home = {x: JSON.parse((await page.locator(root).getAttribute("data-x-domain"))!) as number[], y: JSON.parse((await page.locator(root).getAttribute("data-y-domain"))!) as number[]};
    expect(await page.locator(root).getAttribute("data-x-type")).toBe("log");
    expect(await page.locator(root).getAttribute("data-y-type")).toBe("log");
    // A rectangle over the middle half of both axes in log space: masses and cross-sections spanning decades.
    const mid = ([a, b]: number[], f: number) => a * (b / a) ** f;
    const want = {x: [mid(home.x, 0.25), mid(home.x, 0.75)], y: [mid(home.y, 0.25), mid(home.y, 0.75)]};
    const at = await page.evaluate(([sel, want]) => {
      const zoomRoot = document.querySelector(sel)!;
      const figure = zoomRoot.querySelector("figure, svg") as Element & {scale(n: string): {apply(v: number): number}};
      const svg = Array.from(zoomRoot.querySelectorAll("svg")).find((s) => s.querySelector('g[aria-label="x-axis tick"]'))!;
      svg.scrollIntoView({block: "center"});
      const box = svg.getBoundingClientRect(), k = box.width / Number(svg.getAttribute("width"));
      const x = figure.scale("x"), y = figure.scale("y");
      return {x0: box.left + k * x.apply(want.x[0]), x1: box.left + k * x.apply(want.x[1]), y0: box.top + k * y.apply(want.y[1]), y1: box.top + k * y.apply(want.y[0])};
    }, [root, want] as const);
    await page.mouse.move(at.x0, at.y0);
    await page.mouse.down();
    await page.mouse.move((at.x0 + at.x1) / 2, (at.y0 + at.y1) / 2, {steps: 3});
    await page.mouse.move(at.x1, at.y1, {steps: 3});
    await page.mouse.up();
    await page.waitForSelector(`${root}[data-zoomed="true"]`, {timeout: 10_000});
    const zoomed = {x: JSON.parse((await page.locator(root).getAttribute("data-x-domain"))!) as number[], y: JSON.parse((await page.locator(root).getAttribute("data-y-domain"))!) as number[]};
    // Within a pixel of the rectangle: a decade spans tens of pixels, so 5 % in value.
    zoomed.x.forEach((v, i) => expect(v / want.x[i]).toBeCloseTo(1, 1));
    zoomed.y.forEach((v, i) => expect(v / want.y[i]).toBeCloseTo(1, 1));
    // Physicists' tick labels on the zoomed log axis (2·10⁻⁴⁰, not "200a"; minor ticks unlabelled).
    const ticks = (await page.locator(`${root} g[aria-label="y-axis tick label"] text`).allTextContents()).filter(Boolean);
    expect(ticks.length).toBeGreaterThan(1);
    ticks.forEach((t) => expect(t).toMatch(/^(\d+(\.\d+)?·)?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$/));
    const svgBox = (await page.locator(`${root} svg:has(g[aria-label="x-axis tick"])`).boundingBox())!;
    await page.mouse.dblclick(svgBox.x + svgBox.width / 2, svgBox.y + svgBox.height / 2);
    await page.waitForSelector(`${root}[data-zoomed="false"]`, {timeout: 10_000});
    expect(JSON.parse((await page.locator(root).getAttribute("data-x-domain"))!)).toEqual(home.x);
    expect(JSON.parse((await page.locator(root).getAttribute("data-y-domain"))!)).toEqual(home.y);
    await page.locator(`${root} input[name="log-x"]`).uncheck();
    await page.waitForSelector(`${root}[data-x-type="linear"]`, {timeout: 10_000});
    const linear = JSON.parse((await page.locator(root).getAttribute("data-x-domain"))!) as number[];
    expect(linear[1]).toBeCloseTo(home.x[1], 6);
    // The other report figures zoom with the same toolkit.
    expect(await page.locator("#spectrum-figure .zoomable, #efficiency-figure .zoomable").count()).toBe(2);
    expect(site.browser.pageErrors).toEqual([]);
  }, 120_000);
});
