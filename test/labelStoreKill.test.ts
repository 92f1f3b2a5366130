// The labeling page's labels in IndexedDB survive a browser killed mid-write: headless Chromium
// runs the page's own write path (lib/labels/book.ts changes saved by lib/labels/store.ts, as
// src/tools/labeling.md does), labelling a batch of records per change, round after round; the
// whole browser is sent SIGKILL at a seeded moment; a new browser on the same --user-data-dir
// opens the store and must find every record of the batch from one and the same change (old or
// new, never mixed), and nothing older than the last change reported saved.
//
// The page is a small one carrying those two modules (bundled with esbuild), not the built site:
// the write path is the same code, and a trial then costs a browser start, not a site build.
// bench/labelStoreKill.ts (`npm run fuzz:kill`) runs 100 such trials on the built labeling page,
// driven through its UI.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createServer, type Server} from "node:http";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {build} from "esbuild";
import {Rng} from "../lib/math/random.js";
import {killGroup, startChromium} from "./support/killedChromium.js";

const LIB = fileURLToPath(new URL("../lib/labels/", import.meta.url));
/** Records labelled by one change (one IndexedDB transaction). */
const K = 40;
const TRIALS = 6;

/** Label of round r: 0 (the batch unlabelled: deletes) every 4th round, else a class 1–19. */
const labelOf = (r: number) => (r % 4 === 0 ? 0 : (r % 19) + 1);

let dir: string, server: Server, origin: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-idb-kill-"));
  writeFileSync(join(dir, "entry.ts"), `
import {LabelBook} from ${JSON.stringify(join(LIB, "book.ts"))};
import {openLabelStore} from ${JSON.stringify(join(LIB, "store.ts"))};
const K = ${K};
const labelOf = ${labelOf.toString()};
// Events 1,000 apart: the change spans several of the store's blocks (BLOCK_EVENTS), all or none.
const refs = Array.from({length: K}, (_, k) => ({event: (k >> 1) * 1000, channel: k & 1}));
(window as any).write = async (from: number) => {
  const store = await openLabelStore(indexedDB);
  const book = new LabelBook(await store.load("kill"));
  for (let r = from; ; ++r) {
    const change = book.assign(refs, labelOf(r), {author: "kill", note: "round " + r});
    if (change) await store.save("kill", change);
    console.log("saved " + r);
  }
};
(window as any).read = async () => {
  const store = await openLabelStore(indexedDB);
  const entries = await store.load("kill");
  store.close();
  return entries;
};
`);
  const bundle = await build({entryPoints: [join(dir, "entry.ts")], bundle: true, format: "esm", platform: "browser", write: false, logLevel: "silent"});
  const js = bundle.outputFiles[0].text;
  server = createServer((req, res) => {
    if (req.url === "/page.js") res.writeHead(200, {"content-type": "text/javascript"}).end(js);
    else res.writeHead(200, {"content-type": "text/html"}).end(`<!doctype html><script type="module" src="/page.js"></script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as {port: number}).port}/`;
}, 60_000);
afterAll(() => {
  server?.close();
  rmSync(dir, {recursive: true, force: true});
});

interface Entry {event: number; channel: number; label: number; note: string}

/** The stored batch: "none" (no record labelled) or the round every record of it carries. */
function batchState(entries: Entry[]): {round: number | "none"; problem?: string} {
  if (entries.length === 0) return {round: "none"};
  const rounds = new Set(entries.map((e) => e.note));
  if (entries.length !== K || rounds.size !== 1) return {round: NaN, problem: `${entries.length} of ${K} records stored, from ${[...rounds].join(", ")}: mixed`};
  const round = Number(/^round (\d+)$/.exec(entries[0].note)?.[1]);
  const wrong = entries.filter((e) => e.label !== labelOf(round));
  return wrong.length ? {round, problem: `${wrong.length} labels not round ${round}'s`} : {round};
}

describe("labels in IndexedDB under SIGKILL of the browser", () => {
  it(`every record is the old or the new label of one change, never mixed, never older than saved (${TRIALS} trials)`, async () => {
    const profile = join(dir, "profile");
    const rng = new Rng(31, 7);
    // What the store held after the previous trial: round number, or "none".
    let previous: number | "none" = "none";
    let killedMidRun = 0;
    for (let trial = 0; trial < TRIALS; ++trial) {
      const from = 1 + 1000 * trial;
      let saved = 0;
      {
        const {child, browser} = await startChromium(profile);
        const page = browser.contexts()[0].pages()[0] ?? (await browser.contexts()[0].newPage());
        page.on("console", (m) => {
          const r = /^saved (\d+)$/.exec(m.text());
          if (r) saved = Math.max(saved, Number(r[1]));
        });
        await page.goto(origin);
        await page.waitForFunction(() => typeof (window as unknown as {write?: unknown}).write === "function");
        void page.evaluate((f) => (window as unknown as {write(f: number): Promise<void>}).write(f), from).catch(() => {});
        // Killed a seeded moment after the first change is saved: mid-transaction or between two.
        await page.waitForEvent("console", {predicate: (m) => m.text().startsWith("saved "), timeout: 60_000});
        await new Promise((r) => setTimeout(r, rng.uniform() * 400));
        await killGroup(child);
        if (saved > from) killedMidRun++;
      }
      const {child, browser} = await startChromium(profile);
      try {
        const page = browser.contexts()[0].pages()[0] ?? (await browser.contexts()[0].newPage());
        await page.goto(origin);
        await page.waitForFunction(() => typeof (window as unknown as {read?: unknown}).read === "function");
        const entries = await page.evaluate(() => (window as unknown as {read(): Promise<Entry[]>}).read());
        const state = batchState(entries);
        expect(state.problem, `trial ${trial}`).toBeUndefined();
        // Not older than the last change the page reported saved: that round or a later one of this run
        // (a later one may have committed before its report reached us), or a batch-clearing round.
        if (state.round === "none") {
          const clearedSince = Array.from({length: 64}, (_, i) => saved + i).some((r) => labelOf(r) === 0);
          expect(clearedSince || (saved === 0 && previous === "none"), `trial ${trial}: nothing stored, saved up to round ${saved}`).toBe(true);
        } else {
          expect(state.round, `trial ${trial}: stored round vs saved round`).toBeGreaterThanOrEqual(saved);
          expect(state.round).toBeLessThan(from + 1000);
        }
        previous = state.round;
      } finally {
        await browser.close().catch(() => {});
        await killGroup(child);
      }
    }
    // The kills landed while changes were being written, not before the first one.
    expect(killedMidRun).toBeGreaterThanOrEqual(TRIALS / 2);
  }, 600_000);
});
