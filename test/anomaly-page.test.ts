// The anomaly-search report in headless Chromium: its sliders re-run the pseudo-experiments in
// the page, and the page's numbers equal the library's run in Node on the same templates.
import {beforeAll, describe, expect, it} from "vitest";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {median} from "../lib/math/robust.js";
import {nullDistribution, pValue, runPseudoExperiments} from "../lib/stats/anomalySearch.js";
import {prepareDarwinSearch, type AnomalyTemplates} from "../lib/stats/darwinSearch.js";
import {useBuiltSite} from "./support/site.js";

let templates: AnomalyTemplates;
const site = useBuiltSite();
beforeAll(async () => {
  const {dist} = site;
  const dir = join(dist, "_file", "data");
  const f = readdirSync(dir).find((n) => n.startsWith("anomaly-templates.") && n.endsWith(".json"));
  templates = JSON.parse(readFileSync(join(dir, f!), "utf8"));
}, 300_000);

type Result = {r: number; exposure: number; mass: number; sigma: number; nNull: number; qMedian: number; zUnbinned: number; er: number; wimp: number};
const result = (): Promise<Result> => site.page.evaluate(() => {
  const d = document.querySelector<HTMLElement>("#pe-result")!.dataset;
  return {r: +d.r!, exposure: +d.exposure!, mass: +d.mass!, sigma: +d.sigma!, nNull: +d.nNull!, qMedian: +d.qMedian!, zUnbinned: +d.zUnbinned!, er: +d.er!, wimp: +d.wimp!};
});

async function setSlider(label: string, value: number): Promise<void> {
  await site.page.evaluate(([label, value]) => {
    const form = Array.from(document.querySelectorAll("form")).find((f) => f.textContent?.includes(label as string))!;
    const input = form.querySelector<HTMLInputElement>("input[type=number]")!;
    input.value = String(value);
    input.dispatchEvent(new Event("input", {bubbles: true}));
  }, [label, value] as const);
}

async function settle(): Promise<void> {
  await site.page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, null, {timeout: 120_000});
}

function nodeResult(r: Result) {
  const {prepared, model} = prepareDarwinSearch(templates, {R: r.r, wimpMass_GeV: r.mass, sigma_cm2: r.sigma, exposure_tonne_yr: r.exposure});
  const h0 = runPseudoExperiments(prepared, r.nNull, 1, 0), h1 = runPseudoExperiments(prepared, 1000, 2, 1);
  return {qMedian: median(h1.qUnbinned), z: pValue(nullDistribution(h0.qUnbinned), median(h1.qUnbinned)).z, er: model.expected.er};
}

describe("anomaly-search report", () => {
  it("runs 10⁴ pseudo-experiments in the page and agrees with Node; sliders re-run them", async () => {
    await site.page.goto(site.at("reports/anomaly-search"), {waitUntil: "load"});
    await site.page.waitForSelector("#pe-result", {state: "attached", timeout: 120_000});
    await settle();
    const first = await result();
    expect(first).toMatchObject({r: 100, nNull: 10000});
    expect(first.er).toBeCloseTo(24 * first.exposure, 6);
    const node = nodeResult(first);
    expect(first.qMedian).toBeCloseTo(node.qMedian, 6);
    expect(first.zUnbinned).toBeCloseTo(node.z, 6);

    await setSlider("R (weight", 0);
    await site.page.waitForFunction(() => document.querySelector<HTMLElement>("#pe-result")?.dataset.r === "0", null, {timeout: 60_000});
    await settle();
    const r0 = await result();
    expect(r0.zUnbinned).not.toBeCloseTo(first.zUnbinned, 3);
    expect(r0.zUnbinned).toBeCloseTo(nodeResult(r0).z, 6);

    await setSlider("exposure", 2);
    await site.page.waitForFunction(() => document.querySelector<HTMLElement>("#pe-result")?.dataset.exposure === "100", null, {timeout: 60_000});
    await settle();
    const big = await result();
    expect(big.er).toBeCloseTo(2400, 6);
    expect(big.wimp / first.wimp).toBeCloseTo(10, 6);
    // A WIMP too light to recoil in the 5–35 keVnr window: no signal, no error.
    await setSlider("WIMP mass", 5);
    await site.page.waitForFunction(() => document.querySelector<HTMLElement>("#pe-result")?.dataset.mass === "5", null, {timeout: 60_000});
    await settle();
    expect((await result()).wimp).toBe(0);
    const errors = await site.page.evaluate(() => Array.from(document.querySelectorAll(".observablehq--error"), (e) => e.textContent ?? ""));
    expect(errors).toEqual([]);
    expect(site.browser.pageErrors).toEqual([]);
    expect(site.browser.external).toEqual([]);
  }, 240_000);
});
