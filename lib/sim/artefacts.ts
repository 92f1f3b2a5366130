// Artefacts added to a record in place, with physical parameters (V, ms), after cait's CryoAug
// (`augment/_cryoaug.py`). Times are relative to the trigger, as on the record grid.
import type {FloatArray, RecordLayout} from "../types.js";
import {addPulse, type PulseShape} from "../dsp/pulseModel.js";

/** Fractional sample index of time t_ms. */
function sampleAt(t_ms: number, layout: RecordLayout): number {
  return (t_ms / 1000) * layout.sampleFrequency_Hz + layout.triggerIndex;
}

export interface SquidJump {
  /** Start of the jump. */
  time_ms: number;
  /** Size of the step: k flux quanta × the channel's volts per flux quantum (signed). */
  step_V: number;
  /** Duration of the linear ramp from 0 to `step_V` (the SQUID's slew), ≥ 0. */
  ramp_ms: number;
}

/** SQUID flux-quantum jump: the baseline ramps by `step_V` over `ramp_ms`, then stays there. */
export function addSquidJump(record: FloatArray, layout: RecordLayout, jump: SquidJump): FloatArray {
  const s0 = sampleAt(jump.time_ms, layout);
  const width = (jump.ramp_ms / 1000) * layout.sampleFrequency_Hz;
  for (let i = Math.max(0, Math.ceil(s0)); i < record.length; i++) {
    const x = width > 0 ? (i - s0) / width : 1;
    record[i] += jump.step_V * (x >= 1 ? 1 : x);
  }
  return record;
}

export interface Spike {
  /** Start of the rectangle. */
  time_ms: number;
  /** Width, CryoAug draws 0.1–1 ms. */
  width_ms: number;
  /** Signed height (CryoAug: up to ±2 V). */
  height_V: number;
}

/** Spike: a rectangle [time_ms, time_ms + width_ms) of `height_V` (at least one sample). */
export function addSpike(record: FloatArray, layout: RecordLayout, spike: Spike): FloatArray {
  const a = Math.max(0, Math.ceil(sampleAt(spike.time_ms, layout)));
  const b = Math.min(record.length, Math.max(a + 1, Math.ceil(sampleAt(spike.time_ms + spike.width_ms, layout))));
  for (let i = a; i < b; i++) record[i] += spike.height_V;
  return record;
}

/**
 * Decaying baseline: the tail of a large pulse (peak `height_V`) whose onset `onset_ms` lies
 * before the window (record starts at −triggerIndex/fs).
 */
export function addDecayingBaseline(record: FloatArray, layout: RecordLayout, shape: PulseShape, height_V: number, onset_ms: number): FloatArray {
  return addPulse(record, shape, layout, height_V, onset_ms);
}

export interface TemperatureRise {
  /** Where the drift starts. */
  start_ms: number;
  /** Baseline change reached at the end of the record. */
  rise_V: number;
  /** 1 = linear ramp, 2 = quadratic. */
  exponent: number;
}

/** Temperature rise/drift: `rise_V·((t − start)/(t_end − start))^exponent` after `start_ms`. */
export function addTemperatureRise(record: FloatArray, layout: RecordLayout, rise: TemperatureRise): FloatArray {
  const s0 = sampleAt(rise.start_ms, layout);
  const span = record.length - 1 - s0;
  if (span <= 0) return record;
  for (let i = Math.max(0, Math.ceil(s0)); i < record.length; i++) record[i] += rise.rise_V * ((i - s0) / span) ** rise.exponent;
  return record;
}

/** Pile-up: a second pulse of `height_V` whose onset is `delay_ms` after the shape's own onset. */
export function addPileUp(record: FloatArray, layout: RecordLayout, shape: PulseShape, height_V: number, delay_ms: number): FloatArray {
  return addPulse(record, shape, layout, height_V, delay_ms);
}

/**
 * Soft saturation with unit initial gain and ceiling `level_V`: level·tanh(x/level), which is
 * CryoAug's logistic s·(1/(1 + e^{−4x/s}) − 1/2) with s = 2·level.
 */
export function saturation_V(x_V: number, level_V: number): number {
  return level_V * Math.tanh(x_V / level_V);
}

/** Saturate `record − baseline_V` in place (apply to the pulse before noise is added). */
export function saturate(record: FloatArray, level_V: number, baseline_V = 0): FloatArray {
  for (let i = 0; i < record.length; i++) record[i] = baseline_V + saturation_V(record[i] - baseline_V, level_V);
  return record;
}

/** Onset shift that puts a pulse far from the trigger: early (before −early_ms) or late. */
export function earlyOrLateShift_ms(u: number, layout: RecordLayout, early = true, margin_ms = 20): number {
  const windowStart_ms = (-layout.triggerIndex / layout.sampleFrequency_Hz) * 1000;
  const windowEnd_ms = ((layout.recordLength - layout.triggerIndex) / layout.sampleFrequency_Hz) * 1000;
  return early
    ? windowStart_ms + 0.05 * (windowEnd_ms - windowStart_ms) + u * (-margin_ms - windowStart_ms - 0.05 * (windowEnd_ms - windowStart_ms))
    : margin_ms + u * (0.6 * windowEnd_ms - margin_ms);
}

/** Carrier event: a pulse with the (faster, different) carrier shape instead of the particle one. */
export function addCarrierEvent(record: FloatArray, layout: RecordLayout, carrierShape: PulseShape, height_V: number, shift_ms = 0): FloatArray {
  return addPulse(record, carrierShape, layout, height_V, shift_ms);
}
