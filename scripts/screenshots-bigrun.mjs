#!/usr/bin/env -S npx tsx
// Screenshots of Pulsebook on a 200,000-event run, for docs/screenshots/bigrun-*.png, in headless
// Chromium (1 device pixel per CSS pixel, figure cards only, so each PNG stays well under 300 kB):
//   - bigrun-labeling.png: the labeling page of the built site with a 400,000-row feature table
//     (200,000 events × 2 channels; bench/syntheticFeatures.ts) opened in its file input, as a
//     user opens their own table: the density scatter with a rectangle selection;
//   - bigrun-records.png: the record viewer (RecordStoreClient → recordViewer, the pages' path, as
//     bundled by bench/records.ts) showing an event of the 200,000-event record store that
//     `npx tsx bench/records.ts --events 200000 --distinct 2000 --prepare` makes.
// A page built on a configured 200,000-event run (overview, first look) needs that run's feature
// table, i.e. feature extraction of 400,000 records of 16,384 samples: not made here.
// Usage: npx tsx scripts/screenshots-bigrun.mjs [--events 200000] [--store PATH] [--event 123456] [--dist DIR]

import {build} from "esbuild";
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";
import {serveDist} from "./serve-dist.mjs";
import {syntheticTable} from "../bench/syntheticFeatures.ts";
import {launchBrowser} from "../test/support/browser.ts";
import {ensureBuilt} from "../test/support/build.ts";
import {builtFeaturesPath} from "../test/support/features.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const {values} = parseArgs({options: {events: {type: "string", default: "200000"}, store: {type: "string"}, event: {type: "string", default: "123456"}, dist: {type: "string"}}});
const events = Number(values.events);
const out = join(ROOT, "docs", "screenshots");
mkdirSync(out, {recursive: true});
const work = join(ROOT, ".pulsebook", "bench");
mkdirSync(work, {recursive: true});
const shots = [];

const browser = await launchBrowser({width: 1200, height: 1600});
const page = browser.page;
try {
  // The labeling page with the big table.
  const dist = values.dist ?? (await ensureBuilt()).dist;
  const tableFile = join(work, `screenshots-${events}.parquet`);
  writeFileSync(tableFile, syntheticTable(new Uint8Array(readFileSync(builtFeaturesPath(dist))), events));
  const site = await serveDist(dist);
  try {
    await page.goto(new URL("./tools/labeling", site.url).href);
    await page.waitForSelector("#label-scatter[data-drawn]", {timeout: 60_000});
    await page.setInputFiles("#features-file input", tableFile);
    await page.waitForSelector(`#label-scatter[data-points="${events}"][data-drawn]`, {timeout: 180_000});
    await page.locator("#label-scatter").scrollIntoViewIfNeeded();
    const box = await page.locator("#label-scatter .selection-overlay").boundingBox();
    await page.mouse.move(box.x + 200, box.y + 120);
    await page.mouse.down();
    await page.mouse.move(box.x + 420, box.y + 330, {steps: 4});
    await page.mouse.up();
    await page.waitForFunction(() => Number(document.querySelector("#label-scatter")?.dataset.selected) > 0);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    await page.locator("#scatter-card").screenshot({path: join(out, "bigrun-labeling.png")});
    shots.push("bigrun-labeling.png");
  } finally {
    await site.close();
    rmSync(tableFile, {force: true});
  }

  // The record viewer on the big record store.
  const store = values.store ?? readdirSync(join(work, "records")).filter((f) => new RegExp(`^records-${events}(-of-\\d+)?\\.bin$`).test(f)).map((f) => join(work, "records", f))[0];
  if (!store || !existsSync(store)) throw new Error(`no record store of ${events} events in ${join(work, "records")}: make it with npx tsx bench/records.ts --events ${events} --distinct 2000 --prepare, or give --store`);
  const bundle = join(work, "screenshots-site");
  mkdirSync(bundle, {recursive: true});
  await build({entryPoints: [join(ROOT, "bench", "records-page.ts")], bundle: true, format: "esm", outfile: join(bundle, "page.js"), logLevel: "error", minify: true});
  writeFileSync(join(bundle, "index.html"), `<!doctype html><meta charset="utf-8"><title>records</title><style>body{font:13px system-ui,sans-serif;margin:12px;background:#fff}</style><p id="what"></p><div id="viewer"></div><script type="module" src="./page.js"></script>\n`);
  const server = await serveDist(bundle, {files: {"/records.bin": store}});
  try {
    await page.setViewportSize({width: 960, height: 420});
    await page.goto(server.url);
    await page.waitForFunction(() => "bench" in window);
    const info = await page.evaluate((u) => window.bench.open(u), `${server.url}records.bin`);
    const event = Number(values.event);
    await page.evaluate((e) => window.bench.show(e), event);
    await page.evaluate(({info, event, bytes}) => {
      document.querySelector("#what").textContent = `Record store of ${info.events.toLocaleString("en-US")} events × 2 channels (${(bytes / 1e9).toFixed(1)} GB), event ${event.toLocaleString("en-US")}: one HTTP range request of ${(info.blockBytes / 1024).toFixed(0)} KiB.`;
    }, {info, event, bytes: statSync(store).size});
    await page.locator("body").screenshot({path: join(out, "bigrun-records.png")});
    shots.push("bigrun-records.png");
  } finally {
    await server.close();
    rmSync(bundle, {recursive: true, force: true});
  }
} finally {
  await browser.close();
}
for (const s of shots) {
  const kB = statSync(join(out, s)).size / 1000;
  console.log(`docs/screenshots/${s}: ${kB.toFixed(0)} kB`);
  if (kB > 300) throw new Error(`docs/screenshots/${s} is ${kB.toFixed(0)} kB, over 300 kB`);
}
