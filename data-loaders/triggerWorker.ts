// Worker thread of the stream trigger (streamTrigger.ts triggerStreams): triggers one `.csmpl`
// stream with its channel's optimum filter, read from disk block by block, and sends back the
// triggers — exactly what the calling thread computes for that stream.
import {parentPort, workerData} from "node:worker_threads";
import {DataFileError} from "../lib/io/errors.js";
import {streamTriggers, type StreamJob} from "./streamTrigger.js";
import type {Trigger} from "../lib/dsp/trigger.js";

export type TriggerReply =
  | {kind: "result"; triggers: Trigger[]}
  | {kind: "error"; message: string; dataFile?: {file: string; problem: string; dataset?: string}};

const port = parentPort!;
try {
  port.postMessage({kind: "result", triggers: await streamTriggers(workerData as StreamJob)} satisfies TriggerReply);
} catch (e) {
  const err = e as Error;
  const dataFile = e instanceof DataFileError ? {file: e.file, problem: e.problem, dataset: e.dataset} : undefined;
  port.postMessage({kind: "error", message: err?.message ?? String(e), dataFile} satisfies TriggerReply);
}
