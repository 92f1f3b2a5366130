// Gaussian noise with a prescribed one-sided PSD (V²/Hz), by the random-phase method done on
// every bin: X_k complex Gaussian for 1 ≤ k < n/2 (Rayleigh amplitude, uniform phase), real at
// Nyquist, zero at DC, scaled so that E[periodogram] = PSD. (cait's `noise_function` mirrors
// bins 1..n/4 over the upper half of the one-sided array; this does not.)
import {irfft} from "../dsp/fft.js";
import type {FloatArray} from "../types.js";
import type {Rng} from "../math/random.js";

/** A PSD term as a function of frequency and bin width. */
export type PsdTerm = (f_Hz: number, df_Hz: number) => number;

export const whitePsd = (level_V2_per_Hz: number): PsdTerm => () => level_V2_per_Hz;

/** level·(f/1 Hz)^−α; 0 at DC. */
export const powerLawPsd = (levelAt1Hz_V2_per_Hz: number, alpha: number): PsdTerm => (f) =>
  f > 0 ? levelAt1Hz_V2_per_Hz * Math.pow(f, -alpha) : 0;

/** Power gain of a one-pole low-pass: 1/(1 + (f/fc)²). Use as a factor with `shapedPsd`. */
export const lowPassGain = (cutoff_Hz: number): PsdTerm => (f) => 1 / (1 + (f / cutoff_Hz) ** 2);

/** `gain(f) × Σ terms(f)`. */
export const shapedPsd = (gain: PsdTerm, ...terms: PsdTerm[]): PsdTerm => (f, df) => {
  let s = 0;
  for (const t of terms) s += t(f, df);
  return gain(f, df) * s;
};

/**
 * Sinusoidal pick-up lines of amplitude A_V at each frequency: power A²/2 put into the one bin
 * whose centre is nearest (a random-phase line of that rms).
 */
export const linesPsd = (lines: ReadonlyArray<{frequency_Hz: number; amplitude_V: number}>): PsdTerm => (f, df) => {
  let s = 0;
  for (const {frequency_Hz, amplitude_V} of lines) {
    if (frequency_Hz >= f - df / 2 && frequency_Hz < f + df / 2) s += (amplitude_V * amplitude_V) / 2 / df;
  }
  return s;
};

/** Mains lines at 50, 150, 250 Hz. */
export const mainsPsd = (amplitudes_V: readonly [number, number, number]): PsdTerm =>
  linesPsd([50, 150, 250].map((frequency_Hz, i) => ({frequency_Hz, amplitude_V: amplitudes_V[i]})));

/** Sum of terms on the n/2+1 one-sided bins, V²/Hz; DC is set to 0. */
export function composePsd(n: number, sampleFrequency_Hz: number, ...terms: PsdTerm[]): Float64Array {
  const df = sampleFrequency_Hz / n;
  const psd = new Float64Array((n >> 1) + 1);
  for (let k = 1; k < psd.length; k++) {
    const f = k * df;
    let s = 0;
    for (const t of terms) s += t(f, df);
    psd[k] = s;
  }
  return psd;
}

/** ∫PSD df over the bins (the variance of zero-mean noise with this PSD), V². */
export function psdVariance_V2(psd: ArrayLike<number>, sampleFrequency_Hz: number): number {
  const n = 2 * (psd.length - 1);
  let s = 0;
  for (let k = 1; k < psd.length; k++) s += psd[k];
  return (s * sampleFrequency_Hz) / n;
}

/**
 * Per-bin standard deviations of the real and imaginary parts of X_k that give the PSD:
 * E|X_k|² = PSD_k·fs·n/2 inside (split over re and im), PSD_k·fs·n at Nyquist (real), 0 at DC.
 * Precompute once per channel.
 */
export function noiseAmplitudes(psd_V2_per_Hz: ArrayLike<number>, sampleFrequency_Hz: number): Float64Array {
  const h = psd_V2_per_Hz.length - 1;
  const n = 2 * h;
  const a = new Float64Array(h + 1);
  for (let k = 1; k < h; k++) a[k] = Math.sqrt(psd_V2_per_Hz[k] * sampleFrequency_Hz * n) / 2;
  a[h] = Math.sqrt(psd_V2_per_Hz[h] * sampleFrequency_Hz * n);
  return a;
}

const scratch = new Map<number, {spec: Float64Array; time: Float64Array}>();

/**
 * Add one record of noise with amplitudes from `noiseAmplitudes` to `out[0, n)` in place,
 * n = 2·(amplitudes.length − 1). One inverse FFT; no allocation after the first call per size.
 */
export function addNoise(out: FloatArray, amplitudes: Float64Array, rng: Rng): FloatArray {
  const h = amplitudes.length - 1;
  const n = 2 * h;
  if (out.length < n) throw new RangeError(`addNoise: record has ${out.length} samples, PSD implies ${n}`);
  let s = scratch.get(n);
  if (!s) scratch.set(n, (s = {spec: new Float64Array(n + 2), time: new Float64Array(n)}));
  const {spec, time} = s;
  spec[0] = 0;
  spec[1] = 0;
  // Both values of each polar-method pair go into one bin (re, im): no spare bookkeeping.
  for (let k = 1; k < h; k++) {
    let u: number, v: number, q: number;
    do {
      u = 2 * rng.uniform() - 1;
      v = 2 * rng.uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1);
    const f = amplitudes[k] * Math.sqrt((-2 * Math.log(q)) / q);
    spec[2 * k] = u * f;
    spec[2 * k + 1] = v * f;
  }
  spec[2 * h] = amplitudes[h] * rng.normal();
  spec[2 * h + 1] = 0;
  irfft(spec, n, time);
  for (let i = 0; i < n; i++) out[i] += time[i];
  return out;
}
