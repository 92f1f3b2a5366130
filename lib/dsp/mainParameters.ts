// cait's "main parameters" of one record (`calc_main_parameters`, docs/features.md): pulse height, seven characteristic sample indices, baseline offset and drift.
// O(L): one pass for the sums, one for the box-car, one for the drift-corrected peak, and short
// local scans for the threshold crossings.

import {assertFiniteRecord} from "./finite.js";
import {boxcarSmooth} from "./smooth.js";

/** cait's `mainpar` columns, in cait's order (the names are cait's dataset attributes). */
export const MAINPAR_COLUMNS = [
  "pulse_height",
  "t_zero",
  "t_rise",
  "t_max",
  "t_decaystart",
  "t_half",
  "t_end",
  "offset",
  "linear_drift",
  "quadratic_drift"
] as const;

export type MainparColumn = (typeof MAINPAR_COLUMNS)[number];

/**
 * The ten main parameters with cait's names and meaning. Indices are sample indices into the
 * record; voltages are in the record's unit (V). `s` below is the box-car (50) smoothed,
 * offset-subtracted record and `h = s[t_max]`.
 */
export interface MainParameters {
  /** max(s), before drift correction (V). */
  pulse_height: number;
  /** Last i < t_max with s[i] < 0.2·h, else 0. */
  t_zero: number;
  /** First i ≥ t_zero with s[i] > 0.8·h, else t_zero. */
  t_rise: number;
  /** First argmax of s[i] − linear_drift·i. */
  t_max: number;
  /** Last i ≤ t_half with s[i] > 0.9·h, else t_half. */
  t_decaystart: number;
  /** Last i ≤ t_end with s[i] > 0.736·h, else t_end. */
  t_half: number;
  /** First i ≥ t_max with s[i] < 0.368·h, else L − 1. */
  t_end: number;
  /** Mean of the first ⌊L/8⌋ raw samples (V). */
  offset: number;
  /** (mean(s[L−500:]) − mean(s[:500])) / L, in V per sample. */
  linear_drift: number;
  /** Always 0: cait's default `quad_drift=False`. */
  quadratic_drift: number;
}

/** cait's box-car window for the main parameters (samples). */
export const MAINPAR_SMOOTHING_SAMPLES = 50;
/** Samples at each end whose means define the linear drift. */
export const DRIFT_SAMPLES = 500;

/** A zeroed MainParameters, for callers that reuse one result object. */
export function emptyMainParameters(): MainParameters {
  return {pulse_height: 0, t_zero: 0, t_rise: 0, t_max: 0, t_decaystart: 0, t_half: 0, t_end: 0, offset: 0, linear_drift: 0, quadratic_drift: 0};
}

/**
 * cait's main parameters of one record.
 *
 * `smoothed` is scratch of at least L samples, reused across calls to avoid allocation; after
 * the call it holds `s` (box-car smoothed record minus offset), which callers may use for
 * further features. `out` likewise may be reused. Throws naming the sample if the record holds
 * NaN or ±Infinity.
 */
export function mainParameters(
  record: ArrayLike<number>,
  smoothed: Float64Array = new Float64Array(record.length),
  out: MainParameters = emptyMainParameters()
): MainParameters {
  const L = record.length;
  if (L < 8) throw new RangeError(`record has ${L} samples; main parameters need at least 8`);
  if (smoothed.length < L) throw new RangeError(`scratch holds ${smoothed.length} samples, record has ${L}`);

  const nOffset = Math.floor(L / 8);
  let head = 0;
  for (let i = 0; i < nOffset; i++) head += record[i];
  const offset = head / nOffset;

  const s = boxcarSmooth(record, MAINPAR_SMOOTHING_SAMPLES, smoothed, offset);
  // Every sample passes through the box-car's running sum, and a non-finite value (or an
  // overflow) leaves it non-finite for good: a finite last output proves the record finite.
  assertFiniteRecord(record, s[L - 1]);

  const nDrift = Math.min(DRIFT_SAMPLES, L);
  let first = 0;
  let last = 0;
  for (let i = 0; i < nDrift; i++) {
    first += s[i];
    last += s[L - nDrift + i];
  }
  const drift = (last / nDrift - first / nDrift) / L;

  // Pulse height is the plain maximum; the peak position is taken after removing the drift.
  let pulseHeight = -Infinity;
  let tMax = 0;
  let best = -Infinity;
  for (let i = 0; i < L; i++) {
    const v = s[i];
    if (v > pulseHeight) pulseHeight = v;
    const c = v - drift * i;
    if (c > best) {
      best = c;
      tMax = i;
    }
  }
  return fillMainParameters(s, L, pulseHeight, tMax, offset, drift, out);
}

/**
 * The rest of the main parameters from the smoothed record `s` (length L), its maximum, the
 * drift-corrected peak t_max, offset and drift: cait's threshold walks (the reference the
 * WebAssembly feature kernel's walks follow, kernels/mainpar.as.ts).
 */
function fillMainParameters(
  s: ArrayLike<number>,
  L: number,
  pulseHeight: number,
  tMax: number,
  offset: number,
  drift: number,
  out: MainParameters
): MainParameters {
  const h = s[tMax];

  // cait's walks from the maximum: last sample below 20 % before it, first above 80 % after that,
  // first below 1/e after the maximum, then back from there to the last above 73.6 % and 90 %.
  const tZero = lastBelowBefore(s, tMax - 1, 0.2 * h);
  const tRise = firstAboveFrom(s, L, tZero, 0.8 * h);
  const tEnd = firstBelowFrom(s, L, tMax, 0.368 * h);
  const tHalf = lastAboveBefore(s, tEnd, 0.736 * h);
  const tDecay = lastAboveBefore(s, tHalf, 0.9 * h);

  out.pulse_height = pulseHeight;
  out.t_zero = tZero;
  out.t_rise = tRise;
  out.t_max = tMax;
  out.t_decaystart = tDecay;
  out.t_half = tHalf;
  out.t_end = tEnd;
  out.offset = offset;
  out.linear_drift = drift;
  out.quadratic_drift = 0;
  return out;
}

// The walks, one per direction and comparison (no closure per record). Each starts at `start`
// and returns the first index found, else the fallback cait uses.
/** Last i ≤ start with s[i] < level, else 0. */
function lastBelowBefore(s: ArrayLike<number>, start: number, level: number): number {
  for (let i = start; i >= 0; i--) if (s[i] < level) return i;
  return 0;
}
/** First i ≥ start with s[i] > level, else start. */
function firstAboveFrom(s: ArrayLike<number>, L: number, start: number, level: number): number {
  for (let i = start; i < L; i++) if (s[i] > level) return i;
  return start;
}
/** First i ≥ start with s[i] < level, else L − 1. */
function firstBelowFrom(s: ArrayLike<number>, L: number, start: number, level: number): number {
  for (let i = start; i < L; i++) if (s[i] < level) return i;
  return L - 1;
}
/** Last i ≤ start with s[i] > level, else start. */
function lastAboveBefore(s: ArrayLike<number>, start: number, level: number): number {
  for (let i = start; i >= 0; i--) if (s[i] > level) return i;
  return start;
}

/** The parameters as one row in cait's `mainpar` column order. */
export function mainparRow(p: MainParameters, out: Float64Array = new Float64Array(MAINPAR_COLUMNS.length), at = 0): Float64Array {
  for (let k = 0; k < MAINPAR_COLUMNS.length; k++) out[at + k] = p[MAINPAR_COLUMNS[k]];
  return out;
}
