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
//
// Record lengths PFFFT cannot transform (its real transforms need n = 32·2^a·3^b·5^c): even n
// whose prime factors are ≤ 31 go to KISS FFT (@echogarden/kissfft-wasm, mixed radix, also
// float32; at 6250 ≈ 2.5× the OF amplitudes/s of the float64 path, bench/results/fft.json);
// odd n (kiss_fftr needs even n) or n with a larger prime factor use lib/dsp/fft.ts (float64)
// and round the result to float32. All give the same filter to ≈1e-7 (test/anyLength.test.ts).

import createModule from "@echogarden/pffft-wasm/simd";
import createKiss from "@echogarden/kissfft-wasm";
import {irfft, rfft} from "./fft.js";
import {shareKernelHeap} from "./kernels/instance.js";

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

/** The part of KISS FFT's Emscripten module used here (kiss_fft_scalar = float). */
interface KissModule {
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _kiss_fftr_alloc(n: number, inverse: number, mem: number, lenmem: number): number;
  _kiss_fftr(cfg: number, input: number, output: number): void;
  _kiss_fftri(cfg: number, input: number, output: number): void;
}

const REAL = 0, FORWARD = 0, BACKWARD = 1;

let modulePromise: Promise<PffftModule> | undefined;
let kiss: KissModule | undefined;
let pffftBinary: Uint8Array<ArrayBuffer> | undefined;

/**
 * PFFFT's wasm bytes (dist/simd/pffft.wasm), given by a host that can read them before the first
 * loadPffft (Node: data-loaders/io/pffftNode.ts). PFFFT is then instantiated here rather than by
 * its loader, so that its memory is at hand: it becomes the kernels' heap (kernels/instance.ts),
 * and the passes around the transforms (sevFitKernel.ts, ofPeakKernel.ts) read and write the
 * transforms' buffers in place. Without it (pages) they copy through their own memory: the same
 * results.
 */
export function providePffftBinary(bytes: Uint8Array<ArrayBuffer>): void {
  pffftBinary ??= bytes;
}

/** PFFFT's module options: with its bytes given, an instantiation that keeps its memory. */
function pffftOptions(kept: {memory?: WebAssembly.Memory}): object {
  const bytes = pffftBinary;
  if (!bytes) return {};
  return {
    // Emscripten's hook: instantiate with its imports, hand the instance back, return its exports.
    instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
      kept.memory = Object.values(instance.exports).find((e): e is WebAssembly.Memory => e instanceof WebAssembly.Memory);
      receive(instance);
      return instance.exports;
    }
  };
}

/**
 * The wasm modules, instantiated once per thread (≈ 10 ms): PFFFT (returned) and KISS FFT (kept
 * here for the lengths PFFFT cannot do), so a loaded module serves every record length.
 */
export function loadPffft(): Promise<PffftModule> {
  return (modulePromise ??= instantiate());
}

/** Both modules; PFFFT's memory made the kernels' heap where its bytes were given (pffftOptions). */
async function instantiate(): Promise<PffftModule> {
  const kept: {memory?: WebAssembly.Memory} = {};
  const [p, k] = await Promise.all([
    (createModule as unknown as (options: object) => Promise<PffftModule>)(pffftOptions(kept)),
    (createKiss as unknown as () => Promise<KissModule>)()
  ]);
  kiss = k;
  const {memory} = kept;
  if (memory) {
    shareKernelHeap({
      memory,
      allocate(bytes) {
        const at = p._pffft_aligned_malloc(bytes);
        if (!at) throw new RangeError(`PFFFT's heap cannot give ${bytes} bytes more`);
        return at;
      },
      release: (at) => p._pffft_aligned_free(at)
    });
  }
  return p;
}

function primeFactors(n: number): number[] {
  const f: number[] = [];
  for (let p = 2; p * p <= n; p++) while (n % p === 0) { f.push(p); n /= p; }
  if (n > 1) f.push(n);
  return f;
}

/** Above this prime factor KISS FFT's generic O(p) butterfly is slow; such lengths take "fft64". */
const KISS_LARGEST_FACTOR = 31;

/** Which transform filters records of length n: "pffft", "kiss" or "fft64" (see the header). */
export function convolverBackend(n: number): "pffft" | "kiss" | "fft64" {
  const f = primeFactors(n);
  if (n % 32 === 0 && f.every((p) => p <= 5)) return "pffft";
  if (n % 2 === 0 && f.every((p) => p <= KISS_LARGEST_FACTOR)) return "kiss";
  return "fft64";
}

/**
 * y = irfft(rfft(x) · H) for records of length n (any integer ≥ 2), in float32.
 * `transfer` holds H on the ⌊n/2⌋+1 bins interleaved re, im (lib/dsp/fft.ts layout). The
 * imaginary parts of DC and Nyquist are ignored, as for any real filter.
 * Allocates its buffers once; call `dispose()` when done.
 */
export class RealConvolver {
  readonly n: number;
  readonly backend: "pffft" | "kiss" | "fft64";
  private readonly impl: Impl;
  private disposed = false;

  constructor(m: PffftModule, n: number, transfer: ArrayLike<number>) {
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`RealConvolver: length must be an integer ≥ 2, got ${n}`);
    const bins = (n >> 1) + 1;
    if (transfer.length < 2 * bins) throw new RangeError(`RealConvolver: transfer needs ${bins} bins (${2 * bins} values), got ${transfer.length}`);
    this.n = n;
    this.backend = convolverBackend(n);
    if (this.backend === "kiss" && !kiss) throw new Error("RealConvolver: KISS FFT is not loaded; get the module with loadPffft()");
    this.impl = this.backend === "pffft" ? pffftImpl(m, n, transfer) : this.backend === "kiss" ? kissImpl(kiss!, n, transfer) : fft64Impl(n, transfer);
  }

  /** The input buffer (a view, valid until the next call): fill it, then `run()`. */
  input(): Float32Array {
    this.check();
    return this.impl.input();
  }

  /** Filters what `input()` holds; returns the output as a view valid until the next call. */
  run(): Float32Array {
    this.check();
    return this.impl.run();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.impl.dispose();
  }

  private check(): void {
    if (this.disposed) throw new Error("RealConvolver used after dispose()");
  }
}

interface Impl {
  input(): Float32Array;
  run(): Float32Array;
  dispose(): void;
}

function pffftImpl(m: PffftModule, n: number, transfer: ArrayLike<number>): Impl {
  const setup = m._pffft_new_setup(n, REAL);
  if (!setup) throw new Error(`PFFFT cannot transform length ${n}`);
  const alloc = () => m._pffft_aligned_malloc(4 * n);
  const x = alloc(), h = alloc(), y = alloc(), work = alloc();
  // PFFFT's canonical real layout: [H0, H_{n/2}, re H1, im H1, …]; reorder into its internal one.
  const heap = m.HEAPF32;
  const o = x >> 2;
  heap[o] = transfer[0];
  heap[o + 1] = transfer[n];
  for (let k = 1; k < n / 2; k++) {
    heap[o + 2 * k] = transfer[2 * k];
    heap[o + 2 * k + 1] = transfer[2 * k + 1];
  }
  m._pffft_zreorder(setup, x, h, BACKWARD);
  return {
    input: () => m.HEAPF32.subarray(x >> 2, (x >> 2) + n),
    run() {
      m._pffft_transform(setup, x, x, work, FORWARD);
      m.HEAPF32.fill(0, y >> 2, (y >> 2) + n);
      m._pffft_zconvolve_accumulate(setup, x, h, y, 1 / n);
      m._pffft_transform(setup, y, y, work, BACKWARD);
      return m.HEAPF32.subarray(y >> 2, (y >> 2) + n);
    },
    dispose() {
      for (const p of [x, h, y, work]) m._pffft_aligned_free(p);
      m._pffft_destroy_setup(setup);
    }
  };
}

function kissImpl(k: KissModule, n: number, transfer: ArrayLike<number>): Impl {
  const bins = (n >> 1) + 1;
  const fwd = k._kiss_fftr_alloc(n, 0, 0, 0), inv = k._kiss_fftr_alloc(n, 1, 0, 0);
  const x = k._malloc(4 * n), spec = k._malloc(8 * bins), y = k._malloc(4 * n);
  if (!fwd || !inv || !x || !spec || !y) throw new Error(`KISS FFT cannot allocate for length ${n}`);
  // H/n: kiss_fftri is unscaled. The imaginary parts of DC and Nyquist are dropped (real filter).
  const H = new Float32Array(2 * bins);
  for (let i = 0; i < 2 * bins; i++) H[i] = transfer[i] / n;
  H[1] = 0;
  H[2 * bins - 1] = 0;
  return {
    input: () => k.HEAPF32.subarray(x >> 2, (x >> 2) + n),
    run() {
      k._kiss_fftr(fwd, x, spec);
      const s = k.HEAPF32, o = spec >> 2;
      for (let i = 0; i < bins; i++) {
        const a = s[o + 2 * i], b = s[o + 2 * i + 1], c = H[2 * i], d = H[2 * i + 1];
        s[o + 2 * i] = a * c - b * d;
        s[o + 2 * i + 1] = a * d + b * c;
      }
      k._kiss_fftri(inv, spec, y);
      return k.HEAPF32.subarray(y >> 2, (y >> 2) + n);
    },
    dispose() {
      for (const p of [fwd, inv, x, spec, y]) k._free(p);
    }
  };
}

function fft64Impl(n: number, transfer: ArrayLike<number>): Impl {
  const bins = (n >> 1) + 1;
  const H = Float64Array.from({length: 2 * bins}, (_, i) => transfer[i]);
  const x = new Float32Array(n), spec = new Float64Array(n + 2), y64 = new Float64Array(n), y = new Float32Array(n);
  return {
    input: () => x,
    run() {
      rfft(x, spec);
      for (let i = 0; i < bins; i++) {
        const a = spec[2 * i], b = spec[2 * i + 1], c = H[2 * i], d = H[2 * i + 1];
        spec[2 * i] = a * c - b * d;
        spec[2 * i + 1] = a * d + b * c;
      }
      irfft(spec, n, y64);
      y.set(y64);
      return y;
    },
    dispose() {}
  };
}

/** A convolver for `transfer` once the module is loaded. */
export async function realConvolver(n: number, transfer: ArrayLike<number>): Promise<RealConvolver> {
  return new RealConvolver(await loadPffft(), n, transfer);
}
