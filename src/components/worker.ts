// Heavy page work in a Web Worker, for Framework pages. One `workerJob` per figure (or group of
// figures fed by one computation): `run(job, args)` posts the job and returns a promise of its
// value; the newest input wins — a run still going when a new one is posted is stopped by
// terminating its worker (the lib/ code is synchronous, so nothing short of that stops it), and
// its promise rejects with a `SupersededRun` error. It must settle: Framework's runtime waits
// for a cell's previous computation before starting the next, and ignores the rejection of a
// computation that a newer input has replaced. While a
// run is going, `status` reads "computing… 2.3 s" and the figures passed to `track` are greyed;
// the previous figure stays on the page until the new one replaces it.
//
// The page's jobs share a few cores: at most hardwareConcurrency − 1 runs compute at once (one on
// two cores), the rest wait in line, so the main thread keeps a core to draw on. On a 2-core
// machine four scans computing beside it stretched its 20 ms tasks into 300 ms long tasks
// (bench/long-tasks.ts, CPU against wall time). A run starts only after its input has been still
// for SETTLE_MS: a dragged slider does not start (and kill) a worker at every position.
//
// The worker script is a self-contained bundle made by a data loader (data-loaders/workerBundle.ts,
// e.g. src/data/anomaly-worker.js.ts): pass its URL, `FileAttachment("…/x-worker.js").href`.
// It lives here, beside the pages, not in lib/: it is DOM and page plumbing, no science.

interface Answer {
  id: number;
  value?: unknown;
  error?: string;
  ms?: number;
}

export interface WorkerJob {
  /** Runs `job` with `args` in the worker; the newest call wins, older ones reject with SupersededRun. */
  run<T>(job: string, args?: unknown): Promise<T>;
  /** Greys `figure` while a run is going; returns it (for `display(job.track(Plot.plot(…)))`). */
  track<E extends Element>(figure: E): E;
  /** A line telling whether a run is going ("computing… 2.3 s") or how long the last one took. */
  readonly status: HTMLElement;
  /** Whether a run is going. */
  readonly busy: boolean;
  /** Milliseconds the last finished run took inside the worker. */
  readonly lastMs: number | undefined;
  /** Stops the worker (Framework's `invalidation` of the defining cell). */
  terminate(): void;
}

const GREYED = "0.35";
/** How long an input must rest before its run starts (a slider drag sends an input every frame). */
export const SETTLE_MS = 120;

/** The compute slots of the page, shared by all its jobs: a run waits in line for one. */
const slots = {
  free: Math.max(1, (globalThis.navigator?.hardwareConcurrency || 2) - 1),
  line: [] as (() => void)[],
  take(start: () => void): () => void {
    let started = false, released = false;
    const go = () => {
      started = true;
      this.free--;
      start();
    };
    if (this.free > 0) go();
    else this.line.push(go);
    // The release: frees the slot of a run that started, or leaves the line.
    return () => {
      if (released) return;
      released = true;
      if (!started) {
        const i = this.line.indexOf(go);
        if (i >= 0) this.line.splice(i, 1);
        return;
      }
      this.free++;
      const next = this.line.shift();
      if (next) next();
    };
  }
};

/** The rejection of a run replaced by a newer one (or stopped by `terminate`). */
export class SupersededRun extends Error {
  constructor(job: string) {
    super(`the run of "${job}" was replaced by a newer one`);
    this.name = "SupersededRun";
  }
}

/** A worker-backed job runner on the worker script at `url`; `name` says what it computes, for the status line. */
export function workerJob(url: string, name = "result"): WorkerJob {
  let worker: Worker | undefined;
  let computing = false;
  let current = 0;
  let started = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastMs: number | undefined;
  let supersede: (() => void) | undefined;
  // The slot of the run going (or its place in line), and the timer of a run settling.
  let release: (() => void) | undefined;
  let settle: ReturnType<typeof setTimeout> | undefined;
  const figures = new Set<WeakRef<Element>>();
  const status = document.createElement("div");
  status.className = "pulsebook-worker-status";
  status.setAttribute("role", "status");
  // Contained, so that its ticking text never re-lays out the page around it.
  status.style.cssText = "font: 13px var(--sans-serif); height: 1.4em; overflow: hidden; contain: strict; color: var(--theme-foreground-muted);";
  status.dataset.state = "idle";

  const shade = (on: boolean) => {
    for (const ref of figures) {
      const el = ref.deref() as HTMLElement | SVGElement | undefined;
      if (!el || !el.isConnected) {
        if (!el) figures.delete(ref);
        continue;
      }
      el.style.opacity = on ? GREYED : "";
      el.setAttribute("aria-busy", String(on));
    }
  };
  const tick = () => {
    const where = computing ? "in a Web Worker; the page stays responsive" : "waiting for a free core";
    status.textContent = `computing ${name}… ${((performance.now() - started) / 1000).toFixed(1)} s (${where})`;
  };
  const setBusy = (on: boolean) => {
    status.dataset.state = on ? "busy" : "idle";
    clearInterval(timer);
    timer = undefined;
    if (on) {
      started = performance.now();
      tick();
      timer = setInterval(tick, 500);
    } else status.textContent = lastMs === undefined ? "" : `${name} computed in ${(lastMs / 1000).toFixed(2)} s in a Web Worker`;
    shade(on);
  };
  const spawn = () => {
    const w = new Worker(url);
    w.onerror = (e) => {
      e.preventDefault();
      if (w === worker) w.dispatchEvent(new MessageEvent("message", {data: {id: current, error: `worker ${url}: ${e.message || "failed to load"}`}}));
    };
    return w;
  };

  return {
    run<T>(job: string, args?: unknown): Promise<T> {
      // Newest input wins: a run still going is stopped with its worker; one settling or in line never starts.
      clearTimeout(settle);
      if (computing && worker) {
        worker.terminate();
        worker = undefined;
      }
      computing = false;
      release?.();
      release = undefined;
      supersede?.();
      const id = ++current;
      // Busy already (a newer input): the line says at once that this run waits, not that one computes.
      if (status.dataset.state !== "busy") setBusy(true);
      else tick();
      return new Promise<T>((resolve, reject) => {
        supersede = () => reject(new SupersededRun(job));
        const start = () => {
          computing = true;
          tick();
          worker ??= spawn();
          const w = worker;
          w.onmessage = ({data}: MessageEvent<Answer>) => {
            if (data.id !== current) return; // answer to a superseded run
            supersede = undefined;
            computing = false;
            release?.();
            release = undefined;
            lastMs = data.ms;
            setBusy(false);
            if (data.error !== undefined) reject(new Error(data.error));
            else resolve(data.value as T);
          };
          w.postMessage({id, job, args});
        };
        settle = setTimeout(() => (release = slots.take(start)), SETTLE_MS);
      });
    },
    track<E extends Element>(figure: E): E {
      figures.add(new WeakRef(figure));
      return figure;
    },
    status,
    get busy() {
      return status.dataset.state === "busy";
    },
    get lastMs() {
      return lastMs;
    },
    terminate() {
      clearInterval(timer);
      clearTimeout(settle);
      computing = false;
      release?.();
      release = undefined;
      supersede?.();
      supersede = undefined;
      worker?.terminate();
      worker = undefined;
    }
  };
}
