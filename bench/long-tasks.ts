// What the main thread does in its long tasks (> 50 ms) on a page of the built site while an
// input changes: a Chromium performance trace (devtools.timeline), each long task split into
// script, style, layout, paint and the rest by the trace events inside it.
//
//   npx tsx bench/long-tasks.ts [PAGE] [INPUT-LABEL VALUE]...
//   npx tsx bench/long-tasks.ts reports/anomaly-search "R (weight" 30 "R (weight" 10
//
// Uses dist/ as built (test/support/build.ts ensureBuilt), headless Chromium as the tests do.
import {serveDist} from "../scripts/serve-dist.mjs";
import {ensureBuilt} from "../test/support/build.js";
import {launchBrowser} from "../test/support/browser.js";
import {execSync} from "node:child_process";

const [path = "reports/anomaly-search", ...steps] = process.argv.slice(2);
const inputs: [string, number][] = [];
for (let i = 0; i + 1 < steps.length; i += 2) inputs.push([steps[i], Number(steps[i + 1])]);
if (!inputs.length) inputs.push(["R (weight", 30], ["R (weight", 10]);

type TraceEvent = {name: string; ph: string; ts: number; dur?: number; tid: number; pid: number; cat: string};
const KIND: {[name: string]: string} = {
  FunctionCall: "script", EvaluateScript: "script", "v8.compile": "script", TimerFire: "script", FireAnimationFrame: "script", EventDispatch: "script", RunMicrotasks: "script", "V8.GCScavenger": "gc", MajorGC: "gc", MinorGC: "gc",
  UpdateLayoutTree: "style", RecalculateStyles: "style", Layout: "layout", "LocalFrameView::layout": "layout", Paint: "paint", PaintImage: "paint", "PrePaint": "paint", RasterTask: "paint", Layerize: "paint", UpdateLayer: "paint", "Document::updateStyle": "style"
};

const {dist} = await ensureBuilt();
const server = await serveDist(dist);
const browser = await launchBrowser();
const {page} = browser;
try {
  await page.goto(new URL(path, server.url.endsWith("/") ? server.url : `${server.url}/`).href, {waitUntil: "load"});
  await page.waitForSelector("form", {timeout: 180_000});
  await page.waitForLoadState("networkidle", {timeout: 180_000});
  await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0 && document.querySelectorAll('.pulsebook-worker-status[data-state="busy"]').length === 0, null, {timeout: 180_000});
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on("Tracing.dataCollected", (e) => void events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send("Tracing.start", {categories: "devtools.timeline,disabled-by-default-devtools.timeline,v8", transferMode: "ReportEvents"});
  for (const [label, value] of inputs) {
    await page.evaluate(([label, value]) => {
      const form = Array.from(document.querySelectorAll("form")).find((f) => f.textContent?.includes(label as string))!;
      const input = form.querySelector<HTMLInputElement>("input[type=number]")!;
      input.value = String(value);
      input.dispatchEvent(new Event("input", {bubbles: true}));
    }, [label, value] as const);
    await page.waitForTimeout(300);
  }
  await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0 && document.querySelectorAll('.pulsebook-worker-status[data-state="busy"]').length === 0, null, {timeout: 180_000});
  await page.waitForTimeout(500);
  const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
  await cdp.send("Tracing.end");
  await done;
  // The page's main thread: the renderer thread that ran the most "Layout".
  const counts = new Map<string, number>();
  for (const e of events) if (e.name === "Layout") counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === "X" && e.dur !== undefined);
  const tasks = onMain.filter((e) => (e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask") && e.dur! > 50_000);
  console.log(`${path}, inputs ${inputs.map(([l, v]) => `${l}=${v}`).join(", ")}; load: ${execSync("uptime").toString().trim()}`);
  for (const t of tasks) {
    const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur! && KIND[e.name]);
    // Outermost events of a kind only (a Layout inside a FunctionCall counts as layout, taken out of script).
    const by = new Map<string, number>();
    for (const e of inside) {
      const parent = inside.find((o) => o !== e && o.ts <= e.ts && o.ts + o.dur! >= e.ts + e.dur! && KIND[o.name] === KIND[e.name]);
      if (parent) continue;
      by.set(KIND[e.name], (by.get(KIND[e.name]) ?? 0) + e.dur! / 1000);
    }
    const script = inside.filter((e) => e.name === "FunctionCall" || e.name === "EvaluateScript");
    const top = script.sort((a, b) => b.dur! - a.dur!).slice(0, 1).map((e) => JSON.stringify((e as unknown as {args?: {data?: {url?: string; functionName?: string; lineNumber?: number}}}).args?.data ?? {}));
    console.log(`long task ${(t.dur! / 1000).toFixed(0)} ms: ${[...by].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}  longest script: ${top.join(" ")}`);
  }
  if (!tasks.length) console.log("no long task");
} finally {
  await browser.close();
  await server.close();
}
