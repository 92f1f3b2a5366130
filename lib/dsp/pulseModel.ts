// Pröbst et al. 1995 two-component pulse model (cait `pulse_template_2`), with t in ms:
// p(t) = Θ(t−t0)[An(e^{−(t−t0)/τn} − e^{−(t−t0)/τin}) + At(e^{−(t−t0)/τt} − e^{−(t−t0)/τn})].
import type {FloatArray, RecordLayout} from "../types.js";

export interface PulseShape {
  t0_ms: number;
  /** Amplitude of the non-thermal component (template units). */
  An: number;
  /** Amplitude of the thermal component (template units). */
  At: number;
  tauN_ms: number;
  tauIn_ms: number;
  tauT_ms: number;
}

/** From cait's parameter order (t0, An, At, tau_n, tau_in, tau_t). */
export function pulseShapeFromCait(par: readonly number[]): PulseShape {
  if (par.length !== 6) throw new RangeError(`pulse parameters: expected 6, got ${par.length}`);
  const [t0_ms, An, At, tauN_ms, tauIn_ms, tauT_ms] = par;
  return {t0_ms, An, At, tauN_ms, tauIn_ms, tauT_ms};
}

/** Time of sample i in ms relative to the trigger. */
export function sampleTime_ms(i: number, layout: RecordLayout): number {
  return ((i - layout.triggerIndex) / layout.sampleFrequency_Hz) * 1000;
}

/** The model at time t_ms (unnormalised). */
export function pulseValue(shape: PulseShape, t_ms: number): number {
  const d = t_ms - shape.t0_ms;
  if (d <= 0) return 0;
  const en = Math.exp(-d / shape.tauN_ms);
  return shape.An * (en - Math.exp(-d / shape.tauIn_ms)) + shape.At * (Math.exp(-d / shape.tauT_ms) - en);
}

/** The model on the record grid, exactly as cait evaluates it (unnormalised). */
export function pulseTemplate(shape: PulseShape, layout: RecordLayout, out?: Float64Array): Float64Array {
  const res = out ?? new Float64Array(layout.recordLength);
  for (let i = 0; i < layout.recordLength; i++) res[i] = pulseValue(shape, sampleTime_ms(i, layout));
  return res;
}

const peaks = new WeakMap<PulseShape, {time_ms: number; value: number}>();

/**
 * Continuous maximum of the model (time after t0 found by a scan then golden section), so that
 * a pulse of height h peaks at h whatever its sub-sample shift. Cached per shape object.
 */
export function pulsePeak(shape: PulseShape): {time_ms: number; value: number} {
  const hit = peaks.get(shape);
  if (hit) return hit;
  const span = 10 * Math.max(shape.tauN_ms, shape.tauIn_ms, shape.tauT_ms);
  const steps = 4000;
  let best = 0;
  let bestV = -Infinity;
  for (let j = 1; j <= steps; j++) {
    const v = pulseValue(shape, shape.t0_ms + (span * j) / steps);
    if (v > bestV) {
      bestV = v;
      best = j;
    }
  }
  let a = shape.t0_ms + (span * Math.max(best - 1, 0)) / steps;
  let b = shape.t0_ms + (span * (best + 1)) / steps;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 80; it++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (pulseValue(shape, c) > pulseValue(shape, d)) b = d;
    else a = c;
  }
  const time_ms = (a + b) / 2;
  const res = {time_ms, value: pulseValue(shape, time_ms)};
  if (!(res.value > 0)) throw new RangeError("pulse shape has no positive maximum");
  peaks.set(shape, res);
  return res;
}

/** The template scaled so that its continuous maximum is 1 (sampled max ≤ 1). */
export function normalisedTemplate(shape: PulseShape, layout: RecordLayout, out?: Float64Array): Float64Array {
  const res = pulseTemplate(shape, layout, out);
  const inv = 1 / pulsePeak(shape).value;
  for (let i = 0; i < res.length; i++) res[i] *= inv;
  return res;
}

const TINY = 1e-200;

/**
 * Add `height_V` × normalised pulse, onset moved by `shift_ms`, to `record` in place.
 * The exponentials are run as geometric sequences (one multiply per term and sample instead of
 * three exp calls); terms that fall below 1e-200 are cut to 0 to avoid slow denormals.
 */
export function addPulse(record: FloatArray, shape: PulseShape, layout: RecordLayout, height_V: number, shift_ms = 0): FloatArray {
  const L = Math.min(record.length, layout.recordLength);
  const dt_ms = 1000 / layout.sampleFrequency_Hz;
  const t0 = shape.t0_ms + shift_ms;
  // first sample strictly after the onset
  let i0 = Math.floor(t0 / dt_ms + layout.triggerIndex) + 1;
  if (i0 < 0) i0 = 0;
  if (i0 >= L || height_V === 0) return record;
  const scale = height_V / pulsePeak(shape).value;
  const d0 = sampleTime_ms(i0, layout) - t0;
  const an = scale * shape.An, at = scale * shape.At;
  let en = Math.exp(-d0 / shape.tauN_ms), ein = Math.exp(-d0 / shape.tauIn_ms), et = Math.exp(-d0 / shape.tauT_ms);
  const rn = Math.exp(-dt_ms / shape.tauN_ms), rin = Math.exp(-dt_ms / shape.tauIn_ms), rt = Math.exp(-dt_ms / shape.tauT_ms);
  for (let i = i0; i < L; i++) {
    record[i] += an * (en - ein) + at * (et - en);
    en *= rn;
    ein *= rin;
    et *= rt;
    if (ein < TINY) ein = 0;
    if (en < TINY) en = 0;
    if (et < TINY) et = 0;
  }
  return record;
}
