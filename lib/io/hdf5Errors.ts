// HDF5 errors as exceptions. h5wasm's reads ignore HDF5's status: a chunk failing its fletcher32
// checksum or its decompression is reported on stderr and the read returns whatever was in the
// buffer (wrong numbers, exit 0). Once `checkHdf5Reads` has patched the module, a failed read
// throws Hdf5Error, and `quietly` turns any HDF5 error inside it into an Hdf5Error instead of a
// diagnostic printed on stderr. Both builds (Node and browser) share this code.

/** The part of h5wasm's low-level module (what `h5wasm.ready` resolves to) used here. */
export interface Hdf5Module {
  get_dataset_data(...args: unknown[]): number;
  activate_throwing_error_handler(): number;
  deactivate_throwing_error_handler(): number;
}

/** The module's heap, for reads into a buffer of its own (CaitFile.readChunk's `reuse`). */
export interface Hdf5Heap {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/** The module checkHdf5Reads patched (its reads throw Hdf5Error), with its heap; undefined before. */
export const checkedHdf5Module = (): (Hdf5Module & Hdf5Heap) | undefined => module as (Hdf5Module & Hdf5Heap) | undefined;

/** An error reported by the HDF5 library; `problem` is its innermost message in words. */
export class Hdf5Error extends Error {
  readonly problem: string;
  constructor(problem: string, detail?: string) {
    super(problem);
    this.name = "Hdf5Error";
    this.problem = problem;
    if (detail) this.cause = detail;
  }
}

const CHECKED = Symbol.for("pulsebook.hdf5ReadsChecked");
let module: Hdf5Module | undefined;
let depth = 0; // quietly() nests (a checked read inside a quiet block): only the outermost restores

/** The innermost "in f(): message" of an HDF5 error stack (the cause; outer frames repeat "read failed"). */
export function hdf5Problem(stack: string): string {
  const frames = [...stack.matchAll(/ in [\w.]+\(\): (.+)$/gm)].map((m) => m[1].trim());
  return frames.at(-1) ?? (stack.trim().split("\n")[0] || "unknown HDF5 error");
}

function toHdf5Error(e: unknown): Hdf5Error {
  if (e instanceof Hdf5Error) return e;
  const text = e instanceof Error ? e.message : String(e);
  return new Hdf5Error(hdf5Problem(text), text);
}

/**
 * What went wrong inside the HDF5 library, in words: an Hdf5Error's problem; a wasm abort
 * (a damaged structure the library does not check, e.g. a flipped byte in an object header)
 * as such, not Emscripten's "Aborted(native code called abort())"; else the message.
 */
export function hdf5FailureText(e: unknown): string {
  if (e instanceof Hdf5Error) return e.problem;
  const message = e instanceof Error ? e.message : String(e);
  if (/^Aborted\(/.test(message)) return "the HDF5 library stopped on a damaged structure";
  if (/unreachable|RuntimeError/.test(message) || (e as Error)?.name === "RuntimeError") return `the HDF5 library failed on a damaged structure`;
  return message;
}

/** Runs `fn` with HDF5's errors thrown (as Hdf5Error) rather than printed. */
export function quietly<T>(fn: () => T): T {
  const m = module;
  if (!m) return fn();
  if (depth++ === 0) m.activate_throwing_error_handler();
  try {
    return fn();
  } catch (e) {
    // Our own errors (DataFileError …) pass; errors thrown from inside HDF5 are plain Errors.
    if (e instanceof Error && e.constructor !== Error) throw e;
    throw toHdf5Error(e);
  } finally {
    if (--depth === 0) m.deactivate_throwing_error_handler();
  }
}

/** Makes every dataset read of `m` throw Hdf5Error when HDF5 reports failure. Idempotent. */
export function checkHdf5Reads(m: Hdf5Module): void {
  module = m;
  const marked = m as Hdf5Module & {[CHECKED]?: true};
  if (marked[CHECKED]) return;
  const read = m.get_dataset_data.bind(m);
  m.get_dataset_data = (...args: unknown[]): number => {
    const status = quietly(() => read(...args));
    if (status < 0) throw new Hdf5Error("HDF5 read failed");
    return status;
  };
  marked[CHECKED] = true;
}
