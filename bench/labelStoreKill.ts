// `npx tsx bench/labelStoreKill.ts [--trials N --seed S --dist DIR]` (also the last part of `npm run fuzz:kill`):
// the BUILT labeling page (dist/, served on 127.0.0.1 as the page tests do) labels records through
// its own UI, change after change, while the whole Chromium (every process of its group) is sent
// SIGKILL at a seeded moment. The next Chromium on the same --user-data-dir first opens the store
// with the site's own built store module and checks what the killed one left:
//  - the store opens;
//  - every record of the rectangle carries the label of one and the same change (never mixed, never
//    a part of a change): each change relabels the whole selection with the note "round R";
//  - nothing committed is lost: the stored round is the last one the page reported saved, or the
//    one being written when the kill came (then that change is whole), never an older one.
// Then it opens the labeling page and writes the next trial's changes, so one Chromium start serves
// a check and a trial. Writes bench/results/labelStoreKill.json; exit 1 when anything broke.

import {execFileSync} from "node:child_process";
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {cpus, loadavg, tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import type {Page} from "playwright-core";
import {Rng} from "../lib/math/random.js";
import {serveDist} from "../scripts/serve-dist.mjs";
import {ensureBuilt} from "../test/support/build.js";
import {killGroup, startChromium} from "../test/support/killedChromium.js";

export interface StoredEntry {event: number; channel: number; label: number; note: string}

/** What a trial's writer did before the kill, from the page's console ("start R", "saved R N"). */
export interface Written {from: number; started: number; saved: number; records: number; killedDuringWrite: boolean}

export interface LabelStoreKillFigures {
  trials: number;
  /** Kills that came while a change was being written (its "start" seen, its "saved" not). */
  killsDuringWrite: number;
  /** Of those changes: found whole in the store, or absent (the store held the previous change). */
  changesWhole: number;
  changesAbsent: number;
  /** Kills between two changes: the store held the last saved one. */
  lastSavedKept: number;
  /** Store that did not open, mixed or partial changes, committed changes lost. Must be 0. */
  broken: number;
  recordsPerChange: number;
  msPerTrial: number;
  problems: string[];
}

const LABELING_HTML = "tools/labeling.html";

/** The URL of the built store module the labeling page imports (its name carries a content hash). */
function builtStoreModule(dist: string): string {
  const html = readFileSync(join(dist, LABELING_HTML), "utf8");
  const m = /_import\/lib\/labels\/store\.[0-9a-f]+\.js/.exec(html);
  if (!m) throw new Error(`${join(dist, LABELING_HTML)}: no import of lib/labels/store (was the site built?)`);
  return "/" + m[0];
}

/** Every dataset's entries, read by the site's own store module in the page `page` (any page of the origin). */
async function readStore(page: Page, storeModule: string): Promise<Record<string, StoredEntry[]>> {
  return page.evaluate(async (url) => {
    const {openLabelStore} = await import(url);
    const store = await openLabelStore(indexedDB);
    try {
      const out: Record<string, StoredEntry[]> = {};
      for (const name of (await store.datasets()).keys()) out[name] = await store.load(name);
      return out;
    } finally {
      store.close();
    }
  }, storeModule);
}

/** Judges what the store holds after the kill of the trial that wrote `w` (and `before`, the trial before it). */
export function judge(stored: Record<string, StoredEntry[]>, w: Written, before: Written | undefined): {kind: "whole" | "absent" | "kept"} | {problem: string} {
  const sets = Object.entries(stored).filter(([, e]) => e.length > 0);
  if (sets.length !== 1) return {problem: `${sets.length} data sets with labels, expected 1`};
  const entries = sets[0][1];
  const notes = new Set(entries.map((e) => e.note));
  if (notes.size !== 1) return {problem: `mixed: ${entries.length} records from ${notes.size} changes (${[...notes].slice(0, 4).join(", ")})`};
  if (entries.length !== w.records) return {problem: `partial: ${entries.length} records stored, a change labels ${w.records}`};
  const round = Number(/^round (\d+)$/.exec(entries[0].note)?.[1]);
  if (entries.some((e) => e.label !== 1)) return {problem: `round ${round}: labels other than 1`};
  if (round < w.saved) return {problem: `lost: round ${round} stored, round ${w.saved} was reported saved` + (before && round <= before.started ? " (the previous trial's)" : "")};
  if (round > w.started + 1) return {problem: `round ${round} stored, only up to ${w.started} were started`};
  // A later round than the last "saved" seen: written whole (its report, or even its "start", was still on its way).
  return round > w.saved ? {kind: "whole"} : w.killedDuringWrite ? {kind: "absent"} : {kind: "kept"};
}

/** Drags a rectangle over the whole scatter frame: selects every drawn record of the channel. */
async function selectAll(page: Page): Promise<number> {
  await page.locator("#label-scatter").scrollIntoViewIfNeeded();
  const box = (await page.locator("#label-scatter .selection-overlay").boundingBox())!;
  await page.mouse.move(box.x + 1, box.y + 1);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, {steps: 3});
  await page.mouse.move(box.x + box.width - 1, box.y + box.height - 1, {steps: 3});
  await page.mouse.up();
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>("#label-scatter")!.dataset.selected) > 0);
  return page.evaluate(() => Number(document.querySelector<HTMLElement>("#label-scatter")!.dataset.selected));
}

/**
 * The page's own UI in a loop: type the note "round R", click "Label N selected", wait until the
 * page has saved and redrawn (its labels version moved on), report, next round. Runs until killed.
 */
// A string, not a function: tsx would wrap the inner arrow functions in its `__name` helper, which the page lacks.
const WRITE_ROUNDS = `async (from) => {
  const scatter = () => document.querySelector("#label-scatter");
  const note = document.querySelector("#label-note input");
  for (let r = from; ; ++r) {
    const version = Number(scatter().dataset.labelsVersion);
    note.value = "round " + r;
    note.dispatchEvent(new Event("input", {bubbles: true}));
    console.log("start " + r);
    document.querySelector("#assign-selection").click();
    while (Number(scatter().dataset.labelsVersion) <= version) await new Promise((res) => setTimeout(res, 2));
    // The page redraws first and writes after: wait for the write's verdict.
    const status = () => document.querySelector("#label-status")?.textContent ?? "";
    while (!/· saved$|NOT SAVED/.test(status())) await new Promise((res) => setTimeout(res, 2));
    const saved = /: (\\d+) records? · saved$/.exec(status());
    console.log(saved ? "saved " + r + " " + saved[1] : "failed " + r + " " + status());
  }
}`;

export async function labelStoreKillTrials({trials = 100, seed = 41, dist, log = console.log, progress}: {trials?: number; seed?: number; dist?: string; log?: (s: string) => void; progress?: (f: LabelStoreKillFigures) => void} = {}): Promise<LabelStoreKillFigures> {
  // A given build (`--dist DIR`) is served as it is; else dist/ is built from the current sources if needed.
  dist ??= (await ensureBuilt()).dist;
  const storeModule = builtStoreModule(dist);
  const server = await serveDist(dist);
  const dir = mkdtempSync(join(tmpdir(), "pulsebook-idb-kill-bench-"));
  const profile = join(dir, "profile");
  const rng = new Rng(seed, 9);
  const f: LabelStoreKillFigures = {trials: 0, killsDuringWrite: 0, changesWhole: 0, changesAbsent: 0, lastSavedKept: 0, broken: 0, recordsPerChange: 0, msPerTrial: 0, problems: []};
  const t0 = performance.now();
  let previous: Written | undefined, before: Written | undefined;
  try {
    // Trial t's check runs in the Chromium that then writes trial t + 1; one more start checks the last.
    for (let t = 0; t <= trials; ++t) {
      const {child, browser} = await startChromium(profile);
      try {
        const page = browser.contexts()[0].pages()[0] ?? (await browser.contexts()[0].newPage());
        await page.setViewportSize({width: 1200, height: 1000});
        if (previous) {
          await page.goto(server.url, {timeout: 120_000});
          let verdict: ReturnType<typeof judge>;
          try {
            verdict = judge(await readStore(page, storeModule), previous, before);
          } catch (e) {
            verdict = {problem: `the store did not open: ${(e as Error).message}`};
          }
          f.trials++;
          if ("problem" in verdict) {
            f.broken++;
            f.problems.push(`trial ${t - 1}: ${verdict.problem}`);
          } else if (verdict.kind === "whole") f.changesWhole++;
          else if (verdict.kind === "absent") f.changesAbsent++;
          else f.lastSavedKept++;
          if (previous.killedDuringWrite || ("kind" in verdict && verdict.kind === "whole")) f.killsDuringWrite++;
          if (f.trials % 10 === 0) progress?.(f), log(`${f.trials} trials: ${f.killsDuringWrite} kills during a write (${f.changesWhole} whole, ${f.changesAbsent} absent), ${f.lastSavedKept} between changes, ${f.broken} broken, ${Math.round((performance.now() - t0) / f.trials)} ms a trial`);
        }
        if (t === trials) break;
        const from = 1 + 1000 * t;
        const w: Written = {from, started: 0, saved: 0, records: 0, killedDuringWrite: false};
        let last = "";
        page.on("console", (m) => {
          const text = m.text();
          let r: RegExpExecArray | null;
          if ((r = /^start (\d+)$/.exec(text))) w.started = Math.max(w.started, Number(r[1])), (last = "start");
          else if ((r = /^saved (\d+) (\d+)$/.exec(text))) w.saved = Math.max(w.saved, Number(r[1])), (w.records = Number(r[2])), (last = "saved");
          else if (text.startsWith("failed ")) f.problems.push(`trial ${t}: not saved: ${text}`);
        });
        await page.goto(new URL("tools/labeling", server.url).href, {timeout: 120_000});
        await page.waitForSelector("#label-scatter[data-drawn]", {timeout: 120_000});
        await page.waitForSelector("#label-total", {timeout: 60_000});
        await selectAll(page);
        void page.evaluate(`(${WRITE_ROUNDS})(${from})`).catch(() => {});
        // Killed a seeded moment after the first change is reported saved.
        await page.waitForEvent("console", {predicate: (m) => m.text().startsWith("saved "), timeout: 60_000});
        await new Promise((r) => setTimeout(r, rng.uniform() * 600));
        await killGroup(child);
        w.killedDuringWrite = last === "start";
        if (!w.records) throw new Error(`trial ${t}: no change was reported saved`);
        f.recordsPerChange = w.records;
        [before, previous] = [previous, w];
      } finally {
        await browser.close().catch(() => {});
        await killGroup(child);
      }
    }
  } finally {
    await server.close();
    rmSync(dir, {recursive: true, force: true});
  }
  f.msPerTrial = Math.round((performance.now() - t0) / Math.max(1, f.trials));
  return f;
}

/** Runs the trials and writes bench/results/labelStoreKill.json (figures, load before and after). */
export async function labelStoreKillBench(trials: number, seed: number, dist?: string): Promise<LabelStoreKillFigures> {
  const uptime = () => execFileSync("uptime", {encoding: "utf8"}).trim();
  const loadBefore = uptime();
  const t0 = performance.now();
  const out = fileURLToPath(new URL("results/labelStoreKill.json", import.meta.url));
  mkdirSync(join(out, ".."), {recursive: true});
  // Written every 10 trials too, so that a long run stopped early keeps what it measured.
  const save = (f: LabelStoreKillFigures, complete: boolean) => writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), seed, trialsAsked: trials, complete, page: "tools/labeling.html of the built site, driven through its UI; read back by its own store module", cpus: cpus().length,
    seconds: Math.round((performance.now() - t0) / 1000), loadBefore, loadAfter: uptime(), load: loadavg().map((x) => Math.round(x * 100) / 100), ...f
  }, null, 2) + "\n");
  const f = await labelStoreKillTrials({trials, seed, dist, progress: (p) => save({...p, msPerTrial: Math.round((performance.now() - t0) / p.trials)}, false)});
  save(f, true);
  console.log(`labeling page (IndexedDB): ${f.trials} trials, ${f.killsDuringWrite} kills during a write: ${f.changesWhole} changes whole, ${f.changesAbsent} absent; ${f.lastSavedKept} kills between changes; broken ${f.broken}` +
    `${f.problems.length ? `\n  ${f.problems.slice(0, 10).join("\n  ")}` : ""}\nwrote ${out}`);
  return f;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const f = await labelStoreKillBench(Number(arg("trials") ?? 100), Number(arg("seed") ?? 41), arg("dist"));
  process.exitCode = f.broken > 0 ? 1 : 0;
}
