// The CLI's one error boundary: whatever a command throws becomes one line for the user, with
// the file and what is wrong, never a stack trace. Errors that already say so (DataFileError,
// ConfigError, a dead model worker) pass as they are; file-system errors name their path in
// words; running out of memory says so; anything else is a bug in Pulsebook and says that. The
// original error (stack, causes) is printed only with --debug.
import {DataFileError} from "../../lib/io/errors.js";
import {ConfigError} from "../../lib/config/configError.js";
import {Hdf5Error} from "../../lib/io/hdf5Errors.js";
import {fileProblem} from "../io/readFile.js";
import {WorkerDiedError} from "../mlPool.js";
import {StageError} from "../../lib/pipeline/stageError.js";

/** What the user is told, and whether it is a bug (an error no loader turned into words). */
export interface Explained {
  message: string;
  internal: boolean;
}

/** Allocation failures of V8 and of wasm heaps (h5wasm, parquet-wasm, DuckDB, TensorFlow.js). */
const OUT_OF_MEMORY = /Array buffer allocation failed|Invalid typed array length|Invalid array length|exceeds maximum memory|Cannot allocate Wasm memory|WebAssembly\.Memory\(\): could not|Out of memory|out of memory|bad_alloc|failed to grow|Maximum call stack size exceeded/;

const errno = (e: unknown): NodeJS.ErrnoException | undefined => {
  const x = e as NodeJS.ErrnoException;
  return x && typeof x === "object" && typeof x.code === "string" && /^E[A-Z0-9]+$/.test(x.code) && typeof x.syscall === "string" ? x : undefined;
};

export function explain(e: unknown): Explained {
  // A stage of a chain that failed says its file, stage and config key (its cause: --debug).
  if (e instanceof DataFileError || e instanceof ConfigError || e instanceof WorkerDiedError || e instanceof StageError) return {message: e.message, internal: false};
  const fs = errno(e);
  if (fs) {
    const path = fs.path ?? (fs as {dest?: string}).dest;
    const words = fileProblem(fs).replace(/^cannot read file/, `${fs.syscall} failed`);
    if (path) return {message: `${path}: ${words}`, internal: false};
    return {message: `internal error: ${words} in ${fs.syscall}`, internal: true};
  }
  const text = e instanceof Error ? e.message : String(e);
  if (OUT_OF_MEMORY.test(text)) {
    const stack = /Maximum call stack/.test(text);
    return {
      message: stack
        ? "an input is nested too deeply to read (the stack ran out); a well-formed file does not nest like this"
        : `not enough memory: an input asks for more than this process can allocate (${text.split("\n")[0].slice(0, 200)}); if the input is genuine, give Node more memory (node --max-old-space-size=MiB)`,
      internal: false
    };
  }
  if (e instanceof Hdf5Error) return {message: `internal error: the HDF5 library reported "${e.problem}" on a read that names no file`, internal: true};
  return {message: `internal error: ${text.split("\n")[0].slice(0, 300)}`, internal: true};
}

/** The error and its causes, with stacks: what --debug prints. */
export function debugText(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e, depth = 0; x !== undefined && depth < 8; x = (x as {cause?: unknown})?.cause, depth++) {
    parts.push(`${depth ? "caused by: " : ""}${x instanceof Error ? x.stack ?? x.message : typeof x === "string" ? x : JSON.stringify(x)}`);
  }
  return parts.join("\n");
}
