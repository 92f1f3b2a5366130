// The SEV fit's two passes over the samples (sevFit.ts fitRecord with PFFFT) in WebAssembly
// (kernels/sevpass.as.ts, SIMD): the same float32 input for the transform, the sums in four lanes
// (equal to fitRecord's in-order sums to rounding, test/sevFitKernel.test.ts), ≈ 17 µs per pass
// where V8 takes ≈ 30; and Newton's passes over the cross-spectrum (valueAtLag2) with its two
// phasor recurrences as the two lanes of one, the same sums to the bit; and the shifted SEV's
// spectrum (phaseRampPacked) the same way, the same float32 values to the bit (≈ 18 µs per
// record in V8).
//
// One instance per JavaScript thread, compiled synchronously from < 1 kB of base64 on first use,
// with its own memory laid out for the last record length: the record, a float32 buffer, 8
// results, then the SEV spectra kept for phaseRamp (the last KEPT of them).

import {SEVPASS_WASM_BASE64} from "./kernels/sevpassWasm.js";
import {growTo, instantiateKernel} from "./kernels/instance.js";

interface KernelExports {
  memory: WebAssembly.Memory;
  sevFirstPass(r: number, x: number, n: number, out: number): void;
  sevSecondPass(r: number, s: number, n: number, o: number, scale: number, out: number): void;
  sevLagSums(X: number, last: number, cr: number, ci: number, c2r: number, c2i: number, out: number): void;
  sevPhaseRamp(S: number, half: number, cr: number, ci: number, c2r: number, c2i: number, out: number): void;
}

/** SEV spectra kept in the kernel's memory at once (a run's channels; older ones are replaced). */
const KEPT = 4;

let kernel: KernelExports | undefined;
let laidOut = 0;
let xAt = 0, outAt = 0;
let record = new Float32Array(0), buffer = new Float32Array(0), results = new Float64Array(0);
/** Where each kept spectrum is (slots after the results; the Map's order is the order they were kept). */
let kept = new Map<Float64Array, number>();
let keptAt = 0, keptBytes = 0;

const instantiate = () => instantiateKernel<KernelExports>(SEVPASS_WASM_BASE64, "SEV-fit kernel");

/** Lays out memory for records of n samples: r (f32) at 0, x (f32), then the results (f64). */
function layOut(n: number): void {
  const k = (kernel ??= instantiate());
  xAt = Math.ceil((4 * n) / 16) * 16;
  outAt = 2 * xAt;
  keptAt = outAt + 8 * 8;
  keptBytes = Math.ceil((8 * (n + 2)) / 16) * 16;
  growTo(k.memory, keptAt + KEPT * keptBytes);
  record = new Float32Array(k.memory.buffer, 0, n);
  buffer = new Float32Array(k.memory.buffer, xAt, n);
  results = new Float64Array(k.memory.buffer, outAt, 8);
  kept = new Map();
  laidOut = n;
}

/** The address of spectrum S (n + 2 values) in the kernel's memory, copied there when not kept. */
function keptSpectrum(S: Float64Array, n: number): number {
  const at = kept.get(S);
  if (at !== undefined) return at;
  // The next free slot, or the oldest spectrum's when all are taken.
  let slot = keptAt + kept.size * keptBytes;
  if (kept.size === KEPT) {
    const [oldest, at] = kept.entries().next().value!;
    kept.delete(oldest);
    slot = at;
  }
  new Float64Array(kernel!.memory.buffer, slot, n + 2).set(S);
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
  if (n !== laidOut) layOut(n);
  record.set(r);
  kernel!.sevFirstPass(0, xAt, n, outAt);
  sink.set(buffer);
  const s = results;
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
  buffer.set(sd);
  kernel!.sevSecondPass(0, xAt, n, o, scale, outAt);
  out.set(results.subarray(0, 6));
}

/**
 * valueAtLag2's sums over the float32 spectrum X (length n, bin k at 2k, 2k+1) for bins
 * [1, last), phasors started at (cr, ci) and (c2r, c2i) and stepped by (c2r, c2i): into out[0..5]
 * s0, s1, s2 (odd k) and t0, t1, t2 (even k), bit for bit. Uses the buffer `secondPass` fills, not
 * the record.
 */
export function lagSums(X: Float32Array, last: number, cr: number, ci: number, c2r: number, c2i: number, out: Float64Array): void {
  const n = X.length;
  if (n !== laidOut) layOut(n);
  if (2 * last > n) throw new RangeError(`sevFitKernel: bins up to ${last} from a spectrum of ${n} values`);
  buffer.set(X);
  kernel!.sevLagSums(xAt, last, cr, ci, c2r, c2i, outAt);
  out.set(results.subarray(0, 6));
}

/**
 * sevFit.ts phaseRampPacked's loop over bins [1, n/2) of the SEV spectrum S (rfft layout, n + 2
 * values; kept in the kernel's memory, keyed by the array, while it is one of the last few used:
 * S must not change meanwhile, as a fit plan's does not), phasors as lagSums, written as float32
 * into packed[2, n). DC and Nyquist (packed[0], packed[1]) are the caller's.
 */
export function phaseRamp(S: Float64Array, n: number, cr: number, ci: number, c2r: number, c2i: number, packed: Float32Array): void {
  if (n !== laidOut) layOut(n);
  if (S.length !== n + 2 || packed.length !== n) throw new RangeError(`sevFitKernel: a spectrum of ${S.length} values and ${packed.length} outputs for records of ${n} samples`);
  kernel!.sevPhaseRamp(keptSpectrum(S, n), n >> 1, cr, ci, c2r, c2i, xAt);
  packed.set(buffer.subarray(2), 2);
}
