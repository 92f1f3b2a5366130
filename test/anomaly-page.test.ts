// The anomaly-search report in headless Chromium: its sliders re-run the pseudo-experiments in
// the page, and the page's numbers equal the library's run in Node on the same templates.
import {beforeAll, describe, expect, it} from "vitest";
import {readdirSync, readFileSync} from "node:fs";
import {readFile} from "node:fs/promises";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {median} from "../lib/math/robust.js";
import {nullDistribution, pValue, runPseudoExperiments} from "../lib/stats/anomalySearch.js";
import {prepareDarwinSearch, type AnomalyTemplates} from "../lib/stats/darwinSearch.js";
import {zAgainstR} from "../lib/stats/darwinScans.js";
import {compareStatistics, COMPARISON_EXPOSURES, COMPARISON_SIGNALS} from "../lib/stats/darwinComparison.js";
import {figureMenus} from "./support/figureMenus.js";
import {traceMainThread} from "./support/longTasks.js";
import {useBuiltSite} from "./support/site.js";

/** The longest long task (wall time) allowed while R changes and is dragged; see the test. */
const BOUND_LONG_TASK_MS = 2000;

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
    // The other scans of the R = 0 input (R scan, sensitivity) finish too.
    await site.page.waitForFunction(() => document.querySelectorAll('.pulsebook-worker-status[data-state="busy"]').length === 0, null, {timeout: 120_000});
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

  it("keeps the page responsive while the workers compute: input handled within a frame, short main-thread tasks, one run per resting input", async () => {
    const {page} = site;
    // Back to a point with a signal and a moderate exposure (the test above left 5 GeV, 100 t·yr).
    await setSlider("WIMP mass", 50);
    await setSlider("exposure", 0.5);
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#pe-result")?.dataset.mass === "50", null, {timeout: 120_000});
    await page.waitForFunction(() => document.querySelectorAll('.pulsebook-worker-status[data-state="busy"]').length === 0, null, {timeout: 120_000});
    // From here on: long tasks (Long Tasks API), the main thread's tasks with their CPU time (a
    // trace), the figures on the page, the runs posted to workers and how many compute at once.
    const trace = await traceMainThread(page);
    await page.evaluate(() => {
      const w = window as unknown as {longTasks: number[]; figuresBefore: Element[]; posted: string[]; computingAtOnce: number};
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({type: "longtask"});
      const plots = "svg[class^='plot-'], figure[class^='plot-']";
      w.figuresBefore = Array.from(document.querySelectorAll(`#observablehq-main :is(${plots})`)).filter((f) => !f.parentElement?.closest(plots));
      // A worker computes from the job posted to it until it answers or is terminated.
      w.posted = [];
      w.computingAtOnce = 0;
      const computing = new Set<Worker>(), heard = new WeakSet<Worker>();
      const post = Worker.prototype.postMessage, terminate = Worker.prototype.terminate;
      Worker.prototype.postMessage = function (this: Worker, message: {job?: string; args?: {params?: {R?: number}}}, ...rest: unknown[]) {
        w.posted.push(`${message?.job} R=${message?.args?.params?.R}`);
        if (!heard.has(this)) {
          heard.add(this);
          this.addEventListener("message", () => computing.delete(this));
        }
        computing.add(this);
        // Counted once the current event is done: a run handed its core on by another's answer
        // starts inside that answer's dispatch, before this page's listener hears the answer.
        setTimeout(() => (w.computingAtOnce = Math.max(w.computingAtOnce, computing.size)));
        return (post as (...a: unknown[]) => void).call(this, message, ...rest);
      } as typeof post;
      Worker.prototype.terminate = function (this: Worker) {
        computing.delete(this);
        return terminate.call(this);
      };
    });
    const started = Date.now();
    await setSlider("R (weight", 30);
    await page.waitForFunction(() => document.querySelector('.pulsebook-worker-status[data-state="busy"]') !== null, null, {timeout: 10_000});
    // While the scans of R = 30 run, type another value: the newest input wins.
    const probe = await page.evaluate(async () => {
      const form = Array.from(document.querySelectorAll("form")).find((f) => f.textContent?.includes("R (weight"))!;
      const input = form.querySelector<HTMLInputElement>("input[type=number]")!;
      const busyBefore = document.querySelectorAll('.pulsebook-worker-status[data-state="busy"]').length;
      const t0 = performance.now();
      input.value = "10";
      input.dispatchEvent(new Event("input", {bubbles: true}));
      await new Promise((r) => requestAnimationFrame(r));
      const frameMs = performance.now() - t0;
      const greyed = Array.from(document.querySelectorAll<HTMLElement>('[aria-busy="true"]')).filter((e) => e.style.opacity !== "").length;
      const status = document.querySelector('.pulsebook-worker-status[data-state="busy"]')?.textContent ?? "";
      return {busyBefore, frameMs, greyed, status};
    });
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#pe-result")?.dataset.r === "10", null, {timeout: 120_000});
    await page.waitForFunction(() => document.querySelectorAll('.pulsebook-worker-status[data-state="busy"]').length === 0, null, {timeout: 120_000});
    await settle();
    // Then drag the R slider through ten positions, one every 40 ms, and let it rest at 110.
    const postedBeforeDrag = await page.evaluate(() => (window as unknown as {posted: string[]}).posted.length);
    await page.evaluate(async () => {
      const form = Array.from(document.querySelectorAll("form")).find((f) => f.textContent?.includes("R (weight"))!;
      const input = form.querySelector<HTMLInputElement>("input[type=range]")!;
      for (let r = 20; r <= 110; r += 10) {
        input.value = String(r);
        input.dispatchEvent(new Event("input", {bubbles: true}));
        await new Promise((done) => setTimeout(done, 40));
      }
    });
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#pe-result")?.dataset.r === "110", null, {timeout: 120_000});
    await page.waitForFunction(() => document.querySelectorAll('.pulsebook-worker-status[data-state="busy"]').length === 0, null, {timeout: 120_000});
    await settle();
    const wallMs = Date.now() - started;
    const tasks = await trace.stop();
    const seen = await page.evaluate(() => {
      const w = window as unknown as {longTasks: number[]; figuresBefore: Element[]; posted: string[]; computingAtOnce: number};
      // Section 7's figure, far below the viewport: its cell skips it (content-visibility), unpainted.
      const far = document.querySelector("#compare-result")!.closest("#observablehq-main > .observablehq")!.querySelector("svg")!;
      return {
        longTasks: w.longTasks, posted: w.posted, computingAtOnce: w.computingAtOnce, cores: navigator.hardwareConcurrency,
        figures: w.figuresBefore.length, redrawn: w.figuresBefore.filter((f) => !f.isConnected).length,
        farPainted: far.checkVisibility({contentVisibilityAuto: true} as CheckVisibilityOptions)
      };
    });
    const farScrolledTo = await page.evaluate(async () => {
      const far = document.querySelector("#compare-result")!.closest("#observablehq-main > .observablehq")!.querySelector("svg")!;
      far.scrollIntoView({block: "center"});
      for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
      return far.checkVisibility({contentVisibilityAuto: true} as CheckVisibilityOptions);
    });
    const {longTasks} = seen;
    const blockedMs = longTasks.reduce((s, d) => s + d, 0);
    const maxCpu = Math.max(...tasks.map((t) => t.cpu));
    console.log(`input → next frame ${probe.frameMs.toFixed(0)} ms; ${wallMs} ms of computing, main thread in long tasks ${blockedMs.toFixed(0)} ms: ${longTasks.map((d) => d.toFixed(0)).join(", ") || "none"}; ` +
      `main thread CPU ${tasks.reduce((s, t) => s + t.cpu, 0).toFixed(0)} ms in ${tasks.length} tasks, at most ${maxCpu.toFixed(1)} ms in one; runs posted ${seen.posted.join(", ")}; ${seen.redrawn} of ${seen.figures} figures redrawn`);
    expect(probe.busyBefore).toBeGreaterThan(0);
    expect(probe.status).toMatch(/^computing .+… \d+\.\d s/);
    expect(probe.greyed).toBeGreaterThan(0);
    // A frame follows the input quickly (on the main thread the scans took 2.7–5.9 s). The bound
    // has a margin for a 2-core machine running several builds (measured there: 151 ms).
    expect(probe.frameMs).toBeLessThan(500);
    // What the page asks of the main thread on each input: measured 12–20 ms of CPU per task at
    // load 16–22 on 2 cores, but once 118 ms in a CI run (a garbage collection or a compile lands in
    // some task). The scans on the main thread took 2,700–5,900 ms: 250 ms tells the two apart.
    expect(maxCpu).toBeLessThan(250);
    // Only the figures fed by R are redrawn: the score and q histograms, the R scan, the
    // sensitivity. The spectra, waveforms, bands and section 7 stay as they were.
    expect(seen.figures).toBeGreaterThan(10);
    expect(seen.redrawn).toBe(4);
    // Cells out of view are neither laid out nor painted until they come near it.
    expect(seen.farPainted).toBe(false);
    expect(farScrolledTo).toBe(true);
    // The dragged slider ran each of the four R jobs for the value it rested on, and not once per
    // position (once each when the page keeps up with the drag; a main thread held up for more
    // than the 120 ms of settling by a loaded machine may start one more); and the page's workers
    // left the main thread a core (one computes at a time on two cores).
    const drag = seen.posted.slice(postedBeforeDrag);
    for (const job of ["scores", "point", "rScan", "sensitivity"]) {
      const runs = drag.filter((p) => p.startsWith(`${job} `));
      expect(runs.length, `${job}: ${runs.join(", ")}`).toBeGreaterThanOrEqual(1);
      expect(runs.length, `${job}: ${runs.join(", ")}`).toBeLessThanOrEqual(3);
      expect(runs[runs.length - 1]).toBe(`${job} R=110`);
    }
    expect(drag).toHaveLength(drag.filter((p) => /^(scores|point|rScan|sensitivity) /.test(p)).length);
    expect(seen.computingAtOnce).toBeGreaterThan(0);
    expect(seen.computingAtOnce).toBeLessThanOrEqual(Math.max(1, seen.cores - 1));
    // Long tasks in wall time: the CPU above plus the time the main thread waits for a core, which
    // on a loaded 2-core machine is most of it. With the scans computing one at a time beside it,
    // the longest was 73–413 ms in this test and 81–682 ms in bench/long-tasks.ts at load 16–22;
    // with the four computing at once (before), 907–1,211 ms at load 17, and once 909 ms in a CI
    // run with one computing at a time. Four at once is caught by computingAtOnce above; this bound
    // catches scans back on the main thread (2,700–5,900 ms of CPU alone) whatever the load.
    expect(Math.max(0, ...longTasks)).toBeLessThan(BOUND_LONG_TASK_MS);
    const final = await result();
    expect(final.r).toBe(110);
    expect(final.zUnbinned).toBeCloseTo(nodeResult(final).z, 6);
    expect(site.browser.pageErrors).toEqual([]);
  }, 300_000);

  it("section 7: the three statistics against exposure, computed in the page's worker, equal Node's", async () => {
    const {page} = site;
    await page.waitForSelector("#compare-result", {state: "attached", timeout: 120_000});
    const z: number[][] = JSON.parse(await page.evaluate(() => document.querySelector<HTMLElement>("#compare-result")!.dataset.z!));
    const node = compareStatistics(templates, COMPARISON_SIGNALS, COMPARISON_EXPOSURES, {R: 100, nNull: 1000, nSignal: 200, nCheck: 500, nNullBinned: 50000, nImportance: 20000});
    expect(z).toHaveLength(COMPARISON_EXPOSURES.length * COMPARISON_SIGNALS.length);
    node.points.forEach((p, i) => [p.lr.z, p.unbinned.z, p.binned.z].forEach((v, k) => expect(z[i][k]).toBeCloseTo(v, 9)));
    const text = await page.evaluate(() => document.body.textContent ?? "");
    expect(text).toMatch(/Against the targets, in this run:/);
    expect(site.browser.pageErrors).toEqual([]);
  }, 240_000);

  it("downloads a figure as SVG and PNG and its data as CSV and Parquet; every figure has the menu", async () => {
    const {page} = site;
    const menus = await figureMenus(page);
    expect(menus.figures).toBeGreaterThanOrEqual(7);
    expect(menus.missing).toEqual([]);
    // The R scan figure: 8 points (R = 0 … 300), its menu offers CSV.
    const figure = page.locator('svg[aria-label="median Z against R"]');
    const menu = figure.locator("xpath=following-sibling::div[contains(@class, 'pulsebook-download')][1]");
    const download = async (format: string) => {
      const [d] = await Promise.all([page.waitForEvent("download"), menu.locator(`[data-format="${format}"]`).click()]);
      return {name: d.suggestedFilename(), bytes: await readFile((await d.path())!)};
    };
    const svg = await download("svg");
    expect(svg.name).toMatch(/^anomaly-search-figure-\d+\.svg$/);
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, "image/svg+xml");
      return {error: doc.querySelector("parsererror")?.textContent ?? null, root: doc.documentElement.tagName, circles: doc.querySelectorAll("circle").length, lines: doc.querySelectorAll("path").length};
    }, svg.bytes.toString("utf8"));
    expect(parsed).toMatchObject({error: null, root: "svg", circles: 8});
    expect(parsed.lines).toBeGreaterThan(0);

    const png = await download("png");
    expect(png.bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    const box = (await figure.boundingBox())!;
    expect(png.bytes.readUInt32BE(16)).toBe(Math.round(2 * box.width)); // IHDR width: 2× the figure

    const csv = (await download("csv")).bytes.toString("utf8").trim().split("\n");
    expect(csv[0].split(",").slice(0, 2)).toEqual(["R", "Z"]);
    expect(csv).toHaveLength(1 + 8);
    // The rows the figure drew are the Node computation's for the page's inputs.
    const now = await result();
    const node = zAgainstR(templates, {R: now.r, wimpMass_GeV: now.mass, sigma_cm2: now.sigma, exposure_tonne_yr: now.exposure});
    csv.slice(1).forEach((line, i) => {
      const [R, Z] = line.split(",").map(Number);
      expect(R).toBe(node[i].R);
      expect(Z).toBeCloseTo(node[i].Z, 9);
    });

    // The same rows as Parquet, typed: R and Z as float64, read back with parquet-wasm.
    const pq = await download("parquet");
    expect(pq.name).toMatch(/^anomaly-search-figure-\d+\.parquet$/);
    expect(pq.bytes.subarray(0, 4).toString("latin1")).toBe("PAR1");
    const table = arrow.tableFromIPC(parquet.readParquet(new Uint8Array(pq.bytes)).intoIPCStream());
    expect(table.numRows).toBe(8);
    expect(String(table.schema.fields.find((f) => f.name === "Z")?.type)).toBe("Float64");
    csv.slice(1).forEach((line, i) => expect(table.getChild("Z")!.get(i)).toBe(Number(line.split(",")[1])));
  }, 240_000);
});
