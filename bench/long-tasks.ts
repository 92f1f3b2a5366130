// What the main thread does in its long tasks (> 50 ms) on a page of the built site while an
// input changes: a Chromium performance trace (test/support/longTasks.ts), each long task split
// into script, style, layout, paint and the rest, with its wall time (what the Long Tasks API
// reports) and its CPU time (what the page asked of the thread; on a loaded machine the thread
// also waits for a core).
//
//   npx tsx bench/long-tasks.ts [PAGE] [INPUT-LABEL VALUE]... [--drag INPUT-LABEL FROM TO]
//   npx tsx bench/long-tasks.ts reports/anomaly-search "R (weight" 30 "R (weight" 10
//   npx tsx bench/long-tasks.ts reports/anomaly-search --drag "R (weight" 100 10
//
// A value typed sets the number box; --drag moves the range slider from FROM to TO through ten
// positions, one every 40 ms, as a hand dragging it does. Without inputs: R typed twice, then
// dragged. LONG_TASKS_TRACE=file.json keeps the trace (Chromium's performance panel opens it).
// Uses dist/ as built (test/support/build.ts ensureBuilt), headless Chromium as the tests do.
// Run it at normal priority (not under nice): a niced browser measures the machine's load.
import {serveDist} from "../scripts/serve-dist.mjs";
import {ensureBuilt} from "../test/support/build.js";
import {launchBrowser} from "../test/support/browser.js";
import {traceMainThread} from "../test/support/longTasks.js";
import {execSync} from "node:child_process";

const [path = "reports/anomaly-search", ...steps] = process.argv.slice(2);
type Step = {label: string; values: number[]; slider: boolean};
const inputs: Step[] = [];
for (let i = 0; i < steps.length; ) {
  if (steps[i] === "--drag") {
    const [label, from, to] = [steps[i + 1], Number(steps[i + 2]), Number(steps[i + 3])];
    inputs.push({label, values: Array.from({length: 10}, (_, k) => Math.round(from + ((to - from) * (k + 1)) / 10)), slider: true});
    i += 4;
  } else {
    inputs.push({label: steps[i], values: [Number(steps[i + 1])], slider: false});
    i += 2;
  }
}
if (!inputs.length) inputs.push({label: "R (weight", values: [30], slider: false}, {label: "R (weight", values: [10], slider: false}, {label: "R (weight", values: Array.from({length: 10}, (_, k) => 10 + 10 * (k + 1)), slider: true});

const idle = () => document.querySelectorAll("observablehq-loading").length === 0 && document.querySelectorAll('.pulsebook-worker-status[data-state="busy"]').length === 0;
const {dist} = await ensureBuilt();
const server = await serveDist(dist);
const browser = await launchBrowser();
const {page} = browser;
try {
  await page.goto(new URL(path, server.url.endsWith("/") ? server.url : `${server.url}/`).href, {waitUntil: "load"});
  await page.waitForSelector("form", {timeout: 180_000});
  await page.waitForLoadState("networkidle", {timeout: 180_000});
  await page.waitForFunction(idle, null, {timeout: 180_000});
  const trace = await traceMainThread(page);
  for (const {label, values, slider} of inputs) {
    for (const value of values) {
      await page.evaluate(([label, value, slider]) => {
        const form = Array.from(document.querySelectorAll("form")).find((f) => f.textContent?.includes(label as string))!;
        const input = form.querySelector<HTMLInputElement>(slider ? "input[type=range]" : "input[type=number]")!;
        input.value = String(value);
        input.dispatchEvent(new Event("input", {bubbles: true}));
      }, [label, value, slider] as const);
      await page.waitForTimeout(slider ? 40 : 300);
    }
    await page.waitForTimeout(300);
  }
  await page.waitForFunction(idle, null, {timeout: 180_000});
  await page.waitForTimeout(500);
  const tasks = await trace.stop({saveTo: process.env.LONG_TASKS_TRACE});
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  console.log(`${path}, inputs ${inputs.map(({label, values, slider}) => `${label}${slider ? " slider" : ""}=${values.join("→")}`).join(", ")}; ${cores} cores; load: ${execSync("uptime").toString().trim()}`);
  const long = tasks.filter((t) => t.wall > 50);
  const total = new Map<string, number>();
  for (const t of long) {
    for (const [k, v] of t.kinds) total.set(k, (total.get(k) ?? 0) + v);
    console.log(`long task ${t.wall.toFixed(0)} ms (CPU ${t.cpu.toFixed(0)} ms): ${[...t.kinds].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}${t.script ? `  longest script: ${t.script}` : ""}`);
  }
  if (!long.length) console.log("no long task");
  else console.log(`longest ${Math.max(...long.map((t) => t.wall)).toFixed(0)} ms; ${long.length} long tasks, ${long.reduce((s, t) => s + t.wall, 0).toFixed(0)} ms in all: ${[...total].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`);
  // The main thread's CPU per task, long or not: what the page asks of it, whatever the load.
  console.log(`main thread: ${tasks.length} tasks, CPU ${tasks.reduce((s, t) => s + t.cpu, 0).toFixed(0)} ms in all, the most in one task ${Math.max(0, ...tasks.map((t) => t.cpu)).toFixed(1)} ms; wall ${tasks.reduce((s, t) => s + t.wall, 0).toFixed(0)} ms`);
} finally {
  await browser.close();
  await server.close();
}
