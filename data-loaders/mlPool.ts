// Several cores: worker threads, each with its own backend and a copy of the model. Inference
// splits a batch of records into contiguous slices, one per worker; training uses the workers
// as gradient helpers for shares of each mini-batch (lib/ml/nets/train.ts).
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

export class InferencePool {
  private pending = new Map<number, {resolve: (p: never) => void; reject: (e: Error) => void}>();
  private nextId = 0;
  private constructor(private workers: Worker[], readonly backend: BackendName) {}

  static async create(manifest: ModelManifest, weights: Uint8Array, opts: {workers?: number; backend?: BackendName[]} = {}): Promise<InferencePool> {
    const n = opts.workers ?? Math.min(2, availableParallelism());
    const workers = Array.from({length: n}, () => new Worker(ENTRY));
    const backends = await Promise.all(workers.map((w) => new Promise<BackendName>((resolve, reject) => {
      const onMessage = (m: Reply) => {
        w.off("message", onMessage);
        if (m.kind === "ready") resolve(m.backend);
        else reject(new Error(m.kind === "error" ? m.message : "unexpected reply"));
      };
      w.on("message", onMessage);
      w.once("error", reject);
      w.postMessage({kind: "init", manifest, weights, backend: opts.backend ?? ["wasm", "cpu"]});
    })));
    const pool = new InferencePool(workers, backends[0]);
    for (const w of workers) {
      w.on("message", (m: Reply) => {
        if (m.kind === "ready") return;
        const p = pool.pending.get(m.id!);
        if (!p) return;
        pool.pending.delete(m.id!);
        if (m.kind === "result") p.resolve(m.prob as never);
        else if (m.kind === "grads") p.resolve(m as never);
        else p.reject(new Error(m.message));
      });
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Probabilities for n × samples preprocessed records. */
  async predict(x: Float32Array, samples = MODEL_SAMPLES): Promise<Float32Array> {
    const n = x.length / samples;
    const per = Math.ceil(n / this.workers.length);
    const parts = this.workers.map((w, k) => {
      const lo = Math.min(n, k * per), hi = Math.min(n, lo + per);
      if (hi <= lo) return Promise.resolve(new Float32Array(0));
      const id = this.nextId++;
      const slice = x.slice(lo * samples, hi * samples);
      return new Promise<Float32Array>((resolve, reject) => {
        this.pending.set(id, {resolve: resolve as (p: never) => void, reject});
        w.postMessage({kind: "predict", id, x: slice, samples}, [slice.buffer]);
      });
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
    return this.workers.map((w) => ({
      gradients: (weights: Float32Array[], x: Float32Array, y: Float32Array, cw: ClassWeights) => {
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
          this.pending.set(id, {resolve: resolve as (p: never) => void, reject});
          w.postMessage({kind: "grads", id, weights, x, y, samples: x.length / y.length, w: cw}, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer]);
        });
      }
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
