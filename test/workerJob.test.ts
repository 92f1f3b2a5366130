// src/components/worker.ts with a fake Worker: a dragged slider starts one run, not one per
// position; the page's jobs compute one at a time on two cores (one core left to the main
// thread); a newer input stops the run going and the next in line starts.
import {JSDOM} from "jsdom";
import {afterAll, beforeAll, describe, expect, it} from "vitest";

/** Workers made, messages posted and workers terminated, as the fake records them. */
const log = {made: 0, posted: [] as {job: string; args: unknown}[], terminated: 0, computing: 0, most: 0};

/** A worker answering each job after `ms` (its args' `ms`, 30 by default) with `args.value`. */
class FakeWorker {
  onmessage: ((e: {data: unknown}) => void) | null = null;
  onerror: unknown = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  constructor() {
    log.made++;
  }
  postMessage({id, job, args}: {id: number; job: string; args: {value: number; ms?: number}}) {
    log.posted.push({job, args});
    log.most = Math.max(log.most, ++log.computing);
    this.timer = setTimeout(() => {
      log.computing--;
      this.onmessage?.({data: {id, value: args.value, ms: args.ms ?? 30}});
    }, args.ms ?? 30);
  }
  terminate() {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      log.computing--;
      this.timer = undefined;
    }
    log.terminated++;
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
type WorkerModule = typeof import("../src/components/worker.js");
let mod: WorkerModule;
const g = globalThis as Record<string, unknown>;
const saved = {document: g.document, Worker: g.Worker, navigator: Object.getOwnPropertyDescriptor(globalThis, "navigator")};

beforeAll(async () => {
  g.document = new JSDOM("").window.document;
  g.Worker = FakeWorker;
  // Two cores, as on the CI machine: one compute slot (read when the module loads).
  Object.defineProperty(globalThis, "navigator", {value: {hardwareConcurrency: 2}, configurable: true});
  mod = await import("../src/components/worker.js");
});
afterAll(() => {
  g.document = saved.document;
  g.Worker = saved.Worker;
  if (saved.navigator) Object.defineProperty(globalThis, "navigator", saved.navigator);
  else delete g.navigator;
});

function reset() {
  Object.assign(log, {made: 0, posted: [], terminated: 0, computing: 0, most: 0});
}

describe("workerJob", () => {
  it("starts one run for a dragged slider: positions that do not rest SETTLE_MS never reach a worker", async () => {
    reset();
    const job = mod.workerJob("fake.js", "scan");
    const runs: Promise<unknown>[] = [];
    for (let i = 1; i <= 10; i++) {
      const run = job.run("scan", {value: i});
      run.catch(() => {}); // read below, once all have settled
      runs.push(run);
      await wait(mod.SETTLE_MS / 4);
    }
    const settled = await Promise.allSettled(runs);
    expect(settled.slice(0, 9).every((s) => s.status === "rejected" && (s.reason as Error).name === "SupersededRun")).toBe(true);
    expect(settled[9]).toEqual({status: "fulfilled", value: 10});
    expect(log.posted).toEqual([{job: "scan", args: {value: 10}}]);
    expect(log.made).toBe(1);
    expect(job.busy).toBe(false);
    job.terminate();
  });

  it("runs the page's jobs one at a time on two cores, the others waiting in line", async () => {
    reset();
    const jobs = ["score", "point", "rScan", "sensitivity"].map((n) => mod.workerJob("fake.js", n));
    const t0 = performance.now();
    const values = await Promise.all(jobs.map((j, i) => j.run("x", {value: i, ms: 40})));
    const ms = performance.now() - t0;
    expect(values).toEqual([0, 1, 2, 3]);
    expect(log.posted).toHaveLength(4);
    expect(log.most).toBe(1);
    // In line one after the other: four times 40 ms, not 40 ms side by side.
    expect(ms).toBeGreaterThanOrEqual(mod.SETTLE_MS + 4 * 40 - 5);
    // While one computes, the others say they wait for a core.
    const a = jobs[0].run("x", {value: 5, ms: 200}), b = jobs[1].run("x", {value: 6, ms: 10});
    await wait(mod.SETTLE_MS + 50);
    expect(jobs[0].status.textContent).toMatch(/^computing score… \d+\.\d s \(in a Web Worker/);
    expect(jobs[1].status.textContent).toMatch(/^computing point… \d+\.\d s \(waiting for a free core\)/);
    expect(await Promise.all([a, b])).toEqual([5, 6]);
    jobs.forEach((j) => j.terminate());
  });

  it("a newer input stops the run computing (its worker terminated) and frees its core for the next in line", async () => {
    reset();
    const slow = mod.workerJob("fake.js", "slow"), other = mod.workerJob("fake.js", "other");
    const first = slow.run("x", {value: 1, ms: 1000});
    const waiting = other.run("x", {value: 2, ms: 20});
    await wait(mod.SETTLE_MS + 30);
    expect(log.posted.map((p) => p.args)).toEqual([{value: 1, ms: 1000}]);
    const second = slow.run("x", {value: 3, ms: 20});
    // At once, not at the next tick of its clock: the newer run waits for its input to rest.
    expect(slow.status.textContent).toMatch(/\(waiting for a free core\)$/);
    await expect(first).rejects.toThrow(/replaced by a newer one/);
    expect(log.terminated).toBe(1);
    // The job in line gets the freed core at once; the newer input waits its settling time, then its turn.
    expect(await waiting).toBe(2);
    expect(await second).toBe(3);
    expect(log.most).toBe(1);
    slow.terminate();
    other.terminate();
  });
});
