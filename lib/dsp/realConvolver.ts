// Fast circular filtering of real float32 records by a fixed transfer function, for batch work
// over millions of records (OF amplitudes of a whole run, stream triggering).
//
// Why PFFFT (@echogarden/pffft-wasm, Pommier's PFFFT compiled to wasm with SIMD): a filtered
// record is one forward and one backward real FFT; fft.js (lib/dsp/fft.ts, float64) takes
// ≈ 330 µs for that at 16384 samples, PFFFT ≈ 40 µs — and its "unordered" spectra multiply in
// place with `pffft_zconvolve_accumulate` without reordering. It computes in float32: records
// are float32 already, and the rounding (≈1e-7 relative) is far below any detector's noise.
// lib/dsp/fft.ts stays the exact float64 reference everywhere precision matters (SEV, NPS,
// filter design, comparisons with cait); tests hold the two within 1e-5 of the signal scale.

import createModule from "@echogarden/pffft-wasm/simd";

export interface PffftModule {
  HEAPF32: Float32Array;
  _pffft_new_setup(n: number, kind: number): number;
  _pffft_destroy_setup(setup: number): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_aligned_free(ptr: number): void;
  _pffft_transform(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_zreorder(setup: number, input: number, output: number, direction: number): void;
  _pffft_zconvolve_accumulate(setup: number, a: number, b: number, ab: number, scaling: number): void;
}

const REAL = 0, FORWARD = 0, BACKWARD = 1;

let modulePromise: Promise<PffftModule> | undefined;
/** The wasm module, instantiated once per thread (≈ 10 ms). */
export function loadPffft(): Promise<PffftModule> {
  return (modulePromise ??= (createModule as unknown as () => Promise<PffftModule>)());
}

/**
 * y = irfft(rfft(x) · H) for records of length n (a power of two ≥ 32), in float32.
 * `transfer` holds H on the n/2+1 bins interleaved re, im (lib/dsp/fft.ts layout). The
 * imaginary parts of DC and Nyquist are ignored, as for any real filter.
 * Allocates its wasm buffers once; call `dispose()` when done.
 */
export class RealConvolver {
  readonly n: number;
  private readonly m: PffftModule;
  private readonly setup: number;
  private readonly x: number;
  private readonly h: number;
  private readonly y: number;
  private readonly work: number;
  private disposed = false;

  constructor(m: PffftModule, n: number, transfer: ArrayLike<number>) {
    if (!Number.isInteger(n) || n < 32 || (n & (n - 1)) !== 0) throw new RangeError(`RealConvolver: length must be a power of two ≥ 32, got ${n}`);
    if (transfer.length < n + 2) throw new RangeError(`RealConvolver: transfer needs ${n / 2 + 1} bins (${n + 2} values), got ${transfer.length}`);
    this.m = m;
    this.n = n;
    this.setup = m._pffft_new_setup(n, REAL);
    if (!this.setup) throw new Error(`PFFFT cannot transform length ${n}`);
    const alloc = () => m._pffft_aligned_malloc(4 * n);
    this.x = alloc(); this.h = alloc(); this.y = alloc(); this.work = alloc();
    // PFFFT's canonical real layout: [H0, H_{n/2}, re H1, im H1, …]; reorder into its internal one.
    const heap = m.HEAPF32;
    const o = this.x >> 2;
    heap[o] = transfer[0];
    heap[o + 1] = transfer[n];
    for (let k = 1; k < n / 2; k++) {
      heap[o + 2 * k] = transfer[2 * k];
      heap[o + 2 * k + 1] = transfer[2 * k + 1];
    }
    m._pffft_zreorder(this.setup, this.x, this.h, BACKWARD);
  }

  /** The input buffer (a view into wasm memory, valid until the next call): fill it, then `run()`. */
  input(): Float32Array {
    this.check();
    return this.m.HEAPF32.subarray(this.x >> 2, (this.x >> 2) + this.n);
  }

  /** Filters what `input()` holds; returns the output as a view valid until the next call. */
  run(): Float32Array {
    this.check();
    const {m, setup, n} = this;
    m._pffft_transform(setup, this.x, this.x, this.work, FORWARD);
    m.HEAPF32.fill(0, this.y >> 2, (this.y >> 2) + n);
    m._pffft_zconvolve_accumulate(setup, this.x, this.h, this.y, 1 / n);
    m._pffft_transform(setup, this.y, this.y, this.work, BACKWARD);
    return m.HEAPF32.subarray(this.y >> 2, (this.y >> 2) + n);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of [this.x, this.h, this.y, this.work]) this.m._pffft_aligned_free(p);
    this.m._pffft_destroy_setup(this.setup);
  }

  private check(): void {
    if (this.disposed) throw new Error("RealConvolver used after dispose()");
  }
}

/** A convolver for `transfer` once the module is loaded. */
export async function realConvolver(n: number, transfer: ArrayLike<number>): Promise<RealConvolver> {
  return new RealConvolver(await loadPffft(), n, transfer);
}
