// The feature table: one row per (event, channel), one typed array per column, in physical
// units. Computed with volts names; data in amperes or ADC counts get their columns renamed
// (`featureColumnsIn`, `inUnit`), the numbers are the same. Built on cait's main parameters and the record moments/derivatives of `add_mainpar`
// (definitions and cait equivalents: docs/features.md).

import type {EventChunk, RecordLayout} from "../types.js";
import {unitColumn, unitOf, type SignalUnit} from "../math/units.js";
import {emptyMainParameters, DRIFT_SAMPLES, type MainParameters} from "./mainParameters.js";
import {emptySmoothedRecordSums, kernelMainParameters} from "./featureKernel.js";

export interface FeatureColumnInfo {
  name: string;
  unit: string;
  description: string;
  /** Storage type of the column in `FeatureColumns`. */
  dtype: "int32" | "float64";
}

/** The columns of the feature table, in table order. `label` is present only for labelled data. */
export const FEATURE_COLUMNS = [
  {name: "event", unit: "", dtype: "int32", description: "Index of the event within its group (events, testpulses or noise)"},
  {name: "channel", unit: "", dtype: "int32", description: "Channel index (position along the first axis of the event dataset)"},
  {name: "hours", unit: "h", dtype: "float64", description: "Time of the event since the start of the run"},
  {name: "pulse_height_V", unit: "V", dtype: "float64", description: "Maximum of the box-car (50) smoothed, offset-subtracted record (cait mainpar pulse_height)"},
  {name: "onset_ms", unit: "ms", dtype: "float64", description: "Last sample before the peak below 20 % of the peak, relative to the trigger (cait onset)"},
  {name: "rise_time_ms", unit: "ms", dtype: "float64", description: "From the 20 % to the 80 % crossing of the peak on the smoothed record, each interpolated between the samples around it (t_zero, t_rise)"},
  {name: "peak_time_ms", unit: "ms", dtype: "float64", description: "Drift-corrected peak position t_max, relative to the trigger"},
  {name: "decay_time_ms", unit: "ms", dtype: "float64", description: "From the last sample above 90 % of the peak (t_decaystart) to the first sample after the peak below 36.8 % (t_end) (cait decay_time)"},
  {name: "baseline_offset_V", unit: "V", dtype: "float64", description: "Mean of the first 1/8 of the raw record (cait mainpar offset)"},
  {name: "baseline_slope_V_per_s", unit: "V/s", dtype: "float64", description: "Baseline slope: difference of the means of the last and first 500 smoothed samples divided by the time between their centres"},
  {name: "record_mean_V", unit: "V", dtype: "float64", description: "Mean of the smoothed, offset-subtracted record (cait add_mainpar 7)"},
  {name: "record_var_V2", unit: "V²", dtype: "float64", description: "Population variance of the smoothed, offset-subtracted record (cait add_mainpar 6)"},
  {name: "record_skewness", unit: "", dtype: "float64", description: "Skewness m3/m2^1.5 of the smoothed, offset-subtracted record (cait add_mainpar 8)"},
  {name: "max_derivative_V_per_ms", unit: "V/ms", dtype: "float64", description: "Largest sample-to-sample increase of the smoothed record (cait add_mainpar 9), per ms"},
  {name: "max_derivative_time_ms", unit: "ms", dtype: "float64", description: "Midpoint of the sample pair of the largest increase, relative to the trigger (cait add_mainpar 10 + 0.5)"},
  {name: "min_derivative_V_per_ms", unit: "V/ms", dtype: "float64", description: "Largest sample-to-sample decrease (most negative difference) of the smoothed record (cait add_mainpar 11), per ms"},
  {name: "min_derivative_time_ms", unit: "ms", dtype: "float64", description: "Midpoint of the sample pair of the largest decrease, relative to the trigger (cait add_mainpar 12 + 0.5)"},
  {name: "label", unit: "", dtype: "int32", description: "cait label class of the record (only when the file has labels)"}
] as const satisfies readonly FeatureColumnInfo[];

export type FeatureName = (typeof FEATURE_COLUMNS)[number]["name"];

/**
 * The columns of the feature table of data in `unit`: names and units follow the data
 * (`pulse_height_A`, `record_var_ADC2`; docs/features.md). Volts keep FEATURE_COLUMNS as is.
 */
export function featureColumnsIn(unit: SignalUnit, columns: readonly FeatureColumnInfo[] = FEATURE_COLUMNS): FeatureColumnInfo[] {
  return columns.map((c) => ({...c, name: unitColumn(c.name, unit), unit: unitOf(c.unit, unit)}));
}

/** A table whose columns carry volts names, renamed for data in `unit` (same arrays, same order). */
export function inUnit<T>(table: {[name: string]: T}, unit: SignalUnit): {[name: string]: T} {
  if (unit === "V") return table;
  return Object.fromEntries(Object.entries(table).map(([name, a]) => [unitColumn(name, unit), a]));
}

/** The feature table of one chunk: row = i·nChannels + c for event i of the chunk, channel c. */
export interface FeatureColumns {
  rows: number;
  event: Int32Array;
  channel: Int32Array;
  hours: Float64Array;
  pulse_height_V: Float64Array;
  onset_ms: Float64Array;
  rise_time_ms: Float64Array;
  peak_time_ms: Float64Array;
  decay_time_ms: Float64Array;
  baseline_offset_V: Float64Array;
  baseline_slope_V_per_s: Float64Array;
  record_mean_V: Float64Array;
  record_var_V2: Float64Array;
  record_skewness: Float64Array;
  max_derivative_V_per_ms: Float64Array;
  max_derivative_time_ms: Float64Array;
  min_derivative_V_per_ms: Float64Array;
  min_derivative_time_ms: Float64Array;
  label?: Int32Array;
}

/** Extreme sample-to-sample differences d[j] = s[j+1] − s[j] of a record (first index on ties). */
export interface DerivativeExtremes {
  max: number;
  /** j of the largest difference: the pair (j, j+1). */
  maxIndex: number;
  min: number;
  minIndex: number;
}

/** Max and min of np.diff(s) and their (first) indices, as cait's add_mainpar 9–12. */
export function derivativeExtremes(s: ArrayLike<number>, n = s.length, out: DerivativeExtremes = {max: 0, maxIndex: 0, min: 0, minIndex: 0}): DerivativeExtremes {
  let max = -Infinity;
  let min = Infinity;
  let maxIndex = 0;
  let minIndex = 0;
  let prev = s[0];
  for (let j = 0; j < n - 1; j++) {
    const next = s[j + 1];
    const d = next - prev;
    if (d > max) {
      max = d;
      maxIndex = j;
    }
    if (d < min) {
      min = d;
      minIndex = j;
    }
    prev = next;
  }
  out.max = max;
  out.maxIndex = maxIndex;
  out.min = min;
  out.minIndex = minIndex;
  return out;
}

// Results reused across records and calls (JS is single-threaded, so one set suffices).
const mp = emptyMainParameters();
const sums = emptySmoothedRecordSums();

/** Computes the feature table of a chunk; see FEATURE_COLUMNS and docs/features.md. */
export function computeFeatures(chunk: EventChunk, layout: RecordLayout): FeatureColumns {
  const {count, nChannels, recordLength: L, samples, start} = chunk;
  if (layout.recordLength !== L) throw new RangeError(`layout says ${layout.recordLength} samples per record, chunk has ${L}`);
  if (samples.length !== nChannels * count * L) {
    throw new RangeError(`chunk holds ${samples.length} samples, expected ${nChannels}·${count}·${L}`);
  }
  const fs = layout.sampleFrequency_Hz;
  const msPerSample = 1000 / fs;
  const trigger = layout.triggerIndex;
  const rows = count * nChannels;
  const f64 = () => new Float64Array(rows);
  const t: FeatureColumns = {
    rows,
    event: new Int32Array(rows),
    channel: new Int32Array(rows),
    hours: f64(),
    pulse_height_V: f64(),
    onset_ms: f64(),
    rise_time_ms: f64(),
    peak_time_ms: f64(),
    decay_time_ms: f64(),
    baseline_offset_V: f64(),
    baseline_slope_V_per_s: f64(),
    record_mean_V: f64(),
    record_var_V2: f64(),
    record_skewness: f64(),
    max_derivative_V_per_ms: f64(),
    max_derivative_time_ms: f64(),
    min_derivative_V_per_ms: f64(),
    min_derivative_time_ms: f64()
  };
  if (chunk.labels) t.label = new Int32Array(rows);

  for (let c = 0; c < nChannels; c++) {
    for (let i = 0; i < count; i++) {
      const row = i * nChannels + c;
      const offset = (c * count + i) * L;
      const record = samples.subarray(offset, offset + L);
      let s: Float64Array;
      try {
        s = kernelMainParameters(record, mp, sums);
      } catch (e) {
        throw new Error(`${chunk.group} event ${start + i}, channel ${c}: ${(e as Error).message}`);
      }
      t.event[row] = start + i;
      t.channel[row] = c;
      t.hours[row] = chunk.hours[i];
      if (t.label) t.label[row] = chunk.labels![c * count + i];
      t.pulse_height_V[row] = mp.pulse_height;
      t.onset_ms[row] = (mp.t_zero - trigger) * msPerSample;
      t.rise_time_ms[row] = interpolatedRise(s, mp) * msPerSample;
      t.peak_time_ms[row] = (mp.t_max - trigger) * msPerSample;
      t.decay_time_ms[row] = (mp.t_end - mp.t_decaystart) * msPerSample;
      t.baseline_offset_V[row] = mp.offset;
      // cait's linear_drift divides the difference of the two end-means by L, but their centres
      // are only L − 500 samples apart: rescale so that the column is the true slope.
      t.baseline_slope_V_per_s[row] = L > DRIFT_SAMPLES ? (mp.linear_drift * L * fs) / (L - DRIFT_SAMPLES) : 0;

      // Two-pass moments (the kernel's central sums about the mean), as moments.ts defines them.
      const m2 = sums.sumSquares / L;
      t.record_mean_V[row] = sums.sum / L;
      t.record_var_V2[row] = m2;
      t.record_skewness[row] = m2 > 0 ? sums.sumCubes / L / (m2 * Math.sqrt(m2)) : 0;

      // A difference of two samples belongs to the midpoint between them.
      t.max_derivative_V_per_ms[row] = sums.maxDifference / msPerSample;
      t.max_derivative_time_ms[row] = (sums.maxDifferenceIndex + 0.5 - trigger) * msPerSample;
      t.min_derivative_V_per_ms[row] = sums.minDifference / msPerSample;
      t.min_derivative_time_ms[row] = (sums.minDifferenceIndex + 0.5 - trigger) * msPerSample;
    }
  }
  return t;
}

/**
 * The rise from the 20 % to the 80 % crossing in samples, each crossing interpolated linearly
 * between the two samples around it. cait's t_rise − t_zero counts whole samples, and on a run
 * whose pulses share one shape it takes two values (1.48 or 1.52 ms at 25 kHz); between the
 * samples the noise spreads the rise as it does on a real detector.
 * `s` is the smoothed record mainParameters left in its scratch; its levels are those of s[t_max].
 */
export function interpolatedRise(s: ArrayLike<number>, mp: MainParameters): number {
  const h = s[mp.t_max];
  const whole = mp.t_rise - mp.t_zero;
  // Crossings not found (fallbacks) or a flat record: keep the whole-sample answer.
  if (!(h > 0) || whole <= 0 || mp.t_zero + 1 >= s.length) return whole;
  const cross = (i: number, level: number) => {
    const a = s[i], b = s[i + 1];
    return b > a && level >= a && level <= b ? i + (level - a) / (b - a) : NaN;
  };
  const zero = cross(mp.t_zero, 0.2 * h);
  const rise = cross(mp.t_rise - 1, 0.8 * h);
  return Number.isFinite(zero) && Number.isFinite(rise) && rise > zero ? rise - zero : whole;
}
