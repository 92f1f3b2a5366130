// The SEV fit's two passes over the samples (sevFit.ts fitRecord with PFFFT) in WebAssembly
// (kernels/sevpass.as.ts, SIMD): the same float32 input for the transform, the sums in four lanes
// (equal to fitRecord's in-order sums to rounding, test/sevFitKernel.test.ts), ≈ 17 µs per pass
// where V8 takes ≈ 30; and Newton's passes over the cross-spectrum (valueAtLag2) with its two
// phasor recurrences as the two lanes of one, the same sums to the bit; and the shifted SEV's
// spectrum (phaseRampPacked) the same way, the same float32 values to the bit (≈ 18 µs per
// record in V8).
//
// One instance per heap (kernels/instance.ts KernelHeap: PFFFT's where it is shared, else the
// thread's own), compiled synchronously from < 1 kB of base64 on first use, with blocks laid out
// for the last record length: the record, a float32 buffer, 8 results, then the SEV spectra kept
// for phaseRamp (the last KEPT of them). Inputs and outputs that lie in the heap (PFFFT's buffers,
// when it is shared) are read and written in place; others are copied through the buffer.

import {SEVPASS_WASM_BASE64} from "./kernels/sevpassWasm.js";
import {addressIn, kernelHeap, kernelOn, type KernelHeap} from "./kernels/instance.js";

interface KernelExports {
  sevFirstPass(r: number, x: number, n: number, out: number): void;
  sevSecondPass(r: number, s: number, n: number, o: number, scale: number, out: number): void;
  sevLagSums(X: number, last: number, cr: number, ci: number, c2r: number, c2i: number, out: number): void;
  sevPhaseRamp(S: number, half: number, cr: number, ci: number, c2r: number, c2i: number, out: number): void;
}

/** SEV spectra kept in the kernel's memory at once (a run's channels; older ones are replaced). */
const KEPT = 4;

let heap: KernelHeap | undefined;
let kernel: KernelExports | undefined;
let laidOut = 0;
/** The block of record r (f32), buffer x (f32) and the results (f64), and the kept spectra's block. */
let blockAt = -1, keptBlockAt = -1;
let xAt = 0, outAt = 0;
/** Where each kept spectrum is (slots of the kept block; the Map's order is the order they were kept). */
let kept = new Map<Float64Array, number>();
let keptBytes = 0;

/**
 * Lays out blocks for records of n samples in the current heap (moving there if it changed).
 * May grow the heap's memory: callers take the addresses of their views before.
 */
function layOut(n: number): void {
  const h = kernelHeap();
  if (heap && blockAt >= 0) {
    heap.release(blockAt);
    heap.release(keptBlockAt);
  }
  heap = h;
  kernel = kernelOn<KernelExports>(h, SEVPASS_WASM_BASE64, "SEV-fit kernel");
  const f32Bytes = Math.ceil((4 * n) / 16) * 16;
  keptBytes = Math.ceil((8 * (n + 2)) / 16) * 16;
  blockAt = h.allocate(2 * f32Bytes + 8 * 8);
  keptBlockAt = h.allocate(KEPT * keptBytes);
  xAt = blockAt + f32Bytes;
  outAt = xAt + f32Bytes;
  kept = new Map();
  laidOut = n;
}

/**
 * Lays out anew when the length or the heap changed, and returns the address of `view` in the
 * heap laid out in (−1 if it lies elsewhere), taken before: laying out may grow the memory the
 * view lies in, and detach it.
 */
function readyFor(n: number, view: ArrayBufferView): number {
  const at = addressIn(kernelHeap(), view);
  if (n !== laidOut || heap !== kernelHeap()) layOut(n);
  return at;
}

const f32 = (at: number, n: number) => new Float32Array(heap!.memory.buffer, at, n);
const results = () => new Float64Array(heap!.memory.buffer, outAt, 8);

/** The address of spectrum S (n + 2 values) in the kernel's memory, copied there when not kept. */
function keptSpectrum(S: Float64Array, n: number): number {
  const at = kept.get(S);
  if (at !== undefined) return at;
  // The next free slot, or the oldest spectrum's when all are taken.
  let slot = keptBlockAt + kept.size * keptBytes;
  if (kept.size === KEPT) {
    const [oldest, at] = kept.entries().next().value!;
    kept.delete(oldest);
    slot = at;
  }
  new Float64Array(heap!.memory.buffer, slot, n + 2).set(S);
  kept.set(S, slot);
  return slot;
}

/** The first pass's sums (v = r[i] − o, t = i·2/(n−1) − 1). */
export interface FirstPassSums {
  /** The baseline o: the mean of the first max(1, ⌊n/8⌋) samples. */
  offset: number;
  /** Σv², Σv, Σtv, Σt²v, Σt³v. */
  rr: number;
  m0: number;
  m1: number;
  m2: number;
  m3: number;
}

/**
 * fitRecord's first pass over a float32 record: its baseline o, the float32 values r − o written
 * into `sink` (the transform's input), Σv² and the moments. The record stays in the kernel's
 * memory for `secondPass` (until the next first pass).
 */
export function firstPass(r: Float32Array, sink: Float32Array, out: FirstPassSums): void {
  const n = r.length;
  const sinkAt = readyFor(n, sink);
  f32(blockAt, n).set(r);
  kernel!.sevFirstPass(blockAt, sinkAt >= 0 ? sinkAt : xAt, n, outAt);
  if (sinkAt < 0) sink.set(f32(xAt, n));
  const s = results();
  out.rr = s[0];
  out.m0 = s[1];
  out.m1 = s[2];
  out.m2 = s[3];
  out.m3 = s[4];
  out.offset = s[5];
}

/**
 * fitRecord's second pass, against the record of the last `firstPass` and its offset o, for the
 * shifted SEV v = sd[i]·scale: into out[0..5] Σ(r − o)v, Σv², Σv, Σtv, Σt²v, Σt³v.
 */
export function secondPass(sd: Float32Array, o: number, scale: number, out: Float64Array): void {
  const n = laidOut;
  if (sd.length !== n) throw new RangeError(`sevFitKernel: shifted SEV has ${sd.length} samples, the record ${n}`);
  let sAt = addressIn(heap!, sd);
  if (sAt < 0) {
    f32(xAt, n).set(sd);
    sAt = xAt;
  }
  kernel!.sevSecondPass(blockAt, sAt, n, o, scale, outAt);
  out.set(results().subarray(0, 6));
}

/**
 * valueAtLag2's sums over the float32 spectrum X (length n, bin k at 2k, 2k+1) for bins
 * [1, last), phasors started at (cr, ci) and (c2r, c2i) and stepped by (c2r, c2i): into out[0..5]
 * s0, s1, s2 (odd k) and t0, t1, t2 (even k), bit for bit. Uses the buffer `secondPass` fills, not
 * the record.
 */
export function lagSums(X: Float32Array, last: number, cr: number, ci: number, c2r: number, c2i: number, out: Float64Array): void {
  const n = X.length;
  if (2 * last > n) throw new RangeError(`sevFitKernel: bins up to ${last} from a spectrum of ${n} values`);
  let at = readyFor(n, X);
  if (at < 0) {
    f32(xAt, n).set(X);
    at = xAt;
  }
  kernel!.sevLagSums(at, last, cr, ci, c2r, c2i, outAt);
  out.set(results().subarray(0, 6));
}

/**
 * sevFit.ts phaseRampPacked's loop over bins [1, n/2) of the SEV spectrum S (rfft layout, n + 2
 * values; kept in the kernel's memory, keyed by the array, while it is one of the last few used:
 * S must not change meanwhile, as a fit plan's does not), phasors as lagSums, written as float32
 * into packed[2, n). DC and Nyquist (packed[0], packed[1]) are the caller's.
 */
export function phaseRamp(S: Float64Array, n: number, cr: number, ci: number, c2r: number, c2i: number, packed: Float32Array): void {
  if (S.length !== n + 2 || packed.length !== n) throw new RangeError(`sevFitKernel: a spectrum of ${S.length} values and ${packed.length} outputs for records of ${n} samples`);
  const at = readyFor(n, packed);
  kernel!.sevPhaseRamp(keptSpectrum(S, n), n >> 1, cr, ci, c2r, c2i, at >= 0 ? at : xAt);
  if (at < 0) packed.set(f32(xAt, n).subarray(2), 2);
}
