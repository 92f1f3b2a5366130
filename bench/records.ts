// Benchmark of the record store on a run of 200,000 events × 2 channels × 16384 samples (≈ 26 GB):
//   1. simulate the run once (kept in .pulsebook/bench/records/, git-ignored; another size's run
//      and store there are removed first, so that only one run and one store take disk);
//   2. write its record store (all events), streamed: MB/s, peak RSS;
//   3. serve it with scripts/serve-dist.mjs and, in headless Chromium, show 1,000 random events
//      one after another with the page's path (RecordStoreClient → recordViewer, bench/records-page.ts
//      bundled by esbuild): fetch + decode + draw to the next frame per event (median, p90), and
//      the browser's memory while stepping (DevTools protocol Performance.getMetrics: JS heap;
//      the record path loads no wasm, so wasm memory is 0 — checked: no WebAssembly.Memory is made);
//   4. the server's log: every read of the store a 206 partial read, none of the whole file.
// Writes bench/results/records.json.
// The fast path (--distinct N): simulating 200,000 events goes at 45–75 events/s on the shared
// 2-core machine (≈ 1 h, then 15 min to write the store). With --distinct N the bench simulates N
// events (a real run file of the simulator) and writes a store of --events events whose event e
// holds the records of simulated event e mod N: the store has the full size (26 GB, larger than
// the page cache), its full index, and every event at its own offset, so every read is a read of
// its own bytes on disk, as on a simulated run of that size; only the content repeats.
// Usage: tsx bench/records.ts [--events 200000] [--steps 1000] [--remove] (remove run and store after)
//        [--prepare] (only make the run and the store, for a later measurement) [--distinct N]

import {build} from "esbuild";
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync, writeSync} from "node:fs";
import {cpus, loadavg, totalmem} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";
import {openCaitFile} from "../data-loaders/io/node.js";
import {writeRecordStore} from "../data-loaders/recordStore.js";
import {encodeChunkBlocks, encodeRecordStoreHead} from "../lib/io/recordStore.js";
import {progressLines} from "../data-loaders/progress.js";
import {writeSimulation} from "../data-loaders/simulate.js";
import {Rng} from "../lib/math/random.js";
import {serveDist, type ServedRequest} from "../scripts/serve-dist.mjs";
import {launchBrowser} from "../test/support/browser.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const {values} = parseArgs({options: {events: {type: "string", default: "200000"}, steps: {type: "string", default: "1000"}, remove: {type: "boolean", default: false}, prepare: {type: "boolean", default: false}, distinct: {type: "string"}}});
const events = Number(values.events);
const steps = Number(values.steps);
const work = join(ROOT, ".pulsebook", "bench", "records");
const distinct = values.distinct ? Number(values.distinct) : events;
if (!(Number.isInteger(distinct) && distinct >= 1 && distinct <= events)) throw new Error(`bench records: --distinct must be a whole number in [1, ${events}], got ${values.distinct}`);
const run = join(work, `run-${distinct}.h5`);
const store = join(work, `records-${events}${distinct < events ? `-of-${distinct}` : ""}.bin`);
const recordBytes = 2 * 16384 * 4;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

mkdirSync(work, {recursive: true});
const madeFile = join(work, `made-${events}${distinct < events ? `-of-${distinct}` : ""}.json`);
const keepFiles = new Set([madeFile, run, store].map((f) => f.split("/").pop()));
for (const f of readdirSync(work)) if (/^(run|records|made)-[\d-of]+\.(h5|bin|json)$/.test(f) && !keepFiles.has(f)) rmSync(join(work, f), {force: true});
const free = () => {
  const s = statfsSync(work);
  return s.bavail * s.bsize;
};
const need = (existsSync(run) ? 0 : 1.02 * distinct * recordBytes) + (existsSync(store) ? 0 : events * recordBytes);
if (need > free() - 5e9) throw new Error(`bench records: needs ${(need / 1e9).toFixed(1)} GB more in ${work}, ${(free() / 1e9).toFixed(1)} GB free (keep 5 GB); try --events ${Math.floor((events * (free() - 5e9)) / need)}`);

const results: {[k: string]: unknown} = {date: new Date().toISOString(), load_average_before: loadavg()};
// Figures of the run's and store's making, kept beside them for a later measurement (--prepare).
const made: {[k: string]: unknown} = existsSync(madeFile) && existsSync(run) && existsSync(store) ? JSON.parse(readFileSync(madeFile, "utf8")) : {};
if (!existsSync(run)) {
  const t0 = process.hrtime.bigint();
  await writeSimulation(run, {events: distinct, seed: 20261205, onProgress: progressLines("simulate")});
  const s = seconds(t0);
  results.simulate = {events: distinct, seconds: s, file_GB: statSync(run).size / 1e9, ...(distinct < events ? {minutes_to_simulate_all_events_at_this_rate: (events / distinct) * s / 60} : {})};
} else {
  results.simulate = made.simulate ?? {events: distinct, file_GB: statSync(run).size / 1e9, note: "made by an earlier run of this bench"};
}
if (!existsSync(store)) {
  const t0 = process.hrtime.bigint();
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 500);
  if (distinct < events) await writeCycledStore(run, store, events, progressLines("record store"));
  else await writeRecordStore(run, store, {sample: {rule: "all"}, onProgress: progressLines("record store")});
  clearInterval(timer);
  const s = seconds(t0);
  const bytes = statSync(store).size;
  results.write_store = {
    seconds: s, store_GB: bytes / 1e9, MB_per_s: bytes / 1e6 / s, peak_RSS_MiB: Math.max(peak, process.memoryUsage().rss) / 2 ** 20,
    ...(distinct < events ? {fast_path: `${events} events at their own offsets; event e holds the records of simulated event e mod ${distinct} (bench/records.ts --distinct)`} : {})
  };
} else {
  results.write_store = made.write_store ?? {store_GB: statSync(store).size / 1e9, note: "written by an earlier run of this bench"};
}
if (!made.simulate || !made.write_store) writeFileSync(madeFile, JSON.stringify({simulate: results.simulate, write_store: results.write_store, load_average_while_making: results.load_average_before}, null, 2) + "\n");

/**
 * A store of `events` events (all kept) whose event e holds the records of event e mod N of the
 * N-event run `h5Path`: the N blocks are encoded once, then written again and again in order.
 */
async function writeCycledStore(h5Path: string, outPath: string, events: number, onProgress: (done: number, total: number) => void): Promise<void> {
  const cait = await openCaitFile(h5Path);
  try {
    const {dataset} = cait;
    const n = dataset.groups.events!;
    const {head, header} = encodeRecordStoreHead({
      source: `${h5Path.split("/").pop()} (${n} events) cycled to ${events} events`,
      channels: dataset.channels.map((c) => c.name),
      unit: dataset.unit,
      recordLength: dataset.layout.recordLength,
      sampleFrequency_Hz: dataset.layout.sampleFrequency_Hz,
      triggerIndex: dataset.layout.triggerIndex,
      sample: {rule: "all"},
      groups: {events: {total: events, kept: Int32Array.from({length: events}, (_, i) => i)}}
    });
    const blocks = new Uint8Array(n * header.blockBytes);
    for (const chunk of cait.chunks("events", 64)) blocks.set(encodeChunkBlocks(chunk, () => true), chunk.start * header.blockBytes);
    // Written beside, renamed when whole: a bench killed halfway leaves no store that looks made.
    const tmp = `${outPath}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      const write = (bytes: Uint8Array, at: number) => {
        for (let w = 0; w < bytes.length; ) w += writeSync(fd, bytes, w, bytes.length - w, at + w);
        return at + bytes.length;
      };
      let at = write(head, 0);
      if (at !== header.groups.events!.blocksOffset) throw new Error(`${outPath}: blocks at byte ${at}, header says ${header.groups.events!.blocksOffset}`);
      for (let done = 0; done < events; ) {
        const k = Math.min(n - (done % n), events - done);
        at = write(blocks.subarray((done % n) * header.blockBytes, (done % n + k) * header.blockBytes), at);
        done += k;
        onProgress(done, events);
      }
      if (at !== header.bytes) throw new Error(`${outPath}: wrote ${at} bytes, header says ${header.bytes}`);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, outPath);
  } finally {
    cait.close();
  }
}

if (values.prepare) {
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}

// The page: bench/records-page.ts with Plot and the lib code, bundled.
const site = join(work, "site");
mkdirSync(site, {recursive: true});
await build({entryPoints: [join(ROOT, "bench", "records-page.ts")], bundle: true, format: "esm", outfile: join(site, "page.js"), logLevel: "error", minify: true});
writeFileSync(join(site, "index.html"), `<!doctype html><meta charset="utf-8"><title>records bench</title><div id="viewer"></div><script type="module" src="./page.js"></script>\n`);

const log: ServedRequest[] = [];
const server = await serveDist(site, {files: {"/records.bin": store}, log: (r) => log.push({...r})});
const browser = await launchBrowser({width: 1000, height: 600});
const page = browser.page;
try {
  // Count wasm memories the page makes: the record path should make none.
  await page.addInitScript(() => {
    const w = window as unknown as {wasmMemories: number};
    w.wasmMemories = 0;
    const Memory = WebAssembly.Memory;
    WebAssembly.Memory = function (this: unknown, d: WebAssembly.MemoryDescriptor) {
      w.wasmMemories++;
      return new Memory(d);
    } as unknown as typeof WebAssembly.Memory;
  });
  await page.goto(server.url);
  await page.waitForFunction(() => "bench" in window);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const heap = async () => {
    const {metrics} = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "JSHeapUsedSize")!.value;
  };
  const info = await page.evaluate((url) => (window as unknown as {bench: {open(u: string): Promise<unknown>}}).bench.open(url), `${server.url}records.bin`);
  await cdp.send("HeapProfiler.collectGarbage");
  const heapStart = await heap();
  const rng = new Rng(7);
  const picks = Array.from({length: steps}, () => Math.floor(rng.uniform() * events));
  const fetchMs: number[] = [];
  const totalMs: number[] = [];
  let peakHeap = heapStart;
  for (const [k, event] of picks.entries()) {
    const t = await page.evaluate((e) => (window as unknown as {bench: {show(e: number): Promise<{fetch_ms: number; total_ms: number}>}}).bench.show(e), event);
    fetchMs.push(t.fetch_ms);
    totalMs.push(t.total_ms);
    if (k % 10 === 0 || k === steps - 1) peakHeap = Math.max(peakHeap, await heap());
    if (k % 100 === 99) console.error(`stepped ${k + 1}/${steps}: median fetch+draw ${quantile(totalMs, 0.5).toFixed(1)} ms, JS heap ${(peakHeap / 2 ** 20).toFixed(1)} MiB peak`);
  }
  await cdp.send("HeapProfiler.collectGarbage");
  const heapEnd = await heap();
  const drawn = await page.locator("#viewer [data-event]").getAttribute("data-event");
  if (Number(drawn) !== picks.at(-1)) throw new Error(`the viewer shows event ${drawn}, expected ${picks.at(-1)}`);
  const wasmMemories = await page.evaluate(() => (window as unknown as {wasmMemories: number}).wasmMemories);
  if (browser.pageErrors.length) throw new Error(`page errors: ${browser.pageErrors.join("; ")}`);
  const storeReads = log.filter((r) => r.path === "/records.bin");
  const storeSize = statSync(store).size;
  results.browser = {
    store: info,
    steps,
    fetch_and_draw_ms_median: quantile(totalMs, 0.5),
    fetch_and_draw_ms_p90: quantile(totalMs, 0.9),
    fetch_ms_median: quantile(fetchMs, 0.5),
    target_ms: 300,
    js_heap_MiB_start: heapStart / 2 ** 20,
    js_heap_MiB_peak_while_stepping: peakHeap / 2 ** 20,
    js_heap_MiB_end_after_gc: heapEnd / 2 ** 20,
    wasm_memory_MiB: 0,
    wasm_memories_made: wasmMemories,
    peak_memory_MiB: peakHeap / 2 ** 20,
    target_MiB: 500,
    server: {
      store_requests: storeReads.length,
      partial_206: storeReads.filter((r) => r.status === 206).length,
      whole_file_200: storeReads.filter((r) => r.status === 200).length,
      largest_read_bytes: Math.max(...storeReads.map((r) => r.bytes)),
      store_bytes: storeSize
    }
  };
  if (wasmMemories) (results.browser as {wasm_memory_MiB: unknown}).wasm_memory_MiB = "not measured: the page made a WebAssembly.Memory";
} finally {
  await browser.close();
  await server.close();
}
if (values.remove) rmSync(work, {recursive: true, force: true});

const out = {machine: {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_GiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, browser: "Debian chromium, headless, --disable-gpu"}, ...results, load_average_after: loadavg()};
mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
writeFileSync(join(ROOT, "bench", "results", "records.json"), JSON.stringify(out, null, 2) + "\n");
console.log(JSON.stringify(out, null, 2));
