// Fit of the Pröbst pulse model (cait `fit_pulse_shape`, parameters t0, An, At, τn, τin, τt in
// cait's order; t in ms on the grid (i − triggerIndex)/fs·1000) to a SEV, by Levenberg–Marquardt
// (ml-levenberg-marquardt) with the analytic Jacobian. cait uses Nelder–Mead with penalty
// bounds; LM with box bounds (taus ≥ 1e-2 ms, t0 within the record) converges in far fewer
// evaluations.
//
// Speed: every start (from the SEV's main parameters, and cait's default x0) is first fitted on
// a coarse grid (≤ 1024 samples), then the two best are polished on every `decimate`-th
// sample (default: the smallest step leaving ≤ 4096 samples, i.e. 4 for 16384) — a SEV is an
// average of many records, so dropping samples loses little — and χ²/RMS are reported on the
// full grid; the best full-grid χ² wins.
//
// The model is a sum of three exponentials with coefficients (An − At, −An, At) on (τn, τin,
// τt): permuting the taus (with matching amplitudes) gives the same curve, so only the curve
// and the set of time constants are identifiable. Starts are ordered so that the physical
// reading (τin rise, τn decay, τt thermal) is found first.

import {levenbergMarquardt} from "ml-levenberg-marquardt";
import type {RecordLayout} from "../types.js";
import {pulseShapeFromCait, sampleTime_ms, type PulseShape} from "./pulseModel.js";
import {mainParameters} from "./mainParameters.js";

export interface PulseShapeFitOptions {
  /** Fit every k-th sample (default: smallest k with ≤ 4096 samples). */
  decimate?: number;
  /** LM iterations per start (default 300). */
  maxIterations?: number;
  /** Extra start points in cait order, tried after the built-in ones. */
  starts?: number[][];
}

export interface PulseShapeFit {
  shape: PulseShape;
  /** Parameters in cait order (t0, An, At, τn, τin, τt). */
  parameters: number[];
  /** Σ (sev − model)² over the full grid. */
  chi2: number;
  /** sqrt(chi2 / L). */
  rms: number;
  /** LM iterations of the winning start, and over all starts. */
  iterations: number;
  totalIterations: number;
  /** The model on the full grid. */
  curve: Float64Array;
}

const TAU_MIN_ms = 1e-2;

/** Model value and (optionally) gradient at d = t − t0 for cait-order parameters p. */
function model(p: ArrayLike<number>, t: number): number {
  const d = t - p[0];
  if (d <= 0) return 0;
  const en = Math.exp(-d / p[3]), ein = Math.exp(-d / p[4]), et = Math.exp(-d / p[5]);
  return p[1] * (en - ein) + p[2] * (et - en);
}

function gradient(p: ArrayLike<number>, t: number): number[] {
  const d = t - p[0];
  if (d <= 0) return [0, 0, 0, 0, 0, 0];
  const [, An, At, tn, tin, tt] = p as number[];
  const en = Math.exp(-d / tn), ein = Math.exp(-d / tin), et = Math.exp(-d / tt);
  return [
    An * (en / tn - ein / tin) + At * (et / tt - en / tn),
    en - ein,
    et - en,
    ((An - At) * en * d) / (tn * tn),
    (-An * ein * d) / (tin * tin),
    (At * et * d) / (tt * tt)
  ];
}

/** The model on the full record grid, cait order parameters. */
export function pulseModelCurve(parameters: ArrayLike<number>, layout: RecordLayout, out = new Float64Array(layout.recordLength)): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = model(parameters, sampleTime_ms(i, layout));
  return out;
}

/** Start points from the SEV's main parameters, plus cait's default x0. */
function startPoints(sev: ArrayLike<number>, layout: RecordLayout): number[][] {
  const mp = mainParameters(sev);
  const ms = 1000 / layout.sampleFrequency_Hz;
  const h = mp.pulse_height > 0 ? mp.pulse_height : 1;
  const rise = Math.max((mp.t_rise - mp.t_zero) * ms, 2 * TAU_MIN_ms);
  const decay = Math.max((mp.t_end - mp.t_decaystart) * ms, 4 * TAU_MIN_ms);
  // 20→80 % of 1 − e^{−d/τ} takes 1.386τ; 90→36.8 % of e^{−d/τ} takes 0.895τ.
  const tauIn = rise / 1.386, tauN = decay / 0.895;
  const t0 = (mp.t_zero - layout.triggerIndex) * ms - 0.3 * tauIn;
  return [
    [t0, 1.2 * h, 0.05 * h, tauN, tauIn, 8 * tauN],
    [t0, 2 * h, 0.5 * h, 2 * tauN, tauIn, 0.5 * tauN],
    [t0, 20 * h, 19 * h, 3 * tauN, 0.9 * tauIn, 1.1 * tauIn],
    [-3, h, 0.2 * h, 5, 2, 1]
  ];
}

/** Fits the Pröbst model to `sev` (any scale; cait fits the SEV normalised to max 1). */
export function fitPulseShape(sev: ArrayLike<number>, layout: RecordLayout, options: PulseShapeFitOptions = {}): PulseShapeFit {
  const L = layout.recordLength;
  if (sev.length !== L) throw new RangeError(`SEV has ${sev.length} samples, layout says ${L}`);
  const k = Math.max(1, Math.floor(options.decimate ?? Math.ceil(L / 4096)));
  const grid = (step: number) => {
    const m = Math.ceil(L / step);
    const x = new Float64Array(m), y = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      x[j] = sampleTime_ms(j * step, layout);
      y[j] = sev[j * step];
    }
    return {x, y};
  };
  const fine = grid(k);
  const coarse = grid(Math.max(k, Math.ceil(L / 1024)));
  const tFirst = sampleTime_ms(0, layout), tLast = sampleTime_ms(L - 1, layout);
  let scale = 0;
  for (let i = 0; i < L; i++) scale = Math.max(scale, Math.abs(sev[i]));
  const ampMax = 1e4 * (scale || 1);
  const tauMax = 100 * (tLast - tFirst);
  const minValues = [tFirst, -ampMax, -ampMax, TAU_MIN_ms, TAU_MIN_ms, TAU_MIN_ms];
  const maxValues = [tLast, ampMax, ampMax, tauMax, tauMax, tauMax];
  const maxIterations = options.maxIterations ?? 300;
  let total = 0;
  // ml-levenberg-marquardt has only an absolute stopping rule, so it runs in rounds and stops
  // when a round improves χ² by less than a relative 1e-10.
  const lm = (data: {x: Float64Array; y: Float64Array}, init: number[], iterations: number): {p: number[]; error: number; iterations: number} | undefined => {
    let p = init.map((v, j) => Math.min(Math.max(v, minValues[j]), maxValues[j]));
    let error = Infinity, used = 0;
    while (used < iterations) {
      const round = Math.min(50, iterations - used);
      let res;
      try {
        res = levenbergMarquardt(data, (q) => (t) => model(q, t), {
          initialValues: p, minValues, maxValues, maxIterations: round, errorTolerance: 0, damping: 1e-2,
          jacobianFunction: (q) => (t) => gradient(q, t)
        });
      } catch {
        break;
      }
      used += res.iterations;
      if (!res.parameterValues.every(Number.isFinite)) break;
      const improved = error - res.parameterError;
      p = res.parameterValues;
      const prev = error;
      error = res.parameterError;
      if ((Number.isFinite(prev) && !(improved > 1e-10 * prev)) || error === 0 || res.iterations < round) break;
    }
    total += used;
    return Number.isFinite(error) ? {p, error, iterations: used} : undefined;
  };
  // Every start on a coarse grid, then the two best polished on the fine grid.
  const candidates = [...startPoints(sev, layout), ...(options.starts ?? [])]
    .map((s) => lm(coarse, s, Math.ceil(maxIterations / 2)))
    .filter((r): r is NonNullable<typeof r> => r !== undefined)
    .sort((a, b) => a.error - b.error)
    .slice(0, 2);
  const curve = new Float64Array(L);
  let best: PulseShapeFit | undefined;
  for (const cand of candidates) {
    const res = lm(fine, cand.p, maxIterations);
    if (!res) continue;
    const p = res.p;
    pulseModelCurve(p, layout, curve);
    let chi2 = 0;
    for (let i = 0; i < L; i++) chi2 += (sev[i] - curve[i]) ** 2;
    if (!best || chi2 < best.chi2) {
      best = {shape: pulseShapeFromCait(p), parameters: p.slice(), chi2, rms: Math.sqrt(chi2 / L), iterations: res.iterations, totalIterations: 0, curve: curve.slice()};
    }
  }
  if (!best) throw new RangeError("pulse shape fit failed from every start");
  best.totalIterations = total;
  return best;
}
