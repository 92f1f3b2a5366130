// Noise power spectrum (NPS) of empty baselines, as a one-sided density in V²/Hz, and the
// conversion to cait's unnormalised NPS (mean |rfft(window·record)|², `calculate_mean_nps`).
import type {RecordLayout} from "../types.js";
import {oneSidedWeight, rfft} from "./fft.js";
import type {RealTransforms} from "./fastRealFft.js";
import {ofPeakKernel, spectrumPowerSum, type OfPeakKernel, type SpectrumPowerSum} from "./ofPeakKernel.js";
import {baselineOffset, baselineSamples} from "./baseline.js";
import {psdFrequencies_Hz} from "./psd.js";
import {tukey, windowPower} from "./window.js";

export interface NpsOptions {
  /** Taper applied before the FFT (cait: Tukey 0.25). Default "tukey". */
  window?: "tukey" | "none";
  /** Tukey parameter. Default 0.25. */
  alpha?: number;
  /** "offset": subtract the mean of the first L/8 samples (cait); "linear": a least-squares line. Default "offset". */
  removeBaseline?: "offset" | "linear";
}

export interface NoiseSpectrum {
  /** One-sided PSD on the n/2+1 bins, V²/Hz; DC set to 0 (as cait's `force_zero`). */
  psd_V2_per_Hz: Float64Array;
  frequency_Hz: Float64Array;
  /** Records averaged. */
  count: number;
  /** Σ w² of the window used (n for no window). */
  windowPower: number;
}

const NON_FINITE = "noisePowerSpectrum: record holds a non-finite sample";

/** The window of the options, or null for none. */
function npsWindow(n: number, o: NpsOptions): Float64Array | null {
  return (o.window ?? "tukey") === "tukey" ? tukey(n, o.alpha ?? 0.25) : null;
}

/** Subtract the baseline in place: mean of the first n/8 samples, or a least-squares line. */
export function removeBaseline(x: Float64Array, mode: "offset" | "linear" = "offset"): void {
  const n = x.length;
  if (mode === "offset") {
    const off = baselineOffset(x);
    for (let i = 0; i < n; i++) x[i] -= off;
    return;
  }
  // Line a + b·(i − c) with c the centre: the two normal equations decouple.
  const c = (n - 1) / 2;
  let sy = 0, sty = 0, stt = 0;
  for (let i = 0; i < n; i++) {
    const t = i - c;
    sy += x[i];
    sty += t * x[i];
    stt += t * t;
  }
  const a = sy / n, b = sty / stt;
  for (let i = 0; i < n; i++) x[i] -= a + b * (i - c);
}

/**
 * Streaming NPS: `add` noise records one at a time, then `result()`. Per record the baseline is
 * removed, the window applied and |rfft|² summed per bin; the result is the mean, scaled by
 * c_k/(fs·Σw²) (c_k = 2 except DC and Nyquist), so white noise of variance σ² gives 2σ²/fs
 * whatever the window.
 *
 * With `transforms` (lib/dsp/fastRealFft.ts: PFFFT, float32, for a run's thousands of records)
 * the windowed record is transformed in float32: each bin's power is then off by ≈ 1e-7 of the
 * record's power spread over the bins, far below both the records' own float32 rounding and the
 * 1/√N statistical error of the mean (1.6 % for 4,000 records); `test/nps.test.ts` bounds the
 * difference to the float64 spectrum bin by bin. Without, lib/dsp/fft.ts in float64.
 */
export class NoiseSpectrumBuilder {
  readonly layout: RecordLayout;
  private readonly n: number;
  private readonly window: Float64Array | null;
  private readonly baseline: "offset" | "linear";
  private readonly transforms: RealTransforms | undefined;
  private readonly x: Float64Array;
  private readonly spec: Float64Array;
  /** Σ |X_k|² over the records added, k = 0…n/2 (in `power` while it is there). */
  private readonly sum: Float64Array;
  /** With `transforms`: the same sums in WebAssembly (ofPeakKernel.ts; V8's loop was ≈ 40 µs a record). */
  private power: SpectrumPowerSum | undefined;
  /** The "offset" baseline and the window in WebAssembly (ofPeakKernel's prepare, the same values). */
  private readonly prepare: OfPeakKernel | undefined;
  private added = 0;

  constructor(layout: RecordLayout, options: NpsOptions = {}, transforms?: RealTransforms) {
    const n = (this.n = layout.recordLength);
    if (transforms && transforms.n !== n) throw new RangeError(`NoiseSpectrumBuilder: transforms of length ${transforms.n}, layout says ${n}`);
    this.layout = layout;
    this.window = npsWindow(n, options);
    this.baseline = options.removeBaseline ?? "offset";
    // Only PFFFT's transforms help: the float64 fallback is lib/dsp/fft.ts itself.
    this.transforms = transforms?.input && transforms.spectrumOfInput ? transforms : undefined;
    this.x = new Float64Array(n);
    this.spec = new Float64Array(n + 2);
    this.sum = new Float64Array((n >> 1) + 1);
    if (this.transforms && this.window && this.baseline === "offset") this.prepare = ofPeakKernel({recordLength: n, window: this.window, baselineSamples: baselineSamples(n)});
    if (this.transforms && n % 2 === 0) this.power = spectrumPowerSum(n);
  }

  /** Frees the WebAssembly kernel's memory blocks (the sums move to JavaScript: the builder stays usable). */
  dispose(): void {
    this.prepare?.dispose();
    if (this.power) this.sum.set(this.power.values());
    this.power?.dispose();
    this.power = undefined;
  }

  /** Records added so far. */
  get count(): number {
    return this.added;
  }

  add(record: ArrayLike<number>): void {
    const {n, x, window: w, sum} = this;
    const h = n >> 1;
    if (record.length !== n) throw new RangeError(`noisePowerSpectrum: record has ${record.length} samples, layout says ${n}`);
    const t = this.transforms;
    if (t) {
      // removeBaseline and the window fused into the one loop that writes the transform's input:
      // the same float64 operations in the same order, then rounded to float32.
      const input = t.input!();
      if (this.prepare && record instanceof Float32Array) this.prepare.prepare(record, input);
      else if (this.baseline === "offset") {
        const off = baselineOffset(record);
        if (w) for (let i = 0; i < n; i++) input[i] = (record[i] - off) * w[i];
        else for (let i = 0; i < n; i++) input[i] = record[i] - off;
      } else {
        for (let i = 0; i < n; i++) x[i] = record[i];
        removeBaseline(x, "linear");
        if (w) for (let i = 0; i < n; i++) input[i] = x[i] * w[i];
        else input.set(x);
      }
      // Packed order: X_0, X_{n/2} (both real), then re, im of X_1 … X_{n/2−1}.
      const X = t.spectrumOfInput!();
      // A NaN or infinite sample makes the DC bin (the windowed sum) non-finite: records read
      // without the sample check are refused here (lib/pipeline/process/context.ts forEachSelected).
      if (!Number.isFinite(X[0])) throw new RangeError(NON_FINITE);
      if (this.power) this.power.add(X);
      else {
        sum[0] += X[0] * X[0];
        sum[h] += X[1] * X[1];
        for (let k = 1; k < h; k++) sum[k] += X[2 * k] * X[2 * k] + X[2 * k + 1] * X[2 * k + 1];
      }
    } else {
      for (let i = 0; i < n; i++) x[i] = record[i];
      removeBaseline(x, this.baseline);
      if (w) for (let i = 0; i < n; i++) x[i] *= w[i];
      const spec = rfft(x, this.spec);
      if (!Number.isFinite(spec[0])) throw new RangeError(NON_FINITE);
      for (let k = 0; k <= h; k++) sum[k] += spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1];
    }
    this.added++;
  }

  /** The mean one-sided PSD of the records added so far (the builder stays usable). */
  result(): NoiseSpectrum {
    const {n, layout, added: count} = this;
    if (count === 0) throw new RangeError("noisePowerSpectrum: no records");
    const sum = this.power?.values() ?? this.sum;
    const h = n >> 1;
    const wp = this.window ? windowPower(this.window) : n;
    const psd = new Float64Array(h + 1);
    for (let k = 1; k <= h; k++) psd[k] = (oneSidedWeight(k, n) * sum[k]) / count / (layout.sampleFrequency_Hz * wp);
    return {psd_V2_per_Hz: psd, frequency_Hz: psdFrequencies_Hz(n, layout.sampleFrequency_Hz), count, windowPower: wp};
  }
}

/**
 * Mean one-sided PSD of noise records (see NoiseSpectrumBuilder), float64 throughout. Records
 * must all have layout.recordLength samples.
 */
export function noisePowerSpectrum(records: Iterable<ArrayLike<number>>, layout: RecordLayout, options: NpsOptions = {}): NoiseSpectrum {
  const b = new NoiseSpectrumBuilder(layout, options);
  for (const r of records) b.add(r);
  return b.result();
}

/** Half the record length and the factor fs·Σw² between cait's NPS and a one-sided PSD; checks
 *  that `bins` (of the spectrum `what`) fit the layout. */
function npsScale(what: string, bins: number, layout: RecordLayout, options: Pick<NpsOptions, "window" | "alpha">): {n: number; h: number; f: number} {
  const n = layout.recordLength;
  const h = n >> 1;
  if (bins !== h + 1) throw new RangeError(`${what} has ${bins} bins, layout implies ${h + 1}`);
  const w = npsWindow(n, options);
  return {n, h, f: layout.sampleFrequency_Hz * (w ? windowPower(w) : n)};
}

/**
 * cait's NPS (mean |rfft(w·x)|², V², no normalisation) from a one-sided PSD:
 * nps_k = psd_k·fs·Σw²/c_k. With window "none", Σw² = n and nps_k = E|X_k|² of unwindowed noise,
 * which is exactly the J_k the optimum filter divides by.
 */
export function caitNpsFromPsd(psd_V2_per_Hz: ArrayLike<number>, layout: RecordLayout, options: Pick<NpsOptions, "window" | "alpha"> = {}): Float64Array {
  const {n, h, f} = npsScale("caitNpsFromPsd: PSD", psd_V2_per_Hz.length, layout, options);
  const out = new Float64Array(h + 1);
  for (let k = 0; k <= h; k++) out[k] = (psd_V2_per_Hz[k] * f) / oneSidedWeight(k, n);
  return out;
}

/** Inverse of `caitNpsFromPsd`: a one-sided PSD in V²/Hz from cait's `noise/nps`. */
export function psdFromCaitNps(nps: ArrayLike<number>, layout: RecordLayout, options: Pick<NpsOptions, "window" | "alpha"> = {}): Float64Array {
  const {n, h, f} = npsScale("psdFromCaitNps: NPS", nps.length, layout, options);
  const out = new Float64Array(h + 1);
  for (let k = 0; k <= h; k++) out[k] = (oneSidedWeight(k, n) * nps[k]) / f;
  return out;
}
