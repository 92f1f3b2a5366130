// Worker thread of the stream trigger (streamTrigger.ts triggerStreams): triggers one `.csmpl`
// stream with its channel's optimum filter, read from disk block by block, and sends back the
// triggers — exactly what the calling thread computes for that stream.
import {parentPort, workerData} from "node:worker_threads";
import {errorReply, type WorkerErrorReply} from "./workerError.js";
import {streamTriggers, type StreamJob} from "./streamTrigger.js";
import type {Trigger} from "../lib/dsp/trigger.js";

export type TriggerReply =
  | {kind: "result"; triggers: Trigger[]}
  | WorkerErrorReply;

const port = parentPort!;
try {
  port.postMessage({kind: "result", triggers: await streamTriggers(workerData as StreamJob)} satisfies TriggerReply);
} catch (e) {
  port.postMessage(errorReply(e) satisfies TriggerReply);
}
