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
  let current = 0;
  let started = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastMs: number | undefined;
  let supersede: (() => void) | undefined;
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
    status.textContent = `computing ${name}… ${((performance.now() - started) / 1000).toFixed(1)} s (in a Web Worker; the page stays responsive)`;
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
      // Newest input wins: a run still going is stopped with its worker.
      if (status.dataset.state === "busy" && worker) {
        worker.terminate();
        worker = undefined;
      }
      supersede?.();
      worker ??= spawn();
      const w = worker, id = ++current;
      setBusy(true);
      return new Promise<T>((resolve, reject) => {
        supersede = () => reject(new SupersededRun(job));
        w.onmessage = ({data}: MessageEvent<Answer>) => {
          if (data.id !== current) return; // answer to a superseded run
          supersede = undefined;
          lastMs = data.ms;
          setBusy(false);
          if (data.error !== undefined) reject(new Error(data.error));
          else resolve(data.value as T);
        };
        w.postMessage({id, job, args});
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
      supersede?.();
      supersede = undefined;
      worker?.terminate();
      worker = undefined;
    }
  };
}
