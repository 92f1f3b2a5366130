// Benchmark of the labeling page at 200,000 points per channel, in headless Chromium:
//   - first render: from choosing a 400,000-row feature table (200,000 events × 2 channels) in
//     the page's file input (its change event) to the scatter drawn (Parquet decode in the page's
//     decode workers, columns, raster); "with upload" also counts setInputFiles copying the file
//     into the browser;
//   - re-render after a selection: from the pointer release of a rectangle to the scatter
//     redrawn with the selection highlighted;
//   - re-render after a zoom: from the pointer release of a rectangle in zoom mode to the axes
//     and the density raster drawn for the new domain (points binned again);
//   - labelling the selection (150,000–180,000 points, both channels): from the click on "Label
//     N selected" to the scatter redrawn in the new colours (timed in the page), and to the page saying "saved" (the
//     IndexedDB write, which starts after the redraw), with the page's own timings of the book
//     change ("labeling:book") and the write ("labeling:save");
//   - the raster draw alone (the page's own timing of binning/painting + putImageData).
// The page reads the table in parts (lib/io/featureQuery.ts: footer, then the columns shown) and,
// beyond 20,000 points, draws a density raster (lib/plot/densityBins.ts).
// The table is the demo feature table replicated with jitter, so that the points have the
// demo run's distribution. Writes bench/results/labeling-render-EVENTS.json.
// The page marks its stages (performance.measure "labeling:*": columns read, domains, binning,
// painting, axes); their durations of the first render are written with the figures. With
// --profile, the first render is also sampled by Chromium's CPU profiler (DevTools protocol) and
// the functions with the most self time are listed; so is the first labelling, from the click to "saved". --dist DIR benchmarks another build (e.g.
// main's, for a before/after on the same machine and load).
// Usage: tsx bench/labeling-render.ts [--events 200000] [--repeats 5] [--profile] [--dist DIR]

import {mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {cpus, loadavg, totalmem} from "node:os";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {fileURLToPath} from "node:url";
import {serveDist} from "../scripts/serve-dist.mjs";
import type {Page} from "playwright-core";
import {launchBrowser} from "../test/support/browser.js";
import {ensureBuilt} from "../test/support/build.js";
import {builtFeaturesPath} from "../test/support/features.js";
import {syntheticTable} from "./syntheticFeatures.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const {values} = parseArgs({options: {events: {type: "string", default: "200000"}, repeats: {type: "string", default: "5"}, profile: {type: "boolean", default: false}, dist: {type: "string"}}});
const events = Number(values.events);
const repeats = Number(values.repeats);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];


/**
 * Drags a rectangle on the scatter from `from` to `to` (page pixels) and returns the time in ms
 * from the pointer release to the frame after the scatter shows the result: a new selection
 * outline (`data-polygon` changed) or a "zoom" event.
 */
async function timedDrag(page: Page, from: [number, number], to: [number, number], until: "selection" | "zoom"): Promise<number> {
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  await page.evaluate(`(() => {
    const el = document.querySelector("#label-scatter");
    window.benchDone = new Promise((resolve) => {
      let up = 0;
      const done = () => requestAnimationFrame(() => resolve(performance.now() - up));
      el.querySelector(".selection-overlay").addEventListener("pointerup", () => (up = performance.now()), {once: true, capture: true});
      if (${JSON.stringify(until)} === "zoom") el.addEventListener("zoom", done, {once: true});
      else {
        const before = el.dataset.polygon;
        const obs = new MutationObserver(() => {
          if (el.dataset.polygon !== before && up) {
            obs.disconnect();
            done();
          }
        });
        obs.observe(el, {attributes: true});
      }
    });
  })()`);
  await page.mouse.move(...from);
  await page.mouse.down();
  await page.mouse.move(...to, {steps: 3});
  await page.mouse.up();
  return page.evaluate(() => (window as unknown as {benchDone: Promise<number>}).benchDone);
}

/** Chromium's CPU profiler started on `page` (sampling every 0.5 ms), for `selfTimes`. */
async function startProfile(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", {interval: 500});
  await cdp.send("Profiler.start");
  return cdp;
}

/** Self time per function (ms) of a DevTools CPU profile, the `top` largest. */
function selfTimes(profile: {nodes: {id: number; callFrame: {functionName: string; url: string; lineNumber: number}}[]; samples: number[]; timeDeltas: number[]}, top = 20) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  for (let k = 0; k < profile.samples.length; ++k) {
    const {functionName, url, lineNumber} = byId.get(profile.samples[k])!.callFrame;
    const name = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(_import|_npm|_node|_observablehq)\//, "$1/")}:${lineNumber + 1}`;
    ms.set(name, (ms.get(name) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000);
  }
  return [...ms].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, t]) => ({fn, ms: Math.round(t)}));
}

const loadBefore = loadavg().map((l) => +l.toFixed(2));
const dist = values.dist ?? (await ensureBuilt()).dist;
const table = syntheticTable(new Uint8Array(readFileSync(builtFeaturesPath(dist))), events);
const tableFile = join(ROOT, ".pulsebook", "bench", `labeling-${events}.parquet`);
mkdirSync(join(ROOT, ".pulsebook", "bench"), {recursive: true});
writeFileSync(tableFile, table);
console.error(`feature table: ${events} events, ${(table.length / 1e6).toFixed(1)} MB Parquet`);
const server = await serveDist(dist);
// Tall enough that the whole scatter is in view below the page's inputs: the drags must land on it.
const browser = await launchBrowser({width: 1200, height: 1600});
const page = browser.page;
const results: {[k: string]: unknown} = {};
try {
  const firstRender: number[] = [];
  const withUpload: number[] = [];
  const drawMs: number[] = [];
  const stages: {[stage: string]: number}[] = [];
  let profile: {fn: string; ms: number}[] | undefined;
  for (let k = 0; k < repeats; ++k) {
    await page.goto(new URL("./tools/labeling", server.url).href);
    await page.waitForSelector("#label-scatter[data-drawn]", {timeout: 60_000});
    await page.evaluate(() => performance.clearMeasures());
    const cdp = values.profile && k === 0 ? await startProfile(page) : undefined;
    // Timed in the page from the file input's change event: setInputFiles first copies the
    // 50 MB file into the browser over the DevTools protocol (seconds on a loaded machine), which
    // a user choosing a file on their disk does not wait for. The bench's own clock, from the
    // setInputFiles call, is kept beside it ("with upload").
    await page.evaluate(`document.querySelector("#features-file input").addEventListener("change", () => (window.benchPicked = performance.now()), {once: true, capture: true})`);
    const t0 = performance.now();
    await page.setInputFiles("#features-file input", tableFile);
    await page.waitForSelector(`#label-scatter[data-points="${events}"][data-drawn]`, {timeout: 120_000});
    // One more frame so that the canvas is painted.
    const inPage = await page.evaluate(`new Promise((r) => requestAnimationFrame(() => r(performance.now() - window.benchPicked)))`);
    withUpload.push(performance.now() - t0);
    firstRender.push(Number(inPage));
    if (cdp) {
      const {profile: p} = await cdp.send("Profiler.stop");
      profile = selfTimes(p as unknown as Parameters<typeof selfTimes>[0]);
      console.error(`first render profile, self time: ${profile.map((f) => `${f.ms} ms ${f.fn}`).join("\n  ")}`);
      await cdp.detach();
    }
    drawMs.push(Number(await page.locator("#label-scatter").getAttribute("data-draw-ms")));
    stages.push(await page.evaluate(() => Object.fromEntries(performance.getEntriesByType("measure").filter((m) => /^(labeling|scatter):/.test(m.name)).map((m) => [m.name, +m.duration.toFixed(1)]))));
    console.error(`first render ${Math.round(firstRender[k])} ms (${Math.round(withUpload[k])} ms with the upload), stages ${JSON.stringify(stages[k])}`);
  }

  // Re-render after a selection, then after a zoom, both timed inside the page by one helper.
  await page.locator("#label-scatter").scrollIntoViewIfNeeded();
  const box = (await page.locator("#label-scatter .selection-overlay").boundingBox())!;
  const selectMs: number[] = [];
  const selected: number[] = [];
  for (let k = 0; k < repeats; ++k) {
    const x0 = box.x + 80 + 10 * k, y0 = box.y + 40;
    selectMs.push(await timedDrag(page, [x0, y0], [x0 + 200, y0 + 250], "selection"));
    selected.push(Number(await page.locator("#label-scatter").getAttribute("data-selected")));
  }
  const zoomMs: number[] = [];
  await page.click('#mode input[value="2"]');
  for (let k = 0; k < repeats; ++k) {
    const x0 = box.x + 100 + 10 * k, y0 = box.y + 60;
    zoomMs.push(await timedDrag(page, [x0, y0], [x0 + 250, y0 + 200], "zoom"));
    await page.mouse.dblclick(x0 + 100, y0 + 100);
    await page.waitForSelector('#label-scatter[data-zoomed="false"]', {timeout: 10_000}).catch(async (e) => {
      throw new Error(`zoom not reset: ${await page.locator("#label-scatter").count()} scatters, zoomed=${await page.locator("#label-scatter").first().getAttribute("data-zoomed")} (${(e as Error).message.split("\n")[0]})`);
    });
  }
  await page.click('#mode input[value="0"]');
  const density = await page.locator("#label-scatter").getAttribute("data-density");
  const rowGroups = Number(await page.locator("#dataset-summary").getAttribute("data-row-groups"));

  // Re-render after labelling the selection: click → IndexedDB write → recolour → frame.
  const labelMs: number[] = [];
  const savedMs: number[] = [];
  const labelOuterMs: number[] = [];
  const labelRecords: number[] = [];
  const labelStages: {[stage: string]: number}[] = [];
  let labelProfile: {fn: string; ms: number}[] | undefined;
  let labelError = "";
  console.error(`first render ${firstRender.map(Math.round).join(", ")} ms; selection ${selectMs.map(Math.round).join(", ")} ms (${selected.join(", ")} points); zoom ${zoomMs.map(Math.round).join(", ")} ms`);
  try {
    for (let k = 0; k < repeats; ++k) {
    await page.selectOption("#label-class select", {label: k % 2 ? "1 · Event_Pulse" : "3 · Noise"});
    const version = await page.locator("#label-scatter").getAttribute("data-labels-version");
    await page.evaluate(() => performance.clearMeasures());
    const cdp = values.profile && k === 0 ? await startProfile(page) : undefined;
    // Timed in the page: from the click to the task after the frame that redrew the scatter (the
    // runtime redraws in an animation frame and paints it; the write starts in a later task).
    await page.evaluate(`(() => {
      const el = document.querySelector("#label-scatter");
      const before = el.dataset.labelsVersion;
      let t0 = 0;
      document.querySelector("#assign-selection").addEventListener("click", () => (t0 = performance.now()), {once: true, capture: true});
      window.benchLabelled = new Promise((resolve) => {
        const obs = new MutationObserver(() => {
          if (el.dataset.labelsVersion === before) return;
          obs.disconnect();
          setTimeout(() => resolve(performance.now() - t0), 0);
        });
        obs.observe(el, {attributes: true});
      });
    })()`);
    const t0 = performance.now();
    await page.click("#assign-selection");
    await page.waitForFunction((v) => document.querySelector<HTMLElement>("#label-scatter")!.dataset.labelsVersion !== v, version, {timeout: 180_000});
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    labelOuterMs.push(performance.now() - t0);
    labelMs.push(Number(await page.evaluate("window.benchLabelled")));
    await page.waitForFunction(() => / · saved$|NOT SAVED/.test(document.querySelector("#label-status")?.textContent ?? ""), null, {timeout: 180_000});
    savedMs.push(performance.now() - t0);
    if (cdp) {
      const {profile: p} = await cdp.send("Profiler.stop");
      labelProfile = selfTimes(p as unknown as Parameters<typeof selfTimes>[0]);
      console.error(`labelling profile, self time: ${labelProfile.map((f) => `${f.ms} ms ${f.fn}`).join("\n  ")}`);
      await cdp.detach();
    }
    const status = (await page.locator("#label-status").textContent()) ?? "";
    const records = / (\d+) records? · saved$/.exec(status);
    if (!records) throw new Error(`labelling not saved: ${status}`);
    labelRecords.push(Number(records[1]));
    labelStages.push(await page.evaluate(() => Object.fromEntries(performance.getEntriesByType("measure").filter((m) => /^(labeling|scatter):/.test(m.name)).map((m) => [m.name, +m.duration.toFixed(1)]))));
    console.error(`labelled ${labelRecords[k]} records: redrawn ${Math.round(labelMs[k])} ms (${Math.round(labelOuterMs[k])} ms seen from the bench), saved ${Math.round(savedMs[k])} ms, stages ${JSON.stringify(labelStages[k])}`);
    }
  } catch (e) {
    // Keep the render figures when labelling (an IndexedDB write of every selected record) is too slow.
    labelError = String((e as Error).message ?? e).split("\n")[0];
  }
  if (browser.pageErrors.length) throw new Error(`page errors: ${browser.pageErrors.join("; ")}`);
  results.labeling = {
    points_per_channel: events,
    table_rows: events * 2,
    parquet_MB: table.length / 1e6,
    first_render_ms_median: median(firstRender),
    first_render_ms: firstRender.map(Math.round),
    first_render_with_upload_ms_median: median(withUpload),
    first_render_with_upload_ms: withUpload.map(Math.round),
    raster_draw_ms_median: median(drawMs),
    first_render_stages_ms: stages,
    ...(profile ? {first_render_profile_self_ms: profile} : {}),
    rerender_after_selection_ms_median: median(selectMs),
    rerender_after_selection_ms: selectMs.map((x) => +x.toFixed(1)),
    points_selected: selected,
    rerender_after_zoom_ms_median: median(zoomMs),
    rerender_after_zoom_ms: zoomMs.map((x) => +x.toFixed(1)),
    density_raster: density === "true",
    parquet_row_groups: rowGroups,
    rerender_after_labelling_ms_median: labelMs.length ? median(labelMs) : null,
    ...(labelError ? {rerender_after_labelling_error: labelError} : {}),
    rerender_after_labelling_ms: labelMs.map(Math.round),
    // The earlier measure, from the bench over the DevTools protocol: its next frame waits for the write's JS.
    rerender_after_labelling_seen_by_bench_ms: labelOuterMs.map(Math.round),
    labelling_saved_ms_median: savedMs.length ? median(savedMs) : null,
    labelling_saved_ms: savedMs.map(Math.round),
    labelling_records: labelRecords,
    labelling_stages_ms: labelStages,
    ...(labelProfile ? {labelling_profile_self_ms: labelProfile} : {}),
    repeats
  };
} finally {
  await browser.close();
  await server.close();
  rmSync(tableFile, {force: true});
}

const out = {date: new Date().toISOString(), load_average: {before: loadBefore, after: loadavg().map((l) => +l.toFixed(2))}, dist: values.dist ? "given by --dist" : "this checkout", machine: {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_GiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, browser: "Debian chromium, headless, --disable-gpu"}, ...results};
mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
const file = join(ROOT, "bench", "results", `labeling-render-${events}${values.dist ? "-other-dist" : ""}.json`);
writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
console.log(JSON.stringify(out, null, 2));
console.error(`wrote ${file}`);
