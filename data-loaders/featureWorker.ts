// Worker thread of the feature pool (featurePool.ts): opens the input itself, then reads and
// reduces the chunks of events it is sent, one at a time, and sends their feature columns back.
import {parentPort, workerData} from "node:worker_threads";
import {openCaitFile} from "./io/node.js";
import {computeFeatures} from "../lib/dsp/features.js";
import {DataFileError} from "../lib/io/errors.js";
import type {CaitFile} from "../lib/io/caitFile.js";
import type {RecordGroup, RecordLayout} from "../lib/types.js";

export type FeatureRequest = {kind: "chunk"; id: number; group: RecordGroup; start: number; count: number} | {kind: "close"};
export type FeatureReply =
  | {kind: "ready"}
  | {kind: "result"; id: number; columns: {[name: string]: Int32Array | Float64Array}; testpulseAmplitude?: Float64Array}
  | {kind: "error"; id?: number; message: string; dataFile?: {file: string; problem: string; dataset?: string}};

const port = parentPort!;
const fail = (e: unknown, id?: number): FeatureReply => {
  const err = e as Error;
  const dataFile = e instanceof DataFileError ? {file: e.file, problem: e.problem, dataset: e.dataset} : undefined;
  return {kind: "error", id, message: err?.message ?? String(e), dataFile};
};

let file: CaitFile;
try {
  file = await openCaitFile((workerData as {input: string}).input);
  port.postMessage({kind: "ready"} satisfies FeatureReply);
} catch (e) {
  port.postMessage(fail(e));
  process.exit(1);
}

port.on("message", (m: FeatureRequest) => {
  if (m.kind === "close") {
    file.close();
    port.close();
    return;
  }
  try {
    const chunk = file.readChunk(m.group, m.start, m.count);
    const {rows: _rows, ...columns} = computeFeatures(chunk, (workerData as {layout: RecordLayout}).layout);
    const tpa = chunk.testpulseAmplitude;
    const transfer = [...Object.values(columns).map((a) => a.buffer as ArrayBuffer), ...(tpa ? [tpa.buffer as ArrayBuffer] : [])];
    port.postMessage({kind: "result", id: m.id, columns, testpulseAmplitude: tpa} satisfies FeatureReply, transfer);
  } catch (e) {
    port.postMessage(fail(e, m.id));
  }
});
