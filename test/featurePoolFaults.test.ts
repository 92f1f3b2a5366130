// The feature pool (features --threads, and process's per-record kernels, which share it) with a
// worker that dies mid-job — stopped from outside, as the OS would on out of memory: the job
// fails at once with a message naming the worker, its exit code and the events it was reading;
// later jobs fail without waiting; a pass over the file fails instead of hanging.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {Worker} from "node:worker_threads";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {writeSimulation} from "../data-loaders/simulate.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import {featureChunks, FeaturePool} from "../data-loaders/featurePool.js";
import {WorkerDiedError} from "../data-loaders/mlPool.js";
import type {RecordLayout} from "../lib/types.js";

let dir: string, h5: string, layout: RecordLayout;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-featurepool-"));
  h5 = join(dir, "run.h5");
  await writeSimulation(h5, {events: 400, seed: 4});
  const f = await openCaitFile(h5);
  layout = f.dataset.layout;
  f.close();
}, 120_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Stops worker k the way a crash would: the pool only sees it exit. */
const kill = (pool: FeaturePool, k: number) => (pool as unknown as {workers: Worker[]}).workers[k].terminate();

describe.each(["main", "workers"] as const)("feature pool with a dead worker (chunks read by %s)", (readers) => {
  it("rejects the dead worker's chunk naming it and the events, and fails later jobs at once", {timeout: 60_000}, async () => {
    const pool = await FeaturePool.start(h5, 2, layout, readers);
    try {
      // Least busy first: worker 1 gets the first chunk, worker 2 the second.
      const a = pool.run("events", 0, 200);
      const b = pool.run("events", 200, 200);
      a.catch(() => {});
      const killedAt = performance.now();
      void kill(pool, 1);
      const err = await b.catch((e) => e);
      expect(performance.now() - killedAt).toBeLessThan(5000);
      expect(err).toBeInstanceOf(WorkerDiedError);
      expect(err.message).toBe("feature worker 2 of 2 exited with code 1 while reading events events [200, 400)");
      // The other worker's chunk is either done or rejected with the pool's state; never left pending.
      const other = await a.then((c) => `done ${c.count}`, (e: Error) => e.message);
      expect(other).toMatch(/^(done 200|feature worker 2 of 2 exited with code 1; the worker pool is unusable \(try fewer --threads\))$/);
      const t0 = performance.now();
      await expect(pool.run("events", 0, 10)).rejects.toThrow(/^feature worker 2 of 2 exited with code 1; the worker pool is unusable/);
      expect(performance.now() - t0).toBeLessThan(1000); // no waiting (a job takes seconds under load)
    } finally {
      await pool.close();
    }
  });

  it("a pass over the file on a pool whose worker dies fails with the worker's message instead of hanging", {timeout: 60_000}, async () => {
    const file = await openCaitFile(h5);
    const pool = await FeaturePool.start(h5, 2, layout, readers);
    try {
      let chunks = 0;
      const pass = (async () => {
        for await (const _ of featureChunks(h5, file, "events", 16, async () => pool)) {
          if (++chunks === 2) void kill(pool, 0);
        }
      })();
      await expect(pass).rejects.toThrow(/^feature worker 1 of 2 exited with code 1/);
      expect(chunks).toBeGreaterThanOrEqual(2);
      expect(chunks).toBeLessThan(25);
    } finally {
      await pool.close();
      file.close();
    }
  });
});
