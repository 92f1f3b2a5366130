// Worker thread of the feature pool (featurePool.ts): opens the input itself, then reads the
// chunks of events it is sent and sends back their feature columns, or the columns of the
// per-record stage's kernel it was last told to build (OF amplitudes, SEV fits).
import {parentPort, workerData} from "node:worker_threads";
import {openCaitFile} from "./io/node.js";
import {computeFeatures} from "../lib/dsp/features.js";
import {errorReply, type WorkerErrorReply} from "./workerError.js";
import type {CaitFile} from "../lib/io/caitFile.js";
import type {RecordGroup, RecordLayout} from "../lib/types.js";
import type {KernelSpec, RecordKernel} from "../lib/pipeline/process/kernels.js";

export type FeatureRequest =
  | {kind: "chunk"; id: number; group: RecordGroup; start: number; count: number; kernel?: boolean}
  | {kind: "kernel"; spec: KernelSpec}
  | {kind: "close"};
export type FeatureReply =
  | {kind: "ready"}
  | {kind: "result"; id: number; columns: {[name: string]: Int32Array | Float64Array}; testpulseAmplitude?: Float64Array}
  | (WorkerErrorReply & {id?: number});

const port = parentPort!;
const {input, layout} = workerData as {input: string; layout: RecordLayout};
const fail = (e: unknown, id?: number): FeatureReply => ({...errorReply(e), id});

let file: CaitFile;
try {
  file = await openCaitFile(input);
  port.postMessage({kind: "ready"} satisfies FeatureReply);
} catch (e) {
  port.postMessage(fail(e));
  process.exit(1);
}

// Built when told (building may be asynchronous: the FFT's wasm); chunks wait for it, in order.
let kernel: Promise<RecordKernel> | undefined;

const send = (id: number, columns: {[name: string]: Int32Array | Float64Array}, tpa?: Float64Array) => {
  const transfer = [...Object.values(columns).map((a) => a.buffer as ArrayBuffer), ...(tpa ? [tpa.buffer as ArrayBuffer] : [])];
  port.postMessage({kind: "result", id, columns, testpulseAmplitude: tpa} satisfies FeatureReply, transfer);
};

port.on("message", (m: FeatureRequest) => {
  if (m.kind === "close") {
    file.close();
    port.close();
    return;
  }
  if (m.kind === "kernel") {
    const previous = kernel;
    kernel = (async () => {
      await previous?.then((k) => k.dispose(), () => {});
      // Imported when first asked for: a features-only pool's workers start 60 ms sooner without it.
      const {openKernel} = await import("../lib/pipeline/process/openKernel.js");
      return openKernel(m.spec, layout, file.dataset.channels.length, input);
    })();
    kernel.catch(() => {}); // said to each chunk that needs it
    return;
  }
  if (m.kernel) {
    const ready = kernel ?? Promise.reject(new Error("no kernel built"));
    // The kernel is done with the chunk before the next read: its samples may be a view of the
    // reused read buffer (no copy out of the HDF5 heap per chunk).
    ready.then((k) => send(m.id, k.columns(file.readChunk(m.group, m.start, m.count, true)))).catch((e) => port.postMessage(fail(e, m.id)));
    return;
  }
  try {
    const chunk = file.readChunk(m.group, m.start, m.count, true); // reduced before the next read
    const {rows: _rows, ...columns} = computeFeatures(chunk, layout);
    send(m.id, columns, chunk.testpulseAmplitude);
  } catch (e) {
    port.postMessage(fail(e, m.id));
  }
});
