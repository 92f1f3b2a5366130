// Optimum filter (Gatti–Manfredi): the linear filter that estimates the amplitude A of a
// known pulse shape s in record = A·s + stationary Gaussian noise with the smallest variance.
// Frequency domain, bins k of rfft: H_k = conj(S_k)·e^{−i2πk·t_m/N} / J_k, H_0 = 0, with
// J_k = E|X_k|² of the noise (V², unnormalised FFT units, = cait's `noise/nps` up to the window
// scale) and t_m = argmax(s), so the filtered pulse peaks at t_m. Normalised so that
// filtered(A·s)[t_m] = A:  H /= (1/N)·Σ_full |S_k|²/J_k  (Σ over all N bins = 2·interior + Nyquist).
// Predicted baseline resolution: σ_A² = 1 / Σ_full |S_k|²/J_k (exact for stationary noise,
// no window). With a window the estimator is a different linear functional of the record
// (baseline mean removed, window, filter, value at t_m); `predictedResolution` gives its exact
// variance for noise with the NPS (see there). cait conventions (`caitCompatible`): see
// `optimumFilter` below.
import type {EventChunk, RecordLayout} from "../types.js";
import {chunkRecord} from "../types.js";
import {irfft, oneSidedWeight, rfft} from "./fft.js";
import {tukey} from "./window.js";
import {leadingMean} from "./baseline.js";

export interface OptimumFilterOptions {
  /**
   * Reproduce cait's `optimal_transfer_function` + `get_amplitudes`: Tukey(0.25) on the SEV
   * before the transform, normalisation by the maximum of the filtered SEV·tukey², records:
   * minus the mean of the first 500 samples, times Tukey(0.25), amplitude = max over
   * [L/8, L − L/8). Default false.
   */
  caitCompatible?: boolean;
  /** Taper applied to records before filtering (native default "none"; cait "tukey"). */
  window?: "tukey" | "none";
  alpha?: number;
  /** Samples at the record start whose mean is subtracted before windowing (native L/8, cait 500). */
  baselineSamples?: number;
  /** Default search range [lo, hi) of the amplitude maximum (cait: [L/8, L − L/8)). */
  search?: [number, number];
}

export interface OptimumFilter {
  /** H on the n/2+1 bins, interleaved re, im, normalised to amplitude units (V per V of pulse height). */
  transfer: Float64Array;
  recordLength: number;
  sampleFrequency_Hz: number;
  triggerIndex: number;
  /** t_m: where the filtered SEV peaks (argmax of the SEV as given, or as windowed for cait). */
  peakIndex: number;
  /** Baseline resolution predicted from the spectra, V (NaN when no PSD is known). */
  resolution_V: number;
  /** Window applied to records before filtering, or null. */
  window: Float64Array | null;
  baselineSamples: number;
  search: [number, number];
  caitCompatible: boolean;
}

/** Per record length: the prepared record and its spectrum (filtering allocates nothing). */
const scratch = new Map<number, {x: Float64Array; spec: Float64Array}>();
function buffers(n: number) {
  let s = scratch.get(n);
  if (!s) scratch.set(n, (s = {x: new Float64Array(n), spec: new Float64Array(n + 2)}));
  return s;
}

export function argmax(x: ArrayLike<number>, lo = 0, hi = x.length): number {
  let best = lo;
  for (let i = lo + 1; i < hi; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** J_k = E|X_k|² (unwindowed, unnormalised FFT units) from a one-sided PSD in V²/Hz. */
function fftNoisePower(psd: ArrayLike<number>, n: number, fs: number): Float64Array {
  const h = n >> 1;
  const J = new Float64Array(h + 1);
  for (let k = 0; k <= h; k++) J[k] = (psd[k] * fs * n) / oneSidedWeight(k, n);
  return J;
}

/** (1/N²)·Σ_full |H_k|²·J_k: variance of the filter output for stationary noise with E|X_k|² = J_k. */
function outputVariance(H: Float64Array, J: Float64Array, n: number): number {
  const h = n >> 1;
  let s = 0;
  for (let k = 1; k <= h; k++) {
    const p = (H[2 * k] * H[2 * k] + H[2 * k + 1] * H[2 * k + 1]) * J[k];
    s += oneSidedWeight(k, n) * p;
  }
  return s / (n * n);
}

/**
 * Standard deviation of the amplitude at t_m (`ofAmplitudeAt`, `measuredResolution` "fixed")
 * for noise records with E|X_k|² = J_k, bins independent (stationary noise, circular over the
 * record: the model the NPS describes and lib/sim draws). The amplitude is a linear functional
 * Σ_t c_t·x_t of the raw record; without a window c_t = g[t_m − t] (g = irfft(H)) and the variance
 * is `outputVariance`; with one, c_t = w_t·g[t_m − t] − [t < B]·Σ_s w_s·g[t_m − s]/B (window, and
 * the mean of the first B samples removed first), and σ² = (1/N²)·Σ_full |C_k|²·J_k with C = rfft(c).
 * This is exact for the windowed filter actually applied; the no-window formula is off by a few
 * per cent with a Tukey(0.25) window, either way depending on the spectra.
 */
function predictedResolution(of: OptimumFilter, J: Float64Array): number {
  const n = of.recordLength, w = of.window;
  if (!w) return Math.sqrt(outputVariance(of.transfer, J, n));
  const g = impulseResponse(of);
  const tm = of.peakIndex;
  const c = new Float64Array(n);
  let a = 0;
  for (let t = 0; t < n; t++) a += (c[t] = w[t] * g[(tm - t + n) % n]);
  const B = Math.min(of.baselineSamples, n);
  for (let t = 0; t < B; t++) c[t] -= a / B;
  return Math.sqrt(outputVariance(rfft(c), J, n));
}

function resolveOptions(layout: RecordLayout, o: OptimumFilterOptions) {
  const n = layout.recordLength;
  const cait = o.caitCompatible ?? false;
  const windowKind = o.window ?? (cait ? "tukey" : "none");
  const alpha = o.alpha ?? 0.25;
  return {
    cait,
    alpha,
    window: windowKind === "tukey" ? tukey(n, alpha) : null,
    baselineSamples: o.baselineSamples ?? (cait ? 500 : n >> 3),
    search: o.search ?? ([n >> 3, n - (n >> 3)] as [number, number])
  };
}

/**
 * The optimum filter for pulse shape `sev` (normalise it to height 1 so amplitudes are pulse
 * heights in V) and noise PSD `psd_V2_per_Hz` (one-sided, n/2+1 bins). Bins with J = 0 get H = 0.
 */
export function optimumFilter(sev: ArrayLike<number>, psd_V2_per_Hz: ArrayLike<number>, layout: RecordLayout, options: OptimumFilterOptions = {}): OptimumFilter {
  const n = layout.recordLength;
  const h = n >> 1;
  if (sev.length !== n) throw new RangeError(`optimumFilter: SEV has ${sev.length} samples, layout says ${n}`);
  if (psd_V2_per_Hz.length !== h + 1) throw new RangeError(`optimumFilter: PSD has ${psd_V2_per_Hz.length} bins, layout implies ${h + 1}`);
  const o = resolveOptions(layout, options);
  const s = Float64Array.from(sev);
  const cw = o.cait ? tukey(n, o.alpha) : null;
  if (cw) for (let i = 0; i < n; i++) s[i] *= cw[i];
  const tm = argmax(s);
  const S = rfft(s);
  const J = fftNoisePower(psd_V2_per_Hz, n, layout.sampleFrequency_Hz);
  const H = new Float64Array(n + 2);
  let q = 0; // Σ_full |S|²/J
  for (let k = 1; k <= h; k++) {
    if (!(J[k] > 0)) continue;
    const th = (2 * Math.PI * k * tm) / n;
    const c = Math.cos(th), si = Math.sin(th);
    const sr = S[2 * k], sim = S[2 * k + 1];
    H[2 * k] = (sr * c - sim * si) / J[k];
    H[2 * k + 1] = (-sr * si - sim * c) / J[k];
    const p = (sr * sr + sim * sim) / J[k];
    q += oneSidedWeight(k, n) * p;
  }
  const of: OptimumFilter = {
    transfer: H, recordLength: n, sampleFrequency_Hz: layout.sampleFrequency_Hz, triggerIndex: layout.triggerIndex,
    peakIndex: tm, resolution_V: NaN, window: o.window, baselineSamples: o.baselineSamples, search: o.search, caitCompatible: o.cait
  };
  let norm: number;
  if (o.cait) {
    // cait: max of the filtered SEV, with the record window applied once more (sev·tukey²).
    const y = filterRecord(of, Float64Array.from(s), undefined, {skipBaseline: true});
    norm = y[argmax(y)];
  } else if (o.window) {
    // Unbiased at the template position for windowed records: filtered (windowed SEV) at t_m.
    norm = filterRecord(of, sev)[tm];
  } else {
    norm = q / n;
  }
  if (!(norm > 0)) throw new RangeError("optimumFilter: the SEV has no power where the noise PSD is non-zero");
  for (let i = 0; i < H.length; i++) H[i] /= norm;
  of.resolution_V = predictedResolution(of, J);
  return of;
}

/**
 * An optimum filter from a stored transfer function (cait `optimumfilter/optimumfilter_real|imag`
 * of one channel), applied with cait's conventions by default. `peakIndex` (for times) defaults to
 * the layout's trigger index; `psd_V2_per_Hz`, when given, yields the predicted resolution.
 */
export function optimumFilterFromTransfer(real: ArrayLike<number>, imag: ArrayLike<number>, layout: RecordLayout, options: OptimumFilterOptions & {peakIndex?: number; psd_V2_per_Hz?: ArrayLike<number>} = {}): OptimumFilter {
  const n = layout.recordLength;
  const h = n >> 1;
  if (real.length !== h + 1 || imag.length !== h + 1) throw new RangeError(`optimumFilterFromTransfer: expected ${h + 1} bins`);
  const o = resolveOptions(layout, {caitCompatible: true, ...options});
  const H = new Float64Array(n + 2);
  for (let k = 0; k <= h; k++) {
    H[2 * k] = real[k];
    H[2 * k + 1] = imag[k];
  }
  const of: OptimumFilter = {
    transfer: H, recordLength: n, sampleFrequency_Hz: layout.sampleFrequency_Hz, triggerIndex: layout.triggerIndex,
    peakIndex: options.peakIndex ?? layout.triggerIndex, resolution_V: NaN, window: o.window,
    baselineSamples: o.baselineSamples, search: o.search, caitCompatible: o.cait
  };
  if (options.psd_V2_per_Hz) of.resolution_V = predictedResolution(of, fftNoisePower(options.psd_V2_per_Hz, n, layout.sampleFrequency_Hz));
  return of;
}

/** Copy `record` into x, minus its leading baseline mean, times the window (when the filter has one). */
export function prepareRecord(of: OptimumFilter, record: ArrayLike<number>, x: Float64Array | Float32Array, skipBaseline = false): void {
  const n = of.recordLength;
  if (record.length !== n) throw new RangeError(`optimum filter: record has ${record.length} samples, filter expects ${n}`);
  // With H_0 = 0 a constant offset filters to exactly 0, so the baseline only matters under a window.
  const off = of.window && !skipBaseline ? leadingMean(record, Math.min(of.baselineSamples, n)) : 0;
  const w = of.window;
  if (w) for (let i = 0; i < n; i++) x[i] = (record[i] - off) * w[i];
  // A typed array is copied by `set` (a block copy, ≈ 15× faster than the loop; the same values).
  else if (ArrayBuffer.isView(record)) x.set(record as unknown as ArrayLike<number>);
  else for (let i = 0; i < n; i++) x[i] = record[i];
}

/** The filtered record (amplitude units, V): one rfft and one irfft, no allocation when `out` is given. */
export function filterRecord(of: OptimumFilter, record: ArrayLike<number>, out?: Float64Array, internal: {skipBaseline?: boolean} = {}): Float64Array {
  const n = of.recordLength;
  const {x, spec} = buffers(n);
  prepareRecord(of, record, x, internal.skipBaseline);
  rfft(x, spec);
  const H = of.transfer;
  for (let k = 0; k <= n >> 1; k++) {
    const a = spec[2 * k], b = spec[2 * k + 1], c = H[2 * k], d = H[2 * k + 1];
    spec[2 * k] = a * c - b * d;
    spec[2 * k + 1] = a * d + b * c;
  }
  return irfft(spec, n, out ?? new Float64Array(n)) as Float64Array;
}

export interface OfAmplitude {
  /** Maximum of the filtered record in the search range, V. */
  amplitude_V: number;
  /** Sample index of that maximum. */
  index: number;
  /** Time of the pulse relative to the SEV's position, (index − t_m)/fs in ms: 0 for a pulse aligned like the SEV (i.e. at the trigger). */
  time_ms: number;
}

const filtered = new Map<number, Float64Array>();

/** OF amplitude and time of one record: the maximum of the filtered record in `search` (default the filter's, cait [L/8, L−L/8)). */
export function ofAmplitude(of: OptimumFilter, record: ArrayLike<number>, options: {search?: [number, number]} = {}): OfAmplitude {
  const n = of.recordLength;
  let y = filtered.get(n);
  if (!y) filtered.set(n, (y = new Float64Array(n)));
  filterRecord(of, record, y);
  const [lo, hi] = options.search ?? of.search;
  const i = argmax(y, Math.max(0, lo), Math.min(n, hi));
  return {amplitude_V: y[i], index: i, time_ms: ((i - of.peakIndex) / of.sampleFrequency_Hz) * 1000};
}

const impulses = new WeakMap<OptimumFilter, Float64Array>();

/** g = irfft(H): filtered[j] = Σ_t x[t]·g[(j − t) mod N]. Cached per filter. */
export function impulseResponse(of: OptimumFilter): Float64Array {
  let g = impulses.get(of);
  if (!g) impulses.set(of, (g = irfft(of.transfer, of.recordLength) as Float64Array));
  return g;
}

/** The filtered record at one index (default t_m) by a dot product with the impulse response: O(N), no FFT. */
export function ofAmplitudeAt(of: OptimumFilter, record: ArrayLike<number>, index = of.peakIndex): number {
  const n = of.recordLength;
  const g = impulseResponse(of);
  const {x} = buffers(n);
  prepareRecord(of, record, x);
  let s = 0;
  // t ≤ index: g[index − t]; t > index: g[index − t + n].
  for (let t = 0; t <= index; t++) s += x[t] * g[index - t];
  for (let t = index + 1; t < n; t++) s += x[t] * g[index - t + n];
  return s;
}

/**
 * ofAmplitudeAt(of, ·) at t_m for many records (measuredResolution's "fixed" mode): the window and the impulse response folded once
 * into u[t] = w[t]·g[(t_m − t) mod n], so a record costs one pass, Σ (r[t] − offset)·u[t]
 * (the same value to rounding: each term is ((r − offset)·w)·g there, (r − offset)·(w·g) here,
 * summed in four interleaved parts).
 */
export function ofAmplitudeAtPeak(of: OptimumFilter): (record: ArrayLike<number>) => number {
  const n = of.recordLength, tm = of.peakIndex;
  const g = impulseResponse(of), w = of.window;
  const u = new Float64Array(n);
  for (let t = 0; t < n; t++) u[t] = (w ? w[t] : 1) * g[(tm - t + n) % n];
  const m = Math.min(of.baselineSamples, n);
  return (record) => {
    if (record.length !== n) throw new RangeError(`optimum filter: record has ${record.length} samples, filter expects ${n}`);
    // As prepareRecord: the leading baseline only matters under a window (H_0 = 0).
    const off = w ? leadingMean(record, m) : 0;
    // Four partial sums: one chain waited on the last add (≈ 4 cycles per sample).
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const n4 = n - (n % 4);
    for (let t = 0; t < n4; t += 4) {
      s0 += (record[t] - off) * u[t];
      s1 += (record[t + 1] - off) * u[t + 1];
      s2 += (record[t + 2] - off) * u[t + 2];
      s3 += (record[t + 3] - off) * u[t + 3];
    }
    for (let t = n4; t < n; t++) s0 += (record[t] - off) * u[t];
    return s0 + s1 + s2 + s3;
  };
}

export interface MeasuredResolution {
  sigma_V: number;
  mean_V: number;
  count: number;
}

/**
 * Baseline resolution measured on empty noise records: standard deviation of the OF amplitudes.
 * mode "fixed" (default) evaluates at the fixed peak position t_m (comparable with `resolution_V`);
 * "search" takes the maximum in the search range, as amplitudes of events are estimated — its
 * mean is biased upwards (a maximum of noise) and its width is smaller than σ.
 */
export function measuredResolution(of: OptimumFilter, noiseRecords: Iterable<ArrayLike<number>>, options: {mode?: "fixed" | "search"} = {}): MeasuredResolution {
  const mode = options.mode ?? "fixed";
  const at = mode === "fixed" ? ofAmplitudeAtPeak(of) : (r: ArrayLike<number>) => ofAmplitude(of, r).amplitude_V;
  return amplitudeSpread((function* () {
    for (const r of noiseRecords) yield at(r);
  })());
}

/** Mean and sample standard deviation (Welford) of OF amplitudes of noise: a measured resolution. */
export function amplitudeSpread(amplitudes: Iterable<number>): MeasuredResolution {
  let n = 0, mean = 0, m2 = 0;
  for (const a of amplitudes) {
    n++;
    const d = a - mean;
    mean += d / n;
    m2 += d * (a - mean);
  }
  return {sigma_V: n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN, mean_V: n > 0 ? mean : NaN, count: n};
}

/** OF columns of one chunk: row = i·nChannels + c for event i of the chunk, channel c (as lib/dsp/features.ts). */
export interface OfFeatureColumns {
  rows: number;
  event: Int32Array;
  channel: Int32Array;
  of_amplitude_V: Float64Array;
  of_time_ms: Float64Array;
}

/** OF amplitude and time for every (event, channel) of a chunk, with one filter per channel. */
export function ofFeatures(chunk: EventChunk, ofPerChannel: readonly OptimumFilter[], options: {search?: [number, number]} = {}): OfFeatureColumns {
  const {count, nChannels} = chunk;
  if (ofPerChannel.length < nChannels) throw new RangeError(`ofFeatures: ${ofPerChannel.length} filters for ${nChannels} channels`);
  const rows = count * nChannels;
  const out: OfFeatureColumns = {
    rows, event: new Int32Array(rows), channel: new Int32Array(rows),
    of_amplitude_V: new Float64Array(rows), of_time_ms: new Float64Array(rows)
  };
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < nChannels; c++) {
      const r = i * nChannels + c;
      const a = ofAmplitude(ofPerChannel[c], chunkRecord(chunk, c, i), options);
      out.event[r] = chunk.start + i;
      out.channel[r] = c;
      out.of_amplitude_V[r] = a.amplitude_V;
      out.of_time_ms[r] = a.time_ms;
    }
  }
  return out;
}
