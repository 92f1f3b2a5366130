// The OF amplitude's work around its two transforms in WebAssembly (kernels/ofpeak.as.ts, SIMD):
// the record's preparation (optimumFilter.ts `prepareRecord`: minus the baseline mean, times the
// window) and the first maximum of the filtered record, both bit-identical to the JavaScript
// (test/ofPeakKernel.test.ts). Used by lib/dsp/ofBatch.ts; lib/dsp/nps.ts uses the preparation
// and the running sum of periodograms (`spectrumPowerSum`).
//
// One instance per heap (kernels/instance.ts KernelHeap: PFFFT's where it is shared, else the
// thread's own), compiled synchronously from < 1 kB of base64 on first use: each user holds a block
// there (a float32 scratch of n samples and the filter's window as float64), given back on
// dispose. Records prepared into, and filtered records searched in, a transform's buffer in the
// same heap are written and read in place; others are copied through the scratch.

import {OFPEAK_WASM_BASE64} from "./kernels/ofpeakWasm.js";
import {addressIn, kernelHeap, kernelOn, type KernelHeap} from "./kernels/instance.js";
import type {OptimumFilter} from "./optimumFilter.js";

interface KernelExports {
  ofPrepare(r: number, w: number, x: number, n: number, m: number): void;
  ofArgmax(y: number, n: number): number;
  powerAdd(X: number, sum: number, h: number): void;
}

/** The current heap, the kernel on it and a block of `bytes` there (allocated before any view is taken). */
function blockIn(bytes: number): {heap: KernelHeap; k: KernelExports; at: number} {
  const heap = kernelHeap();
  const k = kernelOn<KernelExports>(heap, OFPEAK_WASM_BASE64, "OF kernel");
  return {heap, k, at: heap.allocate(bytes)};
}

export interface OfPeakKernel {
  /** `prepareRecord(of, record, x)` for a float32 record of the filter's length. */
  prepare(record: Float32Array, x: Float32Array): void;
  /** The first maximum of y[lo, hi) (lo < hi ≤ y.length): ofBatch.ts's search, NaN never greater. */
  argmax(y: Float32Array, lo: number, hi: number): number;
  dispose(): void;
}

/**
 * The kernel for records filtered by `of`: its length, window and baseline samples (any record
 * preparation "minus the mean of the first m samples, times a window" fits: lib/dsp/nps.ts uses
 * it too); call `dispose()` when done.
 */
export function ofPeakKernel(of: Pick<OptimumFilter, "recordLength" | "window" | "baselineSamples">): OfPeakKernel {
  const n = of.recordLength;
  const scratchBytes = Math.ceil((4 * n) / 16) * 16;
  const w = of.window;
  const bytes = scratchBytes + (w ? 8 * n : 0);
  const {heap, k, at} = blockIn(bytes);
  const wAt = at + scratchBytes;
  let buffer: ArrayBuffer | undefined;
  let scratch = new Float32Array(0);
  /** The scratch view, remade when the memory has grown (growing detaches the old buffer). */
  const view = () => {
    if (heap.memory.buffer !== buffer) {
      buffer = heap.memory.buffer;
      scratch = new Float32Array(buffer, at, n);
    }
    return scratch;
  };
  if (w) new Float64Array(heap.memory.buffer, wAt, n).set(w);
  const m = Math.min(of.baselineSamples, n);
  let disposed = false;
  return {
    prepare(record, x) {
      if (!w) {
        x.set(record);
        return;
      }
      // In the heap: the record copied into x and prepared there (ofPrepare allows r = x).
      const xAt = addressIn(heap, x);
      if (xAt >= 0) {
        x.set(record);
        k.ofPrepare(xAt, wAt, xAt, n, m);
        return;
      }
      const s = view();
      s.set(record);
      k.ofPrepare(at, wAt, at, n, m);
      x.set(s);
    },
    argmax(y, lo, hi) {
      if (hi - lo > n) throw new RangeError(`ofPeakKernel: search range [${lo}, ${hi}) longer than the record (${n})`);
      const yAt = addressIn(heap, y);
      if (yAt >= 0) return lo + k.ofArgmax(yAt + 4 * lo, hi - lo);
      view().set(y.subarray(lo, hi));
      return lo + k.ofArgmax(at, hi - lo);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      heap.release(at);
    }
  };
}

export interface SpectrumPowerSum {
  /** sum[k] += |X_k|² for a packed float32 spectrum (fastRealFft.ts `spectrumOfInput`'s order). */
  add(X: Float32Array): void;
  /** Σ|X_k|², k = 0…n/2, over the spectra added (a copy). */
  values(): Float64Array;
  dispose(): void;
}

/**
 * The running sum of the power spectra of records of n samples (n even), in the kernel's memory:
 * the same float64 sums as `sum[k] += X[2k]·X[2k] + X[2k+1]·X[2k+1]` in JavaScript, ≈ 5× faster
 * with the spectrum's copy (test/ofPeakKernel.test.ts).
 */
export function spectrumPowerSum(n: number): SpectrumPowerSum {
  if (n % 2 !== 0 || n < 2) throw new RangeError(`spectrumPowerSum: n = ${n}, an even length ≥ 2 expected`);
  const h = n >> 1;
  const specBytes = Math.ceil((4 * n) / 16) * 16;
  const bytes = specBytes + 8 * (h + 1);
  const {heap, k, at} = blockIn(bytes);
  const sumAt = at + specBytes;
  new Float64Array(heap.memory.buffer, sumAt, h + 1).fill(0);
  let disposed = false;
  return {
    add(X) {
      if (X.length !== n) throw new RangeError(`spectrumPowerSum: spectrum of ${X.length} values, ${n} expected`);
      let XAt = addressIn(heap, X);
      if (XAt < 0) {
        new Float32Array(heap.memory.buffer, at, n).set(X);
        XAt = at;
      }
      k.powerAdd(XAt, sumAt, h);
    },
    values: () => new Float64Array(heap.memory.buffer, sumAt, h + 1).slice(),
    dispose() {
      if (disposed) return;
      disposed = true;
      heap.release(at);
    }
  };
}
