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
/** Each reply to a chunk gives its sample buffer back (`samples`), for the next chunk's samples. */
export type FeatureReply =
  | {kind: "ready"}
  | {kind: "result"; id: number; columns: {[name: string]: Int32Array | Float64Array}; testpulseAmplitude?: Float64Array; samples?: ArrayBuffer}
  | (WorkerErrorReply & {id?: number; samples?: ArrayBuffer});

const port = parentPort!;
const {input, layout} = workerData as {input: string; layout: RecordLayout};
const fail = (e: unknown, id?: number, samples?: ArrayBuffer) => port.postMessage({...errorReply(e), id, samples} satisfies FeatureReply, samples ? [samples] : []);
port.postMessage({kind: "ready"} satisfies FeatureReply);

// Built when told (building may be asynchronous: the FFT's wasm); chunks wait for it, in order.
let kernel: Promise<RecordKernel> | undefined;

const send = (id: number, samples: ArrayBuffer, columns: {[name: string]: Int32Array | Float64Array}, tpa?: Float64Array) => {
  const transfer = [samples, ...Object.values(columns).map((a) => a.buffer as ArrayBuffer), ...(tpa ? [tpa.buffer as ArrayBuffer] : [])];
  port.postMessage({kind: "result", id, columns, testpulseAmplitude: tpa, samples} satisfies FeatureReply, transfer);
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
  const buffer = m.chunk.samples.buffer as ArrayBuffer;
  if (m.kernel) {
    const ready = kernel ?? Promise.reject(new Error("no kernel built"));
    ready.then((k) => send(m.id, buffer, k.columns(m.chunk))).catch((e) => fail(e, m.id, buffer));
    return;
  }
  try {
    const {rows: _rows, ...columns} = computeFeatures(m.chunk, layout);
    send(m.id, buffer, columns, m.chunk.testpulseAmplitude);
  } catch (e) {
    fail(e, m.id, buffer);
  }
});
