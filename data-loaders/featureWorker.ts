// Worker thread of the feature pool (featurePool.ts): sends back the feature columns of chunks of
// events, or the columns of the per-record stage's kernel it was last told to build (OF
// amplitudes, SEV fits), or (a reading worker) the NPS stage's spectra of the records picked.
// The chunks are read by the calling thread and given in shared memory ("chunk"), or, in a pool
// whose workers read (featurePool.ts says when), read here from the worker's own handle on the
// input ("read"); only such a worker loads HDF5.
import {parentPort, workerData} from "node:worker_threads";
import {computeFeatures} from "../lib/dsp/features.js";
import {errorReply, type WorkerErrorReply} from "./workerError.js";
import {sharePffftHeap} from "./io/pffftNode.js";
import type {CaitFile} from "../lib/io/caitFile.js";
import type {EventChunk, RecordGroup, RecordLayout} from "../lib/types.js";
import type {KernelSpec, RecordKernel} from "../lib/pipeline/process/kernels.js";
import type {NoiseSpectrum} from "../lib/dsp/nps.js";

export type FeatureRequest =
  | {kind: "chunk"; id: number; chunk: EventChunk; kernel?: boolean}
  | {kind: "read"; id: number; group: RecordGroup; start: number; count: number; kernel?: boolean}
  | {kind: "kernel"; spec: KernelSpec; nChannels: number}
  /** The NPS stage's spectra (lib/pipeline/process/nps.ts noiseSpectra), in a pool whose workers read. */
  | {kind: "nps"; id: number; group: RecordGroup; picks: [number, Int32Array][]; window: "tukey" | "none"}
  | {kind: "close"};
/** A chunk's samples are in shared memory the calling thread reuses once the reply to it has come. */
export type FeatureReply =
  | {kind: "ready"}
  | {kind: "result"; id: number; columns: {[name: string]: Int32Array | Float64Array}; testpulseAmplitude?: Float64Array}
  | {kind: "spectra"; id: number; spectra: [number, NoiseSpectrum][]}
  | (WorkerErrorReply & {id?: number});

const port = parentPort!;
// The per-record stages' kernels work in PFFFT's heap (lib/dsp/kernels/instance.ts).
sharePffftHeap();
const {input, layout, read} = workerData as {input: string; layout: RecordLayout; read: boolean};
const fail = (e: unknown, id?: number) => port.postMessage({...errorReply(e), id} satisfies FeatureReply);

// A reading worker opens the input before it says it is ready, so that a file it cannot open
// fails the pool's start, not its first chunk.
let file: CaitFile | undefined;
try {
  if (read) file = await (await import("./io/node.js")).openCaitFile(input);
  port.postMessage({kind: "ready"} satisfies FeatureReply);
} catch (e) {
  fail(e);
  process.exit(1);
}

// Built when told (building may be asynchronous: the FFT's wasm); chunks wait for it, in order.
let kernel: Promise<RecordKernel> | undefined;

const send = (id: number, columns: {[name: string]: Int32Array | Float64Array}, tpa?: Float64Array) => {
  const transfer = [...Object.values(columns).map((a) => a.buffer as ArrayBuffer), ...(tpa ? [tpa.buffer as ArrayBuffer] : [])];
  port.postMessage({kind: "result", id, columns, testpulseAmplitude: tpa} satisfies FeatureReply, transfer);
};

/** Feature columns of a chunk (`rows` dropped: the calling thread counts them). */
const features = (chunk: EventChunk) => {
  const {rows: _rows, ...columns} = computeFeatures(chunk, layout);
  return columns;
};

port.on("message", (m: FeatureRequest) => {
  if (m.kind === "close") {
    file?.close();
    port.close();
    return;
  }
  if (m.kind === "nps") {
    (async () => {
      if (!file) throw new Error("this worker does not read the input");
      const {noiseSpectra} = await import("../lib/pipeline/process/nps.js");
      const spectra = [...await noiseSpectra(file, layout, m.group, new Map(m.picks), m.window)];
      const transfer = spectra.flatMap(([, s]) => [s.psd_V2_per_Hz.buffer as ArrayBuffer, s.frequency_Hz.buffer as ArrayBuffer]);
      port.postMessage({kind: "spectra", id: m.id, spectra} satisfies FeatureReply, transfer);
    })().catch((e) => fail(e, m.id));
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
  // Each chunk is computed before the next is read: the reused read buffer serves them all. Read
  // without the sample check: the feature kernel and the per-record kernels fail on a non-finite
  // sample, and CaitFile.computeChecked then reports the DataFileError naming it (a chunk the calling
  // thread read is checked there).
  const compute = (columns: (chunk: EventChunk) => {[name: string]: Int32Array | Float64Array}) => {
    if (m.kind === "chunk") return send(m.id, columns(m.chunk), m.chunk.testpulseAmplitude);
    const chunk = file!.readChunk(m.group, m.start, m.count, true, false);
    send(m.id, file!.computeChecked(m.group, m.start, m.count, () => columns(chunk)), chunk.testpulseAmplitude);
  };
  if (m.kernel) {
    const ready = kernel ?? Promise.reject(new Error("no kernel built"));
    ready.then((k) => compute((chunk) => k.columns(chunk))).catch((e) => fail(e, m.id));
    return;
  }
  try {
    compute(features);
  } catch (e) {
    fail(e, m.id);
  }
});
