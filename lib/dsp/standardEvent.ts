// Standard event (SEV): the average pulse of one channel, cait's `calc_sev` — per record the
// baseline (mean of the first L/8) is removed, records are averaged and the mean is scaled to a
// maximum of 1. Added here: the records are aligned before averaging, so that onset jitter does
// not smear the rise.
//
// Alignment (fit-free): each record's shift δ against a reference pulse is the maximum of their
// cross-correlation, found on the integer lags by an inverse FFT and refined to a sub-sample
// lag by golden-section search on the band-limited (Fourier) interpolation of the
// correlation. The record is then shifted by −δ in the Fourier domain (sub-sample, circular:
// the few samples that wrap round are baseline or far tail, both ≈ 0) and its spectrum is
// added to a running sum; one inverse FFT at the end gives the SEV. So a record costs two FFTs
// and nothing but the running sum is kept: a SEV over a 2 GB file streams.
//
// The reference is the unaligned mean of the first `warmup` records (buffered until then),
// or one the caller passes (e.g. a previous SEV). The SEV therefore sits where the
// reference's pulse sits, i.e. at the mean onset of the warm-up records.

import type {RecordLayout} from "../types.js";
import {irfft, rfft} from "./fft.js";
import {baselineOffset} from "./baseline.js";

export interface StandardEventOptions {
  /** Align records by cross-correlation before averaging (default true). */
  align?: boolean;
  /** Largest shift searched, ms (default 10 ms). */
  maxShift_ms?: number;
  /** Records averaged, unaligned, to make the alignment reference (default 16). */
  warmup?: number;
  /** Alignment reference (any scale, same layout); replaces the warm-up average. */
  reference?: ArrayLike<number>;
}

export interface StandardEvent {
  /** The SEV, baseline 0, maximum 1 (as cait). */
  sev: Float64Array;
  /** Records averaged. */
  count: number;
  layout: RecordLayout;
  /** Per record added (in order): the shift removed by alignment, ms (0 when not aligned). */
  shifts_ms: Float64Array;
  /** Maximum of the mean before normalisation, V: the mean pulse height of the selection. */
  amplitude_V: number;
}

/**
 * Σ_k X_k e^{+2πikδ/n} over the one-sided spectrum `X` (rfft layout, n/2+1 bins), scaled by
 * 1/n: the value at real lag δ of the band-limited sequence whose spectrum is X (for X the
 * cross-spectrum R·conj(S), the correlation Σ r[i] s[i−δ] with s shifted by δ samples).
 * O(n), one complex multiply per bin via a rotating phasor.
 */
export function spectralValueAt(X: Float64Array, n: number, delta: number): number {
  const m = n >> 1;
  const w = (2 * Math.PI * delta) / n;
  const cr = Math.cos(w), ci = Math.sin(w);
  let zr = cr, zi = ci; // e^{iwk} at k = 1
  let acc = 0;
  // Odd n has no Nyquist bin: its last bin m is an ordinary one, counted twice.
  const last = n & 1 ? m + 1 : m;
  for (let k = 1; k < last; k++) {
    acc += X[2 * k] * zr - X[2 * k + 1] * zi;
    const t = zr * cr - zi * ci;
    zi = zr * ci + zi * cr;
    zr = t;
  }
  // DC and Nyquist count once, the rest twice (the conjugate half of the spectrum).
  return (X[0] + 2 * acc + (n & 1 ? 0 : X[2 * m] * Math.cos(Math.PI * delta))) / n;
}

/** Golden-section maximum of f on [a, b] to a tolerance `tol`. */
export function goldenMax(f: (x: number) => number, a: number, b: number, tol = 1e-3): {x: number; value: number} {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = f(c), fd = f(d);
  while (b - a > tol) {
    if (fc > fd) {
      b = d; d = c; fd = fc;
      c = b - g * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd;
      d = a + g * (b - a); fd = f(d);
    }
  }
  return fc > fd ? {x: c, value: fc} : {x: d, value: fd};
}

/** Index of the maximum of `c` over circular lags −maxLag…maxLag. */
function bestIntegerLag(c: ArrayLike<number>, n: number, maxLag: number): number {
  let best = 0, bestV = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const v = c[(lag + n) % n];
    if (v > bestV) { bestV = v; best = lag; }
  }
  return best;
}

/** `record` minus the mean of its first L/8 samples (cait's SEV baseline), into `out` (default a new array). */
function baselineSubtracted(record: ArrayLike<number>, L: number, out: Float64Array = new Float64Array(L)): Float64Array {
  const b = baselineOffset(record, L);
  for (let i = 0; i < L; i++) out[i] = record[i] - b;
  return out;
}

/** Streaming SEV: `add` records one at a time (any order of chunks), then `result()`. */
export class StandardEventBuilder {
  readonly layout: RecordLayout;
  private readonly align: boolean;
  private readonly maxLag: number;
  private readonly warmup: number;
  private readonly n: number;
  /** Running sum of aligned spectra (align) or of records (no align). */
  private readonly sum: Float64Array;
  private refSpec: Float64Array | undefined;
  private pending: Float64Array[] = [];
  private readonly shifts: number[] = [];
  private readonly spec: Float64Array;
  private readonly cross: Float64Array;
  private readonly corr: Float64Array;
  /** The baseline-subtracted record, reused once it need not be kept (warm-up). */
  private readonly x: Float64Array;
  private added = 0;

  constructor(layout: RecordLayout, options: StandardEventOptions = {}) {
    this.layout = layout;
    const n = (this.n = layout.recordLength);
    this.align = options.align ?? true;
    this.maxLag = Math.min(Math.floor(n / 2) - 1, Math.round(((options.maxShift_ms ?? 10) * layout.sampleFrequency_Hz) / 1000));
    this.warmup = Math.max(1, options.warmup ?? 16);
    this.sum = new Float64Array(this.align ? n + 2 : n);
    this.spec = new Float64Array(n + 2);
    this.cross = new Float64Array(n + 2);
    this.corr = new Float64Array(n);
    this.x = new Float64Array(n);
    if (options.reference) {
      if (options.reference.length !== n) throw new RangeError(`reference has ${options.reference.length} samples, layout ${n}`);
      this.refSpec = rfft(baselineSubtracted(options.reference, n));
    }
  }

  /** Records added so far. */
  get count(): number {
    return this.added;
  }

  add(record: ArrayLike<number>): void {
    const n = this.n;
    if (record.length !== n) throw new RangeError(`record has ${record.length} samples, layout says ${n}`);
    // Warm-up records are kept until the reference exists; the others are done with at once.
    const x = baselineSubtracted(record, n, this.align && !this.refSpec ? undefined : this.x);
    for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) throw new RangeError(`record ${this.added} has a non-finite sample at ${i}`);
    this.added++;
    if (!this.align) {
      for (let i = 0; i < n; i++) this.sum[i] += x[i];
      this.shifts.push(0);
      return;
    }
    if (!this.refSpec) {
      this.pending.push(x);
      if (this.pending.length >= this.warmup) this.flushWarmup();
      return;
    }
    this.addAligned(x);
  }

  /** Reference = unaligned mean of the buffered records; then align and add them. */
  private flushWarmup(): void {
    const n = this.n;
    const mean = new Float64Array(n);
    for (const x of this.pending) for (let i = 0; i < n; i++) mean[i] += x[i];
    this.refSpec = rfft(mean);
    const pending = this.pending;
    this.pending = [];
    for (const x of pending) this.addAligned(x);
  }

  private addAligned(x: Float64Array): void {
    const n = this.n;
    const R = rfft(x, this.spec);
    const S = this.refSpec!;
    const X = this.cross;
    for (let k = 0; k <= n / 2; k++) {
      const rr = R[2 * k], ri = R[2 * k + 1], sr = S[2 * k], si = S[2 * k + 1];
      X[2 * k] = rr * sr + ri * si; // R·conj(S)
      X[2 * k + 1] = ri * sr - rr * si;
    }
    const c = irfft(X, n, this.corr);
    const lag = bestIntegerLag(c, n, this.maxLag);
    const delta = goldenMax((d) => spectralValueAt(X, n, d), lag - 1, lag + 1, 1e-3).x;
    this.shifts.push((delta * 1000) / this.layout.sampleFrequency_Hz);
    // y[i] = x[i + δ]: Y_k = R_k e^{+2πikδ/n}.
    const w = (2 * Math.PI * delta) / n;
    const sum = this.sum;
    for (let k = 0; k <= n / 2; k++) {
      const cr = Math.cos(w * k), ci = Math.sin(w * k);
      const rr = R[2 * k], ri = R[2 * k + 1];
      sum[2 * k] += rr * cr - ri * ci;
      sum[2 * k + 1] += rr * ci + ri * cr;
    }
  }

  /** The SEV of the records added so far (the builder stays usable). */
  result(): StandardEvent {
    if (this.added === 0) throw new RangeError("standard event of no records");
    const n = this.n;
    let mean: Float64Array;
    if (!this.align) {
      mean = this.sum.slice();
    } else {
      if (!this.refSpec) this.flushWarmup();
      const spec = this.sum.slice();
      // A real sequence's Nyquist bin (even n) is real; the shift phase would otherwise be dropped unevenly.
      if (!(n & 1)) spec[n + 1] = 0;
      mean = irfft(spec, n) as Float64Array;
    }
    for (let i = 0; i < n; i++) mean[i] /= this.added;
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (mean[i] > max) max = mean[i];
    if (!(max > 0)) throw new RangeError("standard event has no positive maximum: are these pulses?");
    for (let i = 0; i < n; i++) mean[i] /= max;
    return {sev: mean, count: this.added, layout: this.layout, shifts_ms: Float64Array.from(this.shifts), amplitude_V: max};
  }
}

/** SEV of `records` (one channel), see StandardEventBuilder. */
export function standardEvent(records: Iterable<ArrayLike<number>>, layout: RecordLayout, options: StandardEventOptions = {}): StandardEvent {
  const b = new StandardEventBuilder(layout, options);
  for (const r of records) b.add(r);
  return b.result();
}
