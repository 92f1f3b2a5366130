// Web Workers that decode a feature table's numeric columns for the labeling page (the worker:
// src/workers/featureDecode.ts), as a NumericDecoder for lib/io/featureQuery.ts. Unlike
// workerJob (src/components/worker.ts: newest input wins), every request here is answered: the
// ranges of one read run side by side, one per worker. The workers are started, and compile
// parquet-wasm, as soon as the page creates them, before a table is chosen.

import type {NumericDecoder} from "../lib/io/featureQuery.js";

interface Pending {
  resolve(value: Record<string, Float64Array>): void;
  reject(error: Error): void;
}

export interface FeatureDecoders {
  /** How many workers (the decoder's `parallel`). */
  readonly size: number;
  /** A NumericDecoder reading `source` (URL or Blob; `name` for messages) in the workers. */
  decoder(source: string | Blob, name: string): NumericDecoder;
  terminate(): void;
}

/**
 * `count` workers on the script at `url`, each loading parquet-wasm from `wasm` (the page's URL of
 * parquet_wasm_bg.wasm). A worker that fails to load rejects its requests with its URL.
 */
export function featureDecoders(url: string, wasm: string, count: number): FeatureDecoders {
  let nextId = 0;
  const workers = Array.from({length: Math.max(1, Math.floor(count))}, () => {
    const pending = new Map<number, Pending>();
    const worker = new Worker(url);
    const failAll = (message: string) => {
      for (const p of pending.values()) p.reject(new Error(message));
      pending.clear();
    };
    worker.onmessage = ({data}: MessageEvent<{id: number; value?: Record<string, Float64Array>; error?: string}>) => {
      const p = pending.get(data.id);
      if (!p) return;
      pending.delete(data.id);
      if (data.error !== undefined) p.reject(new Error(data.error));
      else p.resolve(data.value!);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      failAll(`decode worker ${url}: ${e.message || "failed to load"}`);
    };
    const post = (job: string, args: unknown) =>
      new Promise<Record<string, Float64Array>>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, {resolve, reject});
        worker.postMessage({id, job, args});
      });
    // Compile parquet-wasm now; a failure shows on the first real request too.
    post("init", {wasm}).catch(() => {});
    return {worker, pending, post};
  });
  return {
    size: workers.length,
    decoder(source, name) {
      return {
        parallel: workers.length,
        numeric(names, rowGroups) {
          // The least busy worker takes the range.
          const w = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
          return w.post("numeric", {wasm, source, names: [...names], rowGroups: [...rowGroups], name});
        }
      };
    },
    terminate() {
      for (const w of workers) {
        w.worker.terminate();
        for (const p of w.pending.values()) p.reject(new Error("the decode workers were stopped"));
        w.pending.clear();
      }
    }
  };
}
