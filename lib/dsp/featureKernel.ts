// The feature table's inner loop in WebAssembly (kernels/mainpar.as.ts, SIMD): cait's main
// parameters (threshold walks included), the smoothed record's power sums and its extreme
// sample-to-sample differences, in one pass over the record and short scans of a few blocks of
// it. lib/dsp/mainParameters.ts stays the readable reference; the two
// agree to rounding (bounds in docs/features.md, checked by test/featureKernel.test.ts).
//
// One instance per JavaScript thread, compiled synchronously from 5 kB of base64 on first use
// (small enough for a page's main thread), its memory grown to the longest record seen.

import {MAINPAR_WASM_BASE64} from "./kernels/mainparWasm.js";
import {growTo, instantiateKernel} from "./kernels/instance.js";
import {assertFiniteRecord} from "./finite.js";
import {DRIFT_SAMPLES, MAINPAR_SMOOTHING_SAMPLES, type MainParameters} from "./mainParameters.js";

/** What the kernel adds to the main parameters: the smoothed record's sums and derivative extremes. */
export interface SmoothedRecordSums {
  /** Σ s, Σ s², Σ s³ over the smoothed, offset-subtracted record s. */
  sum: number;
  sumSquares: number;
  sumCubes: number;
  /** Largest s[j+1] − s[j] and its first j. */
  maxDifference: number;
  maxDifferenceIndex: number;
  /** Smallest s[j+1] − s[j] and its first j. */
  minDifference: number;
  minDifferenceIndex: number;
}

export function emptySmoothedRecordSums(): SmoothedRecordSums {
  return {sum: 0, sumSquares: 0, sumCubes: 0, maxDifference: 0, maxDifferenceIndex: 0, minDifference: 0, minDifferenceIndex: 0};
}

interface KernelExports {
  memory: WebAssembly.Memory;
  mainpar(x: number, n: number, w: number, nDrift: number, s: number, out: number, blocks: number): void;
}

const OUT_SLOTS = 16;
/** The kernel's blocks of samples (kernels/mainpar.as.ts BLOCK): three f64 of maxima per block. */
const BLOCK = 256;

let kernel: KernelExports | undefined;
/** Record length the current layout and views are for. */
let laidOut = 0;
let sAt = 0;
let outAt = 0;
let blocksAt = 0;
let f32 = new Float32Array(0);
let smoothed = new Float64Array(0);
let results = new Float64Array(0);

const instantiate = () => instantiateKernel<KernelExports>(MAINPAR_WASM_BASE64, "feature kernel");

/** Lays out memory for records of L samples: x (f32) at 0, s (f64), the results and the block maxima after it. */
function layOut(L: number): void {
  kernel ??= instantiate();
  sAt = Math.ceil((4 * L) / 16) * 16;
  outAt = sAt + 8 * L;
  blocksAt = outAt + 8 * OUT_SLOTS;
  const need = blocksAt + 8 * 3 * Math.ceil(L / BLOCK);
  growTo(kernel.memory, need);
  const buffer = kernel.memory.buffer;
  f32 = new Float32Array(buffer, 0, L);
  smoothed = new Float64Array(buffer, sAt, L);
  results = new Float64Array(buffer, outAt, OUT_SLOTS);
  laidOut = L;
}

/**
 * cait's main parameters of one record into `out` and the smoothed record's sums into `sums`.
 * Returns the smoothed, offset-subtracted record s: a view into the kernel's memory, valid until
 * the next call. Throws naming the sample if the record holds NaN or ±Infinity.
 */
export function kernelMainParameters(record: Float32Array, out: MainParameters, sums: SmoothedRecordSums): Float64Array {
  const L = record.length;
  if (L < 8) throw new RangeError(`record has ${L} samples; main parameters need at least 8`);
  if (L !== laidOut) layOut(L);
  f32.set(record);
  kernel!.mainpar(0, L, MAINPAR_SMOOTHING_SAMPLES, Math.min(DRIFT_SAMPLES, L), sAt, outAt, blocksAt);
  const r = results;
  // Every sample enters some window sum and stays in its chain's running sum, so a non-finite
  // sample (or an overflow) makes Σs or Σs² non-finite.
  if (!Number.isFinite(r[4] + r[5])) assertFiniteRecord(record, r[4] + r[5]);
  sums.sum = r[4];
  sums.sumSquares = r[5];
  sums.sumCubes = r[6];
  sums.maxDifference = r[7];
  sums.maxDifferenceIndex = r[8];
  sums.minDifference = r[9];
  sums.minDifferenceIndex = r[10];
  // The threshold walks ran in the kernel, as fillMainParameters runs them (test/featureKernel.test.ts).
  out.pulse_height = r[2];
  out.t_zero = r[11];
  out.t_rise = r[12];
  out.t_max = r[3];
  out.t_decaystart = r[13];
  out.t_half = r[14];
  out.t_end = r[15];
  out.offset = r[0];
  out.linear_drift = r[1];
  out.quadratic_drift = 0;
  return smoothed;
}
