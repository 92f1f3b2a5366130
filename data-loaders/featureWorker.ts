// Worker thread of the feature pool (featurePool.ts): gets chunks of events read by the calling
// thread and sends back their feature columns, or the columns of the per-record stage's kernel
// it was last told to build (OF amplitudes, SEV fits). It loads no HDF5 (featurePool.ts says why).
import {parentPort, workerData} from "node:worker_threads";
import {computeFeatures} from "../lib/dsp/features.js";
import {errorReply, type WorkerErrorReply} from "./workerError.js";
import type {EventChunk, RecordLayout} from "../lib/types.js";
import type {KernelSpec, RecordKernel} from "../lib/pipeline/process/kernels.js";

export type FeatureRequest =
  | {kind: "chunk"; id: number; chunk: EventChunk; kernel?: boolean}
  | {kind: "kernel"; spec: KernelSpec; nChannels: number}
  | {kind: "close"};
/** A chunk's samples are in shared memory the calling thread reuses once the reply to it has come. */
export type FeatureReply =
  | {kind: "ready"}
  | {kind: "result"; id: number; columns: {[name: string]: Int32Array | Float64Array}; testpulseAmplitude?: Float64Array}
  | (WorkerErrorReply & {id?: number});

const port = parentPort!;
const {input, layout} = workerData as {input: string; layout: RecordLayout};
const fail = (e: unknown, id?: number) => port.postMessage({...errorReply(e), id} satisfies FeatureReply);
port.postMessage({kind: "ready"} satisfies FeatureReply);

// Built when told (building may be asynchronous: the FFT's wasm); chunks wait for it, in order.
let kernel: Promise<RecordKernel> | undefined;

const send = (id: number, columns: {[name: string]: Int32Array | Float64Array}, tpa?: Float64Array) => {
  const transfer = [...Object.values(columns).map((a) => a.buffer as ArrayBuffer), ...(tpa ? [tpa.buffer as ArrayBuffer] : [])];
  port.postMessage({kind: "result", id, columns, testpulseAmplitude: tpa} satisfies FeatureReply, transfer);
};

port.on("message", (m: FeatureRequest) => {
  if (m.kind === "close") {
    port.close();
    return;
  }
  if (m.kind === "kernel") {
    const previous = kernel;
    kernel = (async () => {
      await previous?.then((k) => k.dispose(), () => {});
      // Imported when first asked for: a features-only pool's workers start 60 ms sooner without it.
      const {openKernel} = await import("../lib/pipeline/process/openKernel.js");
      return openKernel(m.spec, layout, m.nChannels, input);
    })();
    kernel.catch(() => {}); // said to each chunk that needs it
    return;
  }
  if (m.kernel) {
    const ready = kernel ?? Promise.reject(new Error("no kernel built"));
    ready.then((k) => send(m.id, k.columns(m.chunk))).catch((e) => fail(e, m.id));
    return;
  }
  try {
    const {rows: _rows, ...columns} = computeFeatures(m.chunk, layout);
    send(m.id, columns, m.chunk.testpulseAmplitude);
  } catch (e) {
    fail(e, m.id);
  }
});
