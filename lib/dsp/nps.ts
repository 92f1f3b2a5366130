// Noise power spectrum (NPS) of empty baselines, as a one-sided density in V²/Hz, and the
// conversion to cait's unnormalised NPS (mean |rfft(window·record)|², `calculate_mean_nps`).
import type {RecordLayout} from "../types.js";
import {oneSidedWeight, rfft} from "./fft.js";
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

/** The window of the options, or null for none. */
function npsWindow(n: number, o: NpsOptions): Float64Array | null {
  return (o.window ?? "tukey") === "tukey" ? tukey(n, o.alpha ?? 0.25) : null;
}

/** Subtract the baseline in place: mean of the first n/8 samples, or a least-squares line. */
export function removeBaseline(x: Float64Array, mode: "offset" | "linear" = "offset"): void {
  const n = x.length;
  if (mode === "offset") {
    const m = Math.max(1, n >> 3);
    let s = 0;
    for (let i = 0; i < m; i++) s += x[i];
    const off = s / m;
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
 * Mean one-sided PSD of noise records: per record baseline removed, window applied, |rfft|²
 * averaged, then scaled by c_k/(fs·Σw²) (c_k = 2 except DC and Nyquist), so white noise of
 * variance σ² gives 2σ²/fs whatever the window. Records must all have layout.recordLength samples.
 */
export function noisePowerSpectrum(records: Iterable<ArrayLike<number>>, layout: RecordLayout, options: NpsOptions = {}): NoiseSpectrum {
  const n = layout.recordLength;
  const h = n >> 1;
  const w = npsWindow(n, options);
  const x = new Float64Array(n);
  const spec = new Float64Array(n + 2);
  const sum = new Float64Array(h + 1);
  let count = 0;
  for (const r of records) {
    if (r.length !== n) throw new RangeError(`noisePowerSpectrum: record has ${r.length} samples, layout says ${n}`);
    for (let i = 0; i < n; i++) x[i] = r[i];
    removeBaseline(x, options.removeBaseline ?? "offset");
    if (w) for (let i = 0; i < n; i++) x[i] *= w[i];
    rfft(x, spec);
    for (let k = 0; k <= h; k++) sum[k] += spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1];
    count++;
  }
  if (count === 0) throw new RangeError("noisePowerSpectrum: no records");
  const wp = w ? windowPower(w) : n;
  const psd = new Float64Array(h + 1);
  for (let k = 1; k <= h; k++) psd[k] = (oneSidedWeight(k, n) * sum[k]) / count / (layout.sampleFrequency_Hz * wp);
  return {psd_V2_per_Hz: psd, frequency_Hz: psdFrequencies_Hz(n, layout.sampleFrequency_Hz), count, windowPower: wp};
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
