// Real FFTs in lib/dsp/fft.ts's layout (bins k = 0..⌊n/2⌋ interleaved re, im; irfft scaled by
// 1/n) for per-record batch work, where fft.js's float64 transforms are most of the cost: PFFFT
// (wasm, SIMD; lib/dsp/realConvolver.ts says why) for the lengths it can do, lib/dsp/fft.ts for
// the others. PFFFT computes in float32: ≈ 1e-7 of the transformed signal's scale, far below a
// detector's noise (records are float32 already). Its user, the SEV fit (lib/dsp/sevFit.ts),
// subtracts a record's baseline before the forward transform, so that the rounding is relative
// to the pulse, not to a large DC offset, and computes in float64 what precision needs.
import {irfft, rfft} from "./fft.js";
import {convolverBackend, type PffftModule} from "./realConvolver.js";

const REAL = 0, FORWARD = 0, BACKWARD = 1;

export interface RealTransforms {
  readonly n: number;
  readonly backend: "pffft" | "fft64";
  /** rfft of x (length n) into `out` (n + 2 values). */
  rfft(x: ArrayLike<number>, out: Float64Array): Float64Array;
  /** irfft (1/n scaled) of spectrum X into `out` (n values). */
  irfft(X: ArrayLike<number>, out: Float64Array): Float64Array;
  /**
   * PFFFT only: the transforms' own input buffer (n float32 values in the module's heap, taken
   * anew before each use: the heap may grow), for callers that compute the input in a loop of
   * their own and would otherwise copy it there: a signal for `correlateInput`, or a spectrum in
   * packed order (re X0, re X_{n/2}, re X1, im X1, …) for `inverseOfInput`. rfft/irfft copy their
   * input there as float32 too, so the results are theirs.
   */
  input?(): Float32Array;
  /**
   * PFFFT only: n·irfft of the packed spectrum in input(), unscaled, left in the heap (a view
   * valid until the next call). A JS loop over the heap costs about as much as the transform
   * itself, so callers that read the result once read it here.
   */
  inverseOfInput?(): Float32Array;
  /**
   * PFFFT only: rfft of input(), unscaled, in packed order (X_0, X_{n/2}, re X_1, im X_1, …), left
   * in the heap (a view valid until the next call): for callers that read each spectrum once.
   */
  spectrumOfInput?(): Float32Array;
  /**
   * PFFFT only: a fixed spectrum B (rfft layout) kept in the heap in PFFFT's internal order, for
   * `correlateInput`. Freed with the transforms.
   */
  keepSpectrum?(B: ArrayLike<number>): number;
  /**
   * PFFFT only: X = rfft(input())·conj(B) for B kept by keepSpectrum, multiplied in wasm
   * (pffft_zconvolve_accumulate, float32): `spectrum`, X in input()'s packed order, and
   * `inverse`, n·irfft(X) (the circular cross-correlation, unscaled); heap views valid until the
   * next call. No JS loop touches the spectra.
   */
  correlateInput?(kept: number): {spectrum: Float32Array; inverse: Float32Array};
  dispose(): void;
}

/** Transforms of length n: PFFFT from module `m` where the length allows, else lib/dsp/fft.ts. */
export function realTransforms(m: PffftModule | undefined, n: number): RealTransforms {
  if (m && convolverBackend(n) === "pffft") return pffftTransforms(m, n);
  return {n, backend: "fft64", rfft: (x, out) => rfft(x, out), irfft: (X, out) => irfft(X, n, out) as Float64Array, dispose() {}};
}

function pffftTransforms(m: PffftModule, n: number): RealTransforms {
  const setup = m._pffft_new_setup(n, REAL);
  if (!setup) throw new Error(`PFFFT cannot transform length ${n}`);
  const a = m._pffft_aligned_malloc(4 * n), b = m._pffft_aligned_malloc(4 * n), work = m._pffft_aligned_malloc(4 * n);
  const half = n >> 1;
  let disposed = false;
  const check = () => {
    if (disposed) throw new Error("RealTransforms used after dispose()");
  };
  const ia = a >> 2;
  // correlateInput's buffers and the spectra kept, allocated on first use.
  let x = 0, y = 0;
  const kept: number[] = [];
  const keepSpectrum = (B: ArrayLike<number>): number => {
    const k = m._pffft_aligned_malloc(4 * n);
    kept.push(k);
    const h = m.HEAPF32;
    // Conjugated, in the canonical packed order, then reordered into PFFFT's own.
    h[ia] = B[0];
    h[ia + 1] = B[2 * half];
    for (let i = 1; i < half; i++) {
      h[ia + 2 * i] = B[2 * i];
      h[ia + 2 * i + 1] = -B[2 * i + 1];
    }
    m._pffft_zreorder(setup, a, k, BACKWARD);
    return k;
  };
  const correlateInput = (k: number) => {
    if (!x) {
      x = m._pffft_aligned_malloc(4 * n);
      y = m._pffft_aligned_malloc(4 * n);
    }
    m._pffft_transform(setup, a, b, work, FORWARD);
    m.HEAPF32.fill(0, x >> 2, (x >> 2) + n);
    m._pffft_zconvolve_accumulate(setup, b, k, x, 1);
    m._pffft_zreorder(setup, x, y, FORWARD);
    m._pffft_transform(setup, x, a, work, BACKWARD);
    const h = m.HEAPF32;
    return {spectrum: h.subarray(y >> 2, (y >> 2) + n), inverse: h.subarray(ia, ia + n)};
  };
  const spectrumOfInput = (): Float32Array => {
    m._pffft_transform(setup, a, b, work, FORWARD);
    // PFFFT's canonical order after zreorder: [X0, X_{n/2}, re X1, im X1, …].
    m._pffft_zreorder(setup, b, a, FORWARD);
    return m.HEAPF32.subarray(ia, ia + n);
  };
  const inverseOfInput = (): Float32Array => {
    m._pffft_zreorder(setup, a, b, BACKWARD);
    m._pffft_transform(setup, b, a, work, BACKWARD);
    return m.HEAPF32.subarray(ia, ia + n);
  };
  const rfftOfInput = (out: Float64Array): Float64Array => {
    const h = spectrumOfInput();
    out[0] = h[0];
    out[1] = 0;
    for (let k = 1; k < half; k++) {
      out[2 * k] = h[2 * k];
      out[2 * k + 1] = h[2 * k + 1];
    }
    out[2 * half] = h[1];
    out[2 * half + 1] = 0;
    return out;
  };
  const irfftOfInput = (out: Float64Array): Float64Array => {
    const h = inverseOfInput();
    const scale = 1 / n;
    for (let i = 0; i < n; i++) out[i] = h[i] * scale;
    return out;
  };
  return {
    n,
    backend: "pffft",
    rfft(x, out) {
      check();
      // The heap may have grown since the last call: take its view each time.
      const heap = m.HEAPF32;
      for (let i = 0; i < n; i++) heap[ia + i] = x[i];
      return rfftOfInput(out);
    },
    irfft(X, out) {
      check();
      const heap = m.HEAPF32;
      heap[ia] = X[0];
      heap[ia + 1] = X[2 * half];
      for (let k = 1; k < half; k++) {
        heap[ia + 2 * k] = X[2 * k];
        heap[ia + 2 * k + 1] = X[2 * k + 1];
      }
      return irfftOfInput(out);
    },
    input() {
      check();
      return m.HEAPF32.subarray(ia, ia + n);
    },
    inverseOfInput() {
      check();
      return inverseOfInput();
    },
    spectrumOfInput() {
      check();
      return spectrumOfInput();
    },
    keepSpectrum(B) {
      check();
      return keepSpectrum(B);
    },
    correlateInput(k) {
      check();
      return correlateInput(k);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of [a, b, work, ...(x ? [x, y] : []), ...kept]) m._pffft_aligned_free(p);
      m._pffft_destroy_setup(setup);
    }
  };
}
