// Several cores: worker threads, each with its own backend and a copy of the model. Inference
// splits a batch of records into contiguous slices, one per worker; training uses the workers
// as gradient helpers for shares of each mini-batch (lib/ml/nets/train.ts).
//
// A worker that dies after start-up (uncaught error, out of memory, exit) breaks the pool: its
// pending jobs reject with a WorkerDiedError naming the worker, its exit code and the job, and
// every later job fails fast with the same error. No respawn: a worker that died once (most
// often out of memory) would likely die again, and a half-done training step cannot be replayed.
import {Worker} from "node:worker_threads";
import {availableParallelism} from "node:os";
import type {BackendName} from "../lib/ml/nets/backend.js";
import type {ModelManifest} from "../lib/ml/nets/classifierFile.js";
import {MODEL_SAMPLES} from "../lib/ml/data/preprocess.js";
import type {GradientHelper} from "../lib/ml/nets/train.js";
import type {ClassWeights} from "../lib/ml/nets/loss.js";

const ENTRY = new URL("./ml-worker.mjs", import.meta.url);

type Reply =
  | {kind: "ready"; backend: BackendName}
  | {kind: "result"; id: number; prob: Float32Array}
  | {kind: "grads"; id: number; loss: number; pred: Float32Array; grads: Float32Array[]}
  | {kind: "error"; id?: number; message: string};

/** A pool worker stopped while the pool was in use; the message says which, how and during what. */
export class WorkerDiedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkerDiedError";
  }
}

interface Job {
  worker: number;
  /** What the worker was asked to do, for the error message. */
  task: string;
  resolve: (p: never) => void;
  reject: (e: Error) => void;
}

export class InferencePool {
  private pending = new Map<number, Job>();
  private nextId = 0;
  /** Set once a worker has died (or the pool was closed): every later job rejects with it. */
  private broken: Error | null = null;
  private constructor(private workers: Worker[], readonly backend: BackendName) {}

  static async create(manifest: ModelManifest, weights: Uint8Array, opts: {workers?: number; backend?: BackendName[]} = {}): Promise<InferencePool> {
    const n = opts.workers ?? Math.min(2, availableParallelism());
    const workers = Array.from({length: n}, () => new Worker(ENTRY));
    let backends: BackendName[];
    try {
      backends = await Promise.all(workers.map((w, k) => new Promise<BackendName>((resolve, reject) => {
        const onMessage = (m: Reply) => {
          w.off("message", onMessage);
          if (m.kind === "ready") resolve(m.backend);
          else reject(new Error(m.kind === "error" ? m.message : "unexpected reply"));
        };
        w.on("message", onMessage);
        w.once("error", reject);
        w.once("exit", (code) => reject(new WorkerDiedError(`model worker ${k + 1} of ${n} exited with code ${code} while loading the model`)));
        w.postMessage({kind: "init", manifest, weights, backend: opts.backend ?? ["wasm", "cpu"]});
      })));
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    const pool = new InferencePool(workers, backends[0]);
    for (const [k, w] of workers.entries()) {
      w.removeAllListeners("error");
      w.removeAllListeners("exit");
      w.on("message", (m: Reply) => {
        if (m.kind === "ready") return;
        const p = pool.pending.get(m.id!);
        if (!p) return;
        pool.pending.delete(m.id!);
        if (m.kind === "result") p.resolve(m.prob as never);
        else if (m.kind === "grads") p.resolve(m as never);
        else p.reject(new Error(m.message));
      });
      // An uncaught error in the worker comes before its exit: keep it for the message.
      let cause = "";
      w.on("error", (e) => { cause = `: ${e.message}`; });
      w.on("exit", (code) => pool.workerExited(k, code, cause));
    }
    return pool;
  }

  private workerExited(k: number, code: number, cause: string): void {
    if (this.broken) return; // closing, or another worker died first (its error stands)
    const who = `model worker ${k + 1} of ${this.workers.length}`;
    const how = `exited with code ${code}${cause}`;
    this.broken = new WorkerDiedError(`${who} ${how}; the worker pool is unusable (try fewer --threads, or none)`);
    for (const [id, job] of this.pending) {
      if (job.worker !== k) continue;
      this.pending.delete(id);
      job.reject(new WorkerDiedError(`${who} ${how} while ${job.task}`));
    }
  }

  /** Sends one job to worker k; rejects at once if the pool is broken. */
  private submit<T>(k: number, task: string, message: {[key: string]: unknown}, transfer: ArrayBuffer[]): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {worker: k, task, resolve: resolve as (p: never) => void, reject});
      this.workers[k].postMessage({...message, id}, transfer);
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Probabilities for n × samples preprocessed records. */
  async predict(x: Float32Array, samples = MODEL_SAMPLES): Promise<Float32Array> {
    const n = x.length / samples;
    const per = Math.ceil(n / this.workers.length);
    const parts = this.workers.map((_, k) => {
      const lo = Math.min(n, k * per), hi = Math.min(n, lo + per);
      if (hi <= lo) return Promise.resolve(new Float32Array(0));
      const slice = x.slice(lo * samples, hi * samples);
      return this.submit<Float32Array>(k, `predicting records ${lo}–${hi - 1} of a batch of ${n}`, {kind: "predict", x: slice, samples}, [slice.buffer]);
    });
    const out = new Float32Array(n);
    let at = 0;
    for (const p of await Promise.all(parts)) { out.set(p, at); at += p.length; }
    return out;
  }

  /**
   * The pool's workers as training helpers (GradientHelper): each computes the gradients of
   * its share of every mini-batch on its copy of the model, given the current weights.
   */
  gradientHelpers(): GradientHelper[] {
    return this.workers.map((_, k) => ({
      gradients: (weights: Float32Array[], x: Float32Array, y: Float32Array, cw: ClassWeights) =>
        this.submit(k, `computing gradients for ${y.length} records of a training mini-batch`,
          {kind: "grads", weights, x, y, samples: x.length / y.length, w: cw}, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer])
    }));
  }

  async close(): Promise<void> {
    this.broken ??= new Error("worker pool closed");
    for (const job of this.pending.values()) job.reject(this.broken);
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
