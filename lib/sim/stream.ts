// Continuous streams (like cait's .csmpl) of a detector preset: stationary noise with the
// channel's PSD plus pulses at known times.
//
// Noise method: white Gaussian noise (seeded, generated in independent 2^16-sample chunks, so
// any sample range is reproducible on its own) convolved with the zero-phase kernel whose DFT
// on the record grid is √(P_k·fs/2); the convolution is done by overlap-save blocks. The result
// is exactly stationary — no block joins, no discontinuities — and its one-sided PSD is
// 2|K(f)|²/fs, which equals the preset PSD on the record's bins and interpolates between them.
// Memory: the output arrays plus a few FFT blocks.
import {irfft} from "../dsp/fft.js";
import {convolveBlocks} from "../dsp/trigger.js";
import type {DetectorPreset} from "./presets.js";
import {addPulse} from "../dsp/pulseModel.js";
import {Rng} from "../math/random.js";

export interface StreamPulses {
  /** Explicit pulse times (s): the trigger index of a record aligned like the template falls there. */
  times_s?: readonly number[];
  /** Phonon heights (V): one per time, or one for all. Other channels get height × relativeHeight. */
  heights_V?: readonly number[] | number;
  /** Alternatively: Poisson pulses at this rate, … */
  rate_Hz?: number;
  /** … with heights uniform in this range (V). Default [0.1, 1]. */
  heightRange_V?: [number, number];
}

export interface StreamOptions {
  duration_s: number;
  seed: number;
  /** Channel indices of the preset to simulate. Default all. */
  channels?: readonly number[];
  pulses?: StreamPulses;
}

export interface SimulatedStream {
  sampleFrequency_Hz: number;
  length: number;
  /** Channel indices of the preset, one per stream. */
  channelIndex: number[];
  /** Volts, one array per channel. */
  channels: Float32Array[];
  truth: {
    /** Sample where a template-aligned record has its trigger index (onset = sample + t0·fs). */
    sample: Int32Array;
    time_s: Float64Array;
    /** Phonon height, V. */
    height_V: Float64Array;
  };
}

const CHUNK = 1 << 16;

/** Unit white noise of channel `c` under `seed`, random-access by chunks of 2^16 samples. */
function whiteSource(seed: number, c: number) {
  const cache = new Map<number, Float64Array>();
  const chunk = (q: number) => {
    let x = cache.get(q);
    if (!x) {
      if (cache.size > 3) cache.delete(cache.keys().next().value!);
      const rng = new Rng(seed, 0x5157, c, q + 2 ** 31);
      x = new Float64Array(CHUNK);
      for (let i = 0; i < CHUNK; i++) x[i] = rng.normal();
      cache.set(q, x);
    }
    return x;
  };
  return (buf: Float64Array, start: number) => {
    for (let i = 0; i < buf.length; ) {
      const j = start + i;
      const q = Math.floor(j / CHUNK), off = j - q * CHUNK;
      const x = chunk(q);
      const m = Math.min(CHUNK - off, buf.length - i);
      for (let k = 0; k < m; k++) buf[i + k] = x[off + k];
      i += m;
    }
  };
}

/** The zero-phase kernel k with DFT √(P_k·fs/2): white unit noise ∗ k has one-sided PSD P. */
export function noiseKernel(psd_V2_per_Hz: ArrayLike<number>, sampleFrequency_Hz: number): Float64Array {
  const h = psd_V2_per_Hz.length - 1, n = 2 * h;
  const K = new Float64Array(n + 2);
  for (let k = 1; k <= h; k++) K[2 * k] = Math.sqrt((Math.max(0, psd_V2_per_Hz[k]) * sampleFrequency_Hz) / 2);
  return irfft(K, n) as Float64Array;
}

/** Pulse times and heights of the options (Poisson times drawn from their own seeded stream). */
function pulseList(p: StreamPulses | undefined, duration_s: number, seed: number): {time_s: number[]; height_V: number[]} {
  if (!p) return {time_s: [], height_V: []};
  const rng = new Rng(seed, 0x9075e);
  let time_s: number[];
  if (p.times_s) time_s = [...p.times_s];
  else if (p.rate_Hz && p.rate_Hz > 0) {
    time_s = [];
    for (let t = rng.exponential(1 / p.rate_Hz); t < duration_s; t += rng.exponential(1 / p.rate_Hz)) time_s.push(t);
  } else time_s = [];
  const [lo, hi] = p.heightRange_V ?? [0.1, 1];
  const height_V = time_s.map((_, i) =>
    typeof p.heights_V === "number" ? p.heights_V : p.heights_V ? p.heights_V[i] : rng.uniformIn(lo, hi));
  return {time_s, height_V};
}

/** A seeded, deterministic continuous stream of the preset's channels (see the file comment). */
export function simulateStream(preset: DetectorPreset, options: StreamOptions): SimulatedStream {
  const layout = preset.layout;
  const fs = layout.sampleFrequency_Hz;
  const length = Math.round(options.duration_s * fs);
  const channelIndex = [...(options.channels ?? preset.channels.map((c) => c.index))];
  const {time_s, height_V} = pulseList(options.pulses, options.duration_s, options.seed);
  const sample = Int32Array.from(time_s, (t) => Math.round(t * fs));
  const channels = channelIndex.map((ci) => {
    const ch = preset.channels[ci];
    if (!ch) throw new RangeError(`simulateStream: preset has no channel ${ci}`);
    const out = new Float32Array(length);
    const kernel = noiseKernel(ch.noisePsd_V2_per_Hz, fs);
    for (const {start, values} of convolveBlocks(whiteSource(options.seed, ci), length, kernel)) out.set(values, start);
    // Pulses: the template laid out on a record whose trigger index is at the pulse sample.
    const L = layout.recordLength, T = layout.triggerIndex;
    const rec = new Float64Array(L);
    sample.forEach((p, i) => {
      const h = height_V[i] * ch.relativeHeight;
      if (h === 0) return;
      rec.fill(0);
      addPulse(rec, ch.pulse, layout, h);
      const s = p - T;
      for (let k = Math.max(0, -s); k < L && s + k < length; k++) out[s + k] += rec[k];
    });
    return out;
  });
  return {sampleFrequency_Hz: fs, length, channelIndex, channels, truth: {sample, time_s: Float64Array.from(time_s), height_V: Float64Array.from(height_V)}};
}
