// PFFFT's wasm bytes for lib/dsp/realConvolver.ts in Node, read from its package before the first
// transform: PFFFT is then instantiated by realConvolver.ts, which shares its memory with the
// kernels around the transforms (lib/dsp/kernels/instance.ts says why). Called by the threads that
// run `process`'s per-record stages: the feature workers and the CLI's own thread.
import {readFileSync} from "node:fs";
import {createRequire} from "node:module";
import {dirname, join} from "node:path";
import {providePffftBinary} from "../../lib/dsp/realConvolver.js";

let given = false;

/** Gives realConvolver.ts PFFFT's SIMD binary (the build its loader would fetch), once per thread. */
export function sharePffftHeap(): void {
  if (given) return;
  given = true;
  const loader = createRequire(import.meta.url).resolve("@echogarden/pffft-wasm/simd");
  providePffftBinary(new Uint8Array(readFileSync(join(dirname(loader), "pffft.wasm"))));
}
