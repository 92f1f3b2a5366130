// Optimum-filter trigger on continuous streams (cait versatile `trigger_of`):
// the stream is filtered block by block (overlap-save) with the OF's impulse response, the
// filtered amplitude is compared with a threshold; on a crossing at j the trigger is the argmax
// of the filtered stream in [j, j + search) (cait: search = RL), and the walk resumes at
// trigger + dead (cait: RL/2). Memory is bounded by a few FFT blocks, so hour-long streams work.
//
// A second walk, `method: "record-windows"`, is cait's legacy `trigger_csmpl` (the one CRESST
// streams were triggered with, and the one `stream_trigger_reference.json` records): see
// `triggerRecordWindows` below. Both take the stream as an array or as a block source, so a
// stream on disk is triggered without loading it.
//
// Differences from cait: cait convolves with irfft(H) as a causal kernel (lags 0..N−1), so
// negative lags of the OF (the samples after t_m) come out delayed by N; here the kernel is
// centred (lags −N/2..N/2−1), which is the record filter made linear: a pulse aligned like the
// SEV with its trigger index at sample p gives the filtered maximum at p − triggerIndex + t_m.
import type {BlockSource, EventChunk, FloatArray, RecordGroup, RecordLayout} from "../types.js";
import {irfft, rfft} from "./fft.js";
import {RealConvolver, type PffftModule} from "./realConvolver.js";
import {filterRecord, impulseResponse, prepareRecord, type OptimumFilter} from "./optimumFilter.js";


/** A source reading an array, extending it with its first/last sample beyond the ends (a constant filters to 0 when H_0 = 0). */
export function arraySource(x: ArrayLike<number>): BlockSource {
  const n = x.length;
  return (buf, start) => {
    for (let i = 0; i < buf.length; i++) {
      const j = start + i;
      buf[i] = x[j < 0 ? 0 : j >= n ? n - 1 : j];
    }
  };
}

/**
 * FFT size of the overlap-save blocks for a kernel of N samples: the power of two ≥ 4N (4N itself
 * for power-of-two N). Any size > N is correct; a power of two takes the fastest transforms
 * (fft.js, PFFFT) whatever the record length.
 */
export function blockFftSize(N: number): number {
  let M = 1;
  while (M < 4 * N) M *= 2;
  return M;
}

/**
 * Linear convolution y[j] = Σ_m kernel[m mod N]·x[j − m], m ∈ [−N/2, N/2), of a signal of
 * `length` samples, by overlap-save with FFTs of `fftSize` (default `blockFftSize(N)`): yields consecutive
 * output blocks {start, values} (values is reused: copy it if you keep it). Cost per output
 * sample: one rfft + one irfft of fftSize per fftSize − N samples. With `pffft` (the loaded
 * module, lib/dsp/realConvolver.ts) the blocks are filtered in float32 by PFFFT, ≈ 4× faster.
 */
export function* convolveBlocks(source: BlockSource, length: number, kernel: ArrayLike<number>, fftSize = blockFftSize(kernel.length), pffft?: PffftModule): Generator<{start: number; values: FloatArray}> {
  const N = kernel.length, M = fftSize, half = N >> 1, V = M - N;
  if (V <= 0) throw new RangeError(`convolveBlocks: fftSize ${M} must exceed the kernel length ${N}`);
  const kp = new Float64Array(M);
  for (let i = 0; i < half; i++) kp[i] = kernel[i];
  for (let i = half; i < N; i++) kp[M - N + i] = kernel[i];
  const K = rfft(kp);
  const buf = new Float64Array(M);
  if (pffft) {
    const conv = new RealConvolver(pffft, M, K);
    try {
      for (let s = 0; s < length; s += V) {
        source(buf, s - half);
        conv.input().set(buf);
        yield {start: s, values: conv.run().subarray(half, half + Math.min(V, length - s))};
      }
    } finally {
      conv.dispose();
    }
    return;
  }
  const spec = new Float64Array(M + 2), out = new Float64Array(M);
  for (let s = 0; s < length; s += V) {
    source(buf, s - half);
    rfft(buf, spec);
    for (let k = 0; k <= M >> 1; k++) {
      const a = spec[2 * k], b = spec[2 * k + 1], c = K[2 * k], d = K[2 * k + 1];
      spec[2 * k] = a * c - b * d;
      spec[2 * k + 1] = a * d + b * c;
    }
    irfft(spec, M, out);
    yield {start: s, values: out.subarray(half, half + Math.min(V, length - s))};
  }
}

/** A stream that is read block by block (e.g. from a file) rather than held as an array. */
export interface StreamInput {
  source: BlockSource;
  length: number;
}

function asStream(stream: ArrayLike<number> | StreamInput): StreamInput {
  return "source" in stream ? stream : {source: arraySource(stream), length: stream.length};
}

/** The OF impulse response as a centred kernel (index m mod N = lag m): filtered = kernel ∗ stream. */
export function ofKernel(of: OptimumFilter): Float64Array {
  return impulseResponse(of);
}

/** The whole filtered stream (amplitude units, V) — for plots and tests; `triggerStream` does not keep it. */
export function filterStream(of: OptimumFilter, stream: ArrayLike<number>, out = new Float32Array(stream.length), pffft?: PffftModule): Float32Array {
  for (const {start, values} of convolveBlocks(arraySource(stream), stream.length, ofKernel(of), blockFftSize(of.recordLength), pffft)) out.set(values, start);
  return out;
}

export interface TriggerOptions {
  threshold_V: number;
  /**
   * "filter-walk" (default): cait versatile `trigger_of` on the whole filtered stream.
   * "record-windows": cait legacy `trigger_csmpl`, record-sized windows (see triggerRecordWindows).
   */
  method?: "filter-walk" | "record-windows";
  /** record-windows: overlap of consecutive windows, samples (cait: RL/8). */
  overlapSamples?: number;
  /** record-windows: samples after a trigger in which no other is taken (cait trigger_block: RL). */
  blockSamples?: number;
  /** record-windows: start of the first window, samples (cait's phase is not documented; default 0). */
  firstWindowStart?: number;
  /** Samples after a crossing within which the maximum is taken (cait trigger_of: RL). */
  searchSamples?: number;
  /** Samples after a trigger before the walk resumes (cait trigger_of: RL/2). */
  deadSamples?: number;
  /** Time of sample 0, s. Default 0. */
  startTime_s?: number;
  /** Filter with PFFFT (float32; `await loadPffft()` from lib/dsp/realConvolver.ts) instead of fft.js. */
  pffft?: PffftModule;
}

export interface Trigger {
  /** Sample of the filtered maximum (cait's trigger index). */
  sample: number;
  /** Where the SEV's trigger index falls for this pulse: sample − t_m + triggerIndex (the onset alignment of records). */
  alignedSample: number;
  /** Time of `sample`, s. */
  time_s: number;
  /** Filtered amplitude at the maximum, V. */
  amplitude_V: number;
  /** record-windows: start of the window in which the trigger was taken (cait's record start). */
  recordStart?: number;
}

/**
 * OF trigger of one stream (see the file comment). Walk: j advances one sample at a time; if
 * filtered[j] > threshold, trigger = argmax over [j, j + search) (truncated at the stream end),
 * then j = trigger + dead.
 */
export function triggerStream(of: OptimumFilter, stream: ArrayLike<number> | StreamInput, options: TriggerOptions): Trigger[] {
  const input = asStream(stream);
  if (options.method === "record-windows") return triggerRecordWindows(of, input, options);
  if (options.method !== undefined && options.method !== "filter-walk") throw new RangeError(`triggerStream: unknown method "${options.method}"`);
  const L = of.recordLength;
  const W = options.searchSamples ?? L;
  const D = options.deadSamples ?? L >> 1;
  const thr = options.threshold_V;
  const fs = of.sampleFrequency_Hz, t0 = options.startTime_s ?? 0;
  const n = input.length;
  const kernel = ofKernel(of);
  const M = blockFftSize(L);
  if (W > M - L) throw new RangeError(`triggerStream: search window ${W} longer than a filter block ${M - L}`);
  // Two consecutive output blocks are kept so a search window may run into the next block.
  let prev = new Float64Array(M - L), cur = new Float64Array(M - L);
  let prevStart = 0, curStart = 0, curLen = 0;
  const at = (j: number) => (j >= curStart ? cur[j - curStart] : prev[j - prevStart]);
  const triggers: Trigger[] = [];
  let j = 0;
  for (const {start, values} of convolveBlocks(input.source, n, kernel, M, options.pffft)) {
    [prev, cur] = [cur, prev];
    prevStart = curStart;
    curStart = start;
    curLen = values.length;
    cur.set(values);
    const end = start + curLen;
    const last = end >= n;
    while (j < end) {
      if (j >= curStart) {
        // Tight scan to the next crossing within the current block (the hot loop).
        let i = j - curStart;
        while (i < curLen && !(cur[i] > thr)) i++;
        j = curStart + i;
        if (j >= end) break;
      }
      if (at(j) > thr) {
        const stop = Math.min(j + W, n);
        if (stop > end && !last) break; // finish this search when the next block is in
        let best = j, bv = at(j);
        for (let i = j + 1; i < stop; i++) {
          const v = at(i);
          if (v > bv) {
            bv = v;
            best = i;
          }
        }
        triggers.push({sample: best, alignedSample: best - of.peakIndex + of.triggerIndex, time_s: t0 + best / fs, amplitude_V: bv});
        j = best + D;
      } else j++;
    }
  }
  return triggers;
}

function argmaxIn(y: ArrayLike<number>, lo: number, hi: number): number {
  let best = lo;
  for (let i = lo + 1; i < hi; i++) if (y[i] > y[best]) best = i;
  return best;
}

/**
 * cait's legacy `trigger_csmpl` (after Ferreiro Iachellini 2018), reproduced from its
 * description and checked against cait's triggers on the reference streams:
 * windows of RL samples start every RL − 2·overlap samples. Each window is filtered as a record:
 * minus the mean of its first overlap/2 samples, times the filter's window (Tukey), times H.
 * The maximum is taken in [max(block, overlap), RL − overlap). Above threshold, the window is
 * moved to start overlap + 1 samples before that maximum and filtered again; the maximum of the
 * moved window in [overlap, RL − overlap) is the trigger (so a larger pulse just after the first
 * crossing wins). The walk then continues from the moved window, and triggers within
 * `blockSamples` (RL) after a trigger are blocked. The "+ 1" and "continues from the moved
 * window" are not in the description; they are what makes all 52 trigger samples and 51 of 52
 * record starts equal cait's on the reference streams (the other one depends on the walk's phase
 * before the first trigger: see test/streamTrigger.test.ts). Cost: one rfft + irfft of RL per
 * RL − 2·overlap samples, plus one per trigger.
 */
export function triggerRecordWindows(of: OptimumFilter, stream: ArrayLike<number> | StreamInput, options: TriggerOptions): Trigger[] {
  const {source, length: n} = asStream(stream);
  const L = of.recordLength;
  const ov = options.overlapSamples ?? L >> 3;
  const blockLen = options.blockSamples ?? L;
  const stride = L - 2 * ov;
  if (!(ov >= 1 && stride > 0)) throw new RangeError(`triggerRecordWindows: overlap ${ov} must be in [1, RL/2) (RL ${L})`);
  const thr = options.threshold_V;
  const fs = of.sampleFrequency_Hz, t0 = options.startTime_s ?? 0;
  // cait subtracts the mean of the first overlap/2 samples of every window before the window function.
  const f: OptimumFilter = {...of, baselineSamples: Math.max(1, ov >> 1)};
  const rec = new Float64Array(L), y64 = new Float64Array(L);
  // Exact float64 (fft.js, matches cait to 1e-9) or PFFFT float32 (faster, ≈1e-7 relative).
  const conv = options.pffft ? new RealConvolver(options.pffft, L, of.transfer) : undefined;
  const filter = (): ArrayLike<number> => {
    if (!conv) return filterRecord(f, rec, y64);
    prepareRecord(f, rec, conv.input());
    return conv.run();
  };
  try {
    const triggers: Trigger[] = [];
    let counter = options.firstWindowStart ?? 0, block = 0;
    while (counter + L <= n) {
      source(rec, counter);
      let y = filter();
      const lo = Math.max(block, ov), hi = L - ov;
      if (lo < hi) {
        const t = argmaxIn(y, lo, hi);
        if (y[t] > thr) {
          const start = Math.max(0, counter + t - ov - 1);
          if (start + L <= n) {
            source(rec, start);
            y = filter();
            const t2 = argmaxIn(y, ov, hi);
            const sample = start + t2;
            triggers.push({sample, alignedSample: sample - of.peakIndex + of.triggerIndex, time_s: t0 + sample / fs, amplitude_V: y[t2], recordStart: start});
            counter = start;
            block = t2 + blockLen;
          }
        }
      }
      counter += stride;
      block = Math.max(0, block - stride);
    }
    return triggers;
  } finally {
    conv?.dispose();
  }
}

/** k·σ. */
export function thresholdFromResolution(kSigma: number, resolution_V: number): number {
  return kSigma * resolution_V;
}

export interface FilteredNoiseStats {
  /** Standard deviation of the filtered noise (= the predicted OF resolution), V. */
  sigma_V: number;
  /** Rice's mean rate of up-crossings of level 0, ν₀ = (1/2π)·√(λ₂/λ₀), Hz. */
  zeroUpcrossingRate_Hz: number;
}

/**
 * Spectral moments of the OF-filtered noise: λ₀ = (fs/N)Σ_k |H_k|²·P_k and
 * λ₂ = (fs/N)Σ_k (2πf_k)²·|H_k|²·P_k (one-sided PSD P in V²/Hz on the filter's bins).
 */
export function filteredNoiseStats(of: OptimumFilter, psd_V2_per_Hz: ArrayLike<number>): FilteredNoiseStats {
  const N = of.recordLength, h = N >> 1, fs = of.sampleFrequency_Hz, H = of.transfer;
  if (psd_V2_per_Hz.length !== h + 1) throw new RangeError(`filteredNoiseStats: PSD has ${psd_V2_per_Hz.length} bins, filter ${h + 1}`);
  let l0 = 0, l2 = 0;
  for (let k = 1; k <= h; k++) {
    const p = (H[2 * k] * H[2 * k] + H[2 * k + 1] * H[2 * k + 1]) * psd_V2_per_Hz[k];
    const w = (2 * Math.PI * k * fs) / N;
    l0 += p;
    l2 += w * w * p;
  }
  l0 *= fs / N;
  l2 *= fs / N;
  return {sigma_V: Math.sqrt(l0), zeroUpcrossingRate_Hz: Math.sqrt(l2 / l0) / (2 * Math.PI)};
}

/** Expected noise-trigger rate at threshold u (Rice: ν₀·e^{−u²/2σ²}), Hz. */
export function noiseTriggerRate_Hz(stats: FilteredNoiseStats, threshold_V: number): number {
  return stats.zeroUpcrossingRate_Hz * Math.exp(-(threshold_V * threshold_V) / (2 * stats.sigma_V * stats.sigma_V));
}

/**
 * The threshold giving `rate_Hz` noise triggers: u = σ·√(2 ln(ν₀/R)). Model: the filtered noise
 * is a stationary Gaussian process and noise triggers are its up-crossings of u (Rice formula;
 * at thresholds of several σ they are rare and isolated, so the search/dead-time merging of
 * `triggerStream` barely changes the count). This is the analytic counterpart of Mancuso et
 * al.'s fit to maxima of filtered empty windows (see `fitNoiseMaxima`).
 */
export function thresholdForNoiseRate(of: OptimumFilter, psd_V2_per_Hz: ArrayLike<number>, rate_Hz: number): {threshold_V: number} & FilteredNoiseStats {
  const stats = filteredNoiseStats(of, psd_V2_per_Hz);
  const r = stats.zeroUpcrossingRate_Hz / rate_Hz;
  if (!(r > 1)) throw new RangeError(`thresholdForNoiseRate: requested ${rate_Hz} Hz exceeds the zero up-crossing rate ${stats.zeroUpcrossingRate_Hz} Hz`);
  return {threshold_V: stats.sigma_V * Math.sqrt(2 * Math.log(r)), ...stats};
}

/**
 * Records of all channels around triggers, as one EventChunk (channel-major). With align
 * "template" (default) the trigger's `alignedSample` lands on layout.triggerIndex, so pulses sit
 * where the SEV has them; "maximum" puts the filtered maximum there (cait). Triggers whose record
 * would leave the stream are skipped (reported in `skipped`).
 */
export function extractRecords(channels: readonly ArrayLike<number>[], triggers: readonly Trigger[], layout: RecordLayout, options: {align?: "template" | "maximum"; group?: RecordGroup; start?: number} = {}): {chunk: EventChunk; kept: Trigger[]; skipped: Trigger[]} {
  const L = layout.recordLength, T = layout.triggerIndex;
  const n = Math.min(...channels.map((c) => c.length));
  const kept: Trigger[] = [], skipped: Trigger[] = [];
  for (const t of triggers) {
    const s = (options.align === "maximum" ? t.sample : t.alignedSample) - T;
    (s >= 0 && s + L <= n ? kept : skipped).push(t);
  }
  const C = channels.length, count = kept.length;
  const samples = new Float32Array(C * count * L);
  const hours = new Float64Array(count);
  kept.forEach((t, i) => {
    const s = (options.align === "maximum" ? t.sample : t.alignedSample) - T;
    hours[i] = t.time_s / 3600;
    for (let c = 0; c < C; c++) {
      const src = channels[c], off = (c * count + i) * L;
      for (let k = 0; k < L; k++) samples[off + k] = src[s + k];
    }
  });
  const chunk: EventChunk = {group: options.group ?? "events", start: options.start ?? 0, count, nChannels: C, recordLength: L, samples, hours};
  return {chunk, kept, skipped};
}
