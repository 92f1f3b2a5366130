// Anomaly-search benchmarks (part of `npm run bench`; alone: `npm run bench -- --only anomaly`):
//   1. 10⁴ background-only pseudo-experiments (both statistics) at 10 and 200 t·yr, in Node
//      and in headless Chromium (same code, bundled by esbuild), goal < 2 s;
//   2. classifier and VAE training and inference records/s per TensorFlow.js backend, in Node
//      (wasm, cpu) and in Chromium (wasm, cpu).
// Writes bench/results/anomaly.json. Figures depend on machine load: the development machine
// is shared, so treat them as indicative.
import {createServer} from "node:http";
import {readFileSync, writeFileSync, mkdirSync, rmSync} from "node:fs";
import {cpus, totalmem, tmpdir} from "node:os";
import {join, extname} from "node:path";
import {fileURLToPath} from "node:url";
import {createRequire} from "node:module";
import {scoreTemplates} from "../data-loaders/anomaly.js";
import {selectBackend, type BackendName} from "../lib/ml/nets/backend.js";
import type {AnomalyTemplates} from "../lib/stats/darwinSearch.js";
import {EXPOSURES, N_PSEUDO, PARAMS, timeMl, timePseudo} from "./anomaly-timing.js";
import {launchBrowser} from "../test/support/browser.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function browserRuns(templates: AnomalyTemplates) {
  // Bundle this file's browser entry with Framework's esbuild; serve it from 127.0.0.1.
  const require = createRequire(join(ROOT, "node_modules", "@observablehq", "framework", "package.json"));
  const {build} = require("esbuild");
  const dir = join(tmpdir(), `pulsebook-bench-${process.pid}`);
  mkdirSync(dir, {recursive: true});
  await build({entryPoints: [join(ROOT, "bench", "anomaly-browser.ts")], bundle: true, format: "esm", platform: "browser", outfile: join(dir, "bench.js"), logLevel: "error",
    define: {"process.env.NODE_ENV": '"production"'}});
  writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><script type="module" src="bench.js"></script>`);
  writeFileSync(join(dir, "templates.json"), JSON.stringify(templates));
  const wasmDir = join(ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.startsWith("/wasm/") ? join(wasmDir, path.slice(6)) : join(dir, path === "/" ? "index.html" : path.slice(1));
    try {
      const body = readFileSync(file);
      const type = {".js": "text/javascript", ".html": "text/html", ".json": "application/json", ".wasm": "application/wasm"}[extname(file)] ?? "application/octet-stream";
      res.writeHead(200, {"content-type": type}).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as {port: number}).port;
  const browser = await launchBrowser();
  try {
    await browser.page.goto(`http://127.0.0.1:${port}/`);
    const result = await browser.page.waitForFunction(() => (globalThis as {benchResult?: unknown}).benchResult, null, {timeout: 600_000, polling: 500});
    const value = await result.jsonValue();
    if (browser.pageErrors.length) throw new Error(`browser bench: ${browser.pageErrors.join("; ")}`);
    return {...(value as object), chromium: await browser.context.browser()?.version?.()};
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, {recursive: true, force: true});
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("bench/anomaly.ts")) {
  const machine = {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_GiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version};
  console.error("scoring templates (10,000 events per class)");
  await selectBackend(["wasm", "cpu"]);
  const templates = await scoreTemplates({events: 10000});
  const node = {pseudo: timePseudo(templates, EXPOSURES, N_PSEUDO), ml: [] as unknown[]};
  for (const b of ["wasm", "cpu"] as BackendName[]) {
    console.error(`Node ML on ${b}`);
    node.ml.push(await timeMl(b));
  }
  console.error("Chromium");
  const browser = await browserRuns(templates);
  const results = {date: new Date().toISOString(), machine, note: "shared 2-core machine: indicative figures", params: PARAMS, node, browser};
  mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
  const out = join(ROOT, "bench", "results", "anomaly.json");
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(JSON.stringify(results, null, 2));
  console.error(`wrote ${out}`);
}
