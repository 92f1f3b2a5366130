// The main thread's tasks of a page in headless Chromium, from a performance trace
// (devtools.timeline): each task's wall time, its CPU time, and the wall time of the script,
// style, layout and paint inside it. Used by bench/long-tasks.ts and the anomaly page's test.
//
// Wall time is what the Long Tasks API reports; on a loaded machine a task of 20 ms CPU can take
// 300 ms of wall time while its thread waits for a core. CPU time is what the page asks of the
// main thread, whatever else runs.

import type {Page} from "playwright-core";

type TraceEvent = {name: string; ph: string; ts: number; dur?: number; tdur?: number; tid: number; pid: number; cat: string; args?: {data?: {url?: string; functionName?: string; lineNumber?: number}}};

export interface MainThreadTask {
  /** Wall time (ms). */
  wall: number;
  /** CPU time of the main thread (ms). */
  cpu: number;
  /** Wall time (ms) of the outermost events of each kind inside the task. */
  kinds: Map<string, number>;
  /** The task's longest script call: "url:line function". */
  script?: string;
}

const KIND: {[name: string]: string} = {
  FunctionCall: "script", EvaluateScript: "script", "v8.compile": "script", TimerFire: "script", FireAnimationFrame: "script", EventDispatch: "script", RunMicrotasks: "script", "V8.GCScavenger": "gc", MajorGC: "gc", MinorGC: "gc",
  UpdateLayoutTree: "style", RecalculateStyles: "style", Layout: "layout", "LocalFrameView::layout": "layout", Paint: "paint", PaintImage: "paint", PrePaint: "paint", RasterTask: "paint", Layerize: "paint", UpdateLayer: "paint", "Document::updateStyle": "style"
};

/** Starts tracing `page`; `stop()` ends it and returns the page's main-thread tasks, oldest first. */
export async function traceMainThread(page: Page): Promise<{stop(options?: {saveTo?: string}): Promise<MainThreadTask[]>}> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on("Tracing.dataCollected", (e) => void events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send("Tracing.start", {categories: "devtools.timeline,disabled-by-default-devtools.timeline,v8", transferMode: "ReportEvents"});
  return {
    async stop(options = {}) {
      const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
      await cdp.send("Tracing.end");
      await done;
      await cdp.detach();
      if (options.saveTo) (await import("node:fs")).writeFileSync(options.saveTo, JSON.stringify({traceEvents: events}));
      // The page's main thread: the renderer thread that ran the most "Layout".
      const counts = new Map<string, number>();
      for (const e of events) if (e.name === "Layout") counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
      const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
      const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === "X" && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
      // Outermost tasks (a task may run a nested one).
      let until = -Infinity;
      const tasks = onMain.filter((e) => {
        if (!(e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask") || e.ts < until) return false;
        until = e.ts + e.dur!;
        return true;
      });
      return tasks.map((t) => {
        const end = t.ts + t.dur!;
        const inside = t.dur! > 50_000 ? onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= end && KIND[e.name]) : [];
        // Outermost events of a kind only (a Layout inside a FunctionCall counts as layout, taken out of script).
        const kinds = new Map<string, number>();
        for (const e of inside) {
          if (inside.some((o) => o !== e && o.ts <= e.ts && o.ts + o.dur! >= e.ts + e.dur! && KIND[o.name] === KIND[e.name])) continue;
          kinds.set(KIND[e.name], (kinds.get(KIND[e.name]) ?? 0) + e.dur! / 1000);
        }
        const top = inside.filter((e) => e.name === "FunctionCall" || e.name === "EvaluateScript").sort((a, b) => b.dur! - a.dur!)[0]?.args?.data;
        return {wall: t.dur! / 1000, cpu: (t.tdur ?? 0) / 1000, kinds, script: top ? `${top.url?.split("/").pop() ?? ""}:${top.lineNumber ?? ""} ${top.functionName ?? ""}`.trim() : undefined};
      });
    }
  };
}
