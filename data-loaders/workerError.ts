// An error crossing a worker thread's port: structured clone keeps only plain data, so a
// DataFileError (file, problem, dataset) travels as its fields and is rebuilt on the other side,
// to be thrown exactly as the in-thread pass would have thrown it.
import {DataFileError} from "../lib/io/errors.js";

export interface WorkerErrorReply {
  kind: "error";
  message: string;
  dataFile?: {file: string; problem: string; dataset?: string};
}

/** The reply a worker posts for an error it caught. */
export function errorReply(e: unknown): WorkerErrorReply {
  const dataFile = e instanceof DataFileError ? {file: e.file, problem: e.problem, dataset: e.dataset} : undefined;
  return {kind: "error", message: (e as Error)?.message ?? String(e), dataFile};
}

/** The error a worker's reply stands for. */
export function errorFromReply(m: WorkerErrorReply): Error {
  return m.dataFile ? new DataFileError(m.dataFile.file, m.dataFile.problem, m.dataFile.dataset) : new Error(m.message);
}
