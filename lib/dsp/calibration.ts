// Energy calibration with test pulses, after cait's `calc_calibration` / `PulserModel`
// (docs/processing-config.md):
//  1. per TPA level, the test-pulse amplitude as a function of time (the detector's response
//     drifts with temperature and working point);
//  2. at each event's time, the TPA↔amplitude relation through the levels gives the event's
//     TPA-equivalent (this also undoes a non-linear, saturating response);
//  3. a mono-energetic line fixes keV per TPA (cpe factor): energy_keV = cpe · tpaEquivalent.
// One channel at a time; `calibrate` loops over the channels of a feature table.

import {solve} from "../math/linalg.js";
import {median, runningMedian} from "../math/robust.js";
import {fitLine, type LineFit, type LineFitOptions} from "./lineFit.js";

/** Test pulses of one channel. */
export interface TestPulseSeries {
  hours: Float64Array;
  /** Test-pulse amplitude (TPA) the pulser was set to. */
  tpa: Float64Array;
  /** Measured amplitude (pulse height, OF amplitude, …), V. */
  amplitude_V: Float64Array;
}

export interface ResponseOptions {
  /**
   * "linear": amplitude of each level interpolated linearly in time between its (smoothed) test
   * pulses; "none": one constant per level (the median over the run) — a single global TPA fit.
   */
  interpolation?: "linear" | "none";
  /** Running median over this many consecutive pulses of a level (odd; 1 = off). Rejects outliers
   * such as test pulses on top of a particle pulse, and lowers the noise of the response. */
  medianWindow?: number;
  /** Gaps between consecutive pulses of a level longer than this are flagged unstable (h). */
  maxGap_h?: number;
}

export interface ResponseLevel {
  tpa: number;
  hours: Float64Array;
  /** Smoothed amplitude at `hours`, V. */
  amplitude_V: Float64Array;
}

export interface TestPulseResponse {
  /** Distinct TPA levels, ascending. */
  levels: Float64Array;
  series: ResponseLevel[];
  interpolation: "linear" | "none";
  /** Time intervals without test pulses (longer than maxGap_h) — merged over levels. */
  unstable: Array<{start_h: number; end_h: number}>;
  /** Amplitudes of every level (ascending TPA) at `hours`, V. */
  responseAt(hours: number, out?: Float64Array): Float64Array;
}

/** Largest index i with sorted[i] ≤ v, or −1. */
function bisect(sorted: Float64Array, v: number): number {
  let lo = -1;
  let hi = sorted.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Model of the test-pulse response of one channel: amplitude of each TPA level vs time. */
export function testPulseResponse(tp: TestPulseSeries, options: ResponseOptions = {}): TestPulseResponse {
  const {interpolation = "linear", medianWindow = 5, maxGap_h = Infinity} = options;
  if (!(Number.isInteger(medianWindow) && medianWindow >= 1 && medianWindow % 2 === 1)) {
    throw new RangeError(`medianWindow must be an odd positive integer, got ${medianWindow}`);
  }
  const n = tp.hours.length;
  if (tp.tpa.length !== n || tp.amplitude_V.length !== n) throw new RangeError(`test pulses: hours, tpa and amplitude_V differ in length`);
  const byLevel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!(tp.tpa[i] > 0) || !Number.isFinite(tp.amplitude_V[i]) || !Number.isFinite(tp.hours[i])) continue;
    let list = byLevel.get(tp.tpa[i]);
    if (!list) byLevel.set(tp.tpa[i], (list = []));
    list.push(i);
  }
  if (byLevel.size === 0) throw new RangeError(`test pulses: no pulse with a positive TPA and finite amplitude`);
  const levels = Float64Array.from(byLevel.keys()).sort();
  const series: ResponseLevel[] = [];
  const gaps: Array<{start_h: number; end_h: number}> = [];
  for (const tpa of levels) {
    const idx = byLevel.get(tpa)!.sort((a, b) => tp.hours[a] - tp.hours[b]);
    const hours = Float64Array.from(idx, (i) => tp.hours[i]);
    const raw = Float64Array.from(idx, (i) => tp.amplitude_V[i]);
    series.push({tpa, hours, amplitude_V: runningMedian(raw, medianWindow)});
    for (let i = 1; i < hours.length; i++) if (hours[i] - hours[i - 1] > maxGap_h) gaps.push({start_h: hours[i - 1], end_h: hours[i]});
  }
  gaps.sort((a, b) => a.start_h - b.start_h);
  const unstable: typeof gaps = [];
  for (const g of gaps) {
    const last = unstable[unstable.length - 1];
    if (last && g.start_h <= last.end_h) last.end_h = Math.max(last.end_h, g.end_h);
    else unstable.push({...g});
  }
  const constants = series.map((s) => median(s.amplitude_V));
  const responseAt = (h: number, out = new Float64Array(levels.length)) => {
    for (let k = 0; k < series.length; k++) {
      if (interpolation === "none") { out[k] = constants[k]; continue; }
      const {hours, amplitude_V: a} = series[k];
      const i = bisect(hours, h);
      // Constant beyond the first and last pulse: no extrapolation of a drift.
      if (i < 0) out[k] = a[0];
      else if (i >= hours.length - 1) out[k] = a[hours.length - 1];
      else {
        const t = (h - hours[i]) / (hours[i + 1] - hours[i]);
        out[k] = a[i] + t * (a[i + 1] - a[i]);
      }
    }
    return out;
  };
  return {levels, series, interpolation, unstable, responseAt};
}

export type PolyOrder = 1 | 2 | 3 | "interpolate";

export interface TpaOptions {
  /** TPA as a polynomial of the amplitude (least squares through the levels), or piecewise-linear. */
  polyOrder?: PolyOrder;
  /** Add (amplitude 0, TPA 0) to the points: no pulse means no energy (default true). */
  throughOrigin?: boolean;
}

export interface TpaEquivalent {
  tpaEquivalent: Float64Array;
  /** 1 where the amplitude is above the largest level's at that time (extrapolated). */
  extrapolated: Uint8Array;
  /** 1 where the fitted relation is not increasing between 0 and the event's amplitude. */
  nonMonotone: Uint8Array;
  /** 1 where the event falls into an unstable (no test pulse) interval. */
  unstable: Uint8Array;
}

/** Coefficients c (ascending powers of x = amplitude / scale) of the least-squares polynomial. */
export function polyFit(x: ArrayLike<number>, y: ArrayLike<number>, order: number): number[] | null {
  const m = order + 1;
  const A = Array.from({length: m}, () => new Array<number>(m).fill(0));
  const b = new Array<number>(m).fill(0);
  for (let i = 0; i < x.length; i++) {
    let pa = 1;
    const pw: number[] = [];
    for (let j = 0; j < m; j++) { pw.push(pa); pa *= x[i]; }
    for (let a = 0; a < m; a++) {
      b[a] += pw[a] * y[i];
      for (let c = 0; c < m; c++) A[a][c] += pw[a] * pw[c];
    }
  }
  const c = solve(A, b);
  return c && Array.from(c);
}

function polyEval(c: number[], x: number): number {
  let v = 0;
  for (let j = c.length - 1; j >= 0; j--) v = v * x + c[j];
  return v;
}

function polyIncreasing(c: number[], x1: number): boolean {
  // Derivative checked on a grid: enough for order ≤ 3 at the resolution that matters here.
  const N = 16;
  for (let k = 0; k <= N; k++) {
    const x = (x1 * k) / N;
    let d = 0;
    for (let j = c.length - 1; j >= 1; j--) d = d * x + j * c[j];
    if (d <= 0) return false;
  }
  return true;
}

/** TPA-equivalent of each event from the TPA↔amplitude relation at its time (vectorised). */
export function tpaEquivalent(model: TestPulseResponse, hours: ArrayLike<number>, amplitude_V: ArrayLike<number>, options: TpaOptions = {}): TpaEquivalent {
  const {polyOrder = 1, throughOrigin = true} = options;
  const n = hours.length;
  if (amplitude_V.length !== n) throw new RangeError(`tpaEquivalent: ${n} hours but ${amplitude_V.length} amplitudes`);
  const L = model.levels.length;
  const points = L + (throughOrigin ? 1 : 0);
  if (polyOrder !== "interpolate" && points < polyOrder + 1) {
    throw new RangeError(`tpaEquivalent: polyOrder ${polyOrder} needs ${polyOrder + 1} points, have ${points} (${L} TPA levels${throughOrigin ? " + origin" : ""})`);
  }
  const out: TpaEquivalent = {
    tpaEquivalent: new Float64Array(n),
    extrapolated: new Uint8Array(n),
    nonMonotone: new Uint8Array(n),
    unstable: new Uint8Array(n)
  };
  const amp = new Float64Array(L);
  const xs = new Float64Array(points);
  const ys = new Float64Array(points);
  // With a constant response ("none") one fit serves every event.
  const constant = model.interpolation === "none";
  let fitted = false;
  let cacheH = NaN;
  let coef: number[] | null = null;
  let scale = 1;
  let monotone = true;
  const uStart = Float64Array.from(model.unstable, (u) => u.start_h);
  for (let e = 0; e < n; e++) {
    const h = hours[e];
    const a = amplitude_V[e];
    const u = bisect(uStart, h);
    if (u >= 0 && h < model.unstable[u].end_h) out.unstable[e] = 1;
    if (!(constant && fitted) && h !== cacheH) {
      model.responseAt(h, amp);
      cacheH = h;
      fitted = true;
      scale = amp[L - 1] || 1;
      let k = 0;
      if (throughOrigin) { xs[k] = 0; ys[k] = 0; k++; }
      for (let j = 0; j < L; j++, k++) { xs[k] = amp[j] / scale; ys[k] = model.levels[j]; }
      if (polyOrder !== "interpolate") {
        coef = polyFit(xs, ys, polyOrder);
        monotone = coef !== null && polyIncreasing(coef, 1);
      } else {
        monotone = xs.every((v, j) => j === 0 || v > xs[j - 1]);
      }
    }
    const x = a / scale;
    if (x > 1) out.extrapolated[e] = 1;
    if (polyOrder === "interpolate") {
      out.tpaEquivalent[e] = interpolate(xs, ys, x);
    } else {
      out.tpaEquivalent[e] = coef ? polyEval(coef, x) : NaN;
    }
    if (!monotone) out.nonMonotone[e] = 1;
  }
  return out;
}

/** Piecewise-linear y(x) through points sorted by x; the end segments extend linearly. */
function interpolate(xs: Float64Array, ys: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 1) return (ys[0] / xs[0]) * x;
  let i = bisect(xs, x);
  i = Math.max(0, Math.min(n - 2, i));
  const t = (x - xs[i]) / (xs[i + 1] - xs[i]);
  return ys[i] + t * (ys[i + 1] - ys[i]);
}

export interface EnergyScale {
  line_keV: number;
  /** keV per TPA unit (cait's cpe_factor). */
  cpe_keV_per_TPA: number;
  cpeError_keV_per_TPA: number;
  /** The line fit in TPA-equivalent space. */
  lineFit_TPA: LineFit;
  /** Line position after calibration (= line_keV by construction) and its statistical error. */
  linePosition_keV: number;
  linePositionError_keV: number;
  sigma_keV: number;
  sigmaError_keV: number;
  fwhm_keV: number;
  fwhmError_keV: number;
}

/** keV per TPA from the line in the TPA-equivalent spectrum of (preferably) selected line events. */
export function energyScale(tpaEqOfLineEvents: ArrayLike<number>, line_keV: number, options: LineFitOptions = {}): EnergyScale {
  if (!(line_keV > 0)) throw new RangeError(`line_keV must be positive, got ${line_keV}`);
  const fit = fitLine(tpaEqOfLineEvents, options);
  const cpe = line_keV / fit.mean;
  const cpeError = (line_keV * fit.meanError) / (fit.mean * fit.mean);
  return {
    line_keV,
    cpe_keV_per_TPA: cpe,
    cpeError_keV_per_TPA: cpeError,
    lineFit_TPA: fit,
    linePosition_keV: cpe * fit.mean,
    linePositionError_keV: cpe * fit.meanError,
    sigma_keV: cpe * fit.sigma,
    // The cpe error is fully correlated with the mean, not with σ: σ's own error dominates.
    sigmaError_keV: Math.hypot(cpe * fit.sigmaError, fit.sigma * cpeError),
    fwhm_keV: cpe * fit.fwhm,
    fwhmError_keV: Math.hypot(cpe * fit.fwhmError, fit.fwhm * cpeError)
  };
}

/** Event rows of a feature table (event-major rows, any amplitude column). */
export interface CalibrationEvents {
  channel: Int32Array;
  hours: Float64Array;
  amplitude_V: Float64Array;
}

/** Test-pulse rows of a feature table, with the TPA of each row. */
export interface CalibrationTestPulses extends CalibrationEvents {
  tpa: Float64Array;
}

export interface CalibrateOptions extends ResponseOptions, TpaOptions {
  line_keV: number;
  /** Rows (of `events`) that belong to the line, e.g. from a SQL selection; default: all rows. */
  lineRows?: Uint8Array;
  /** Per channel, the TPA-equivalent range searched for the line; default: most prominent peak. */
  lineRange_TPA?: ReadonlyArray<[number, number] | null>;
  lineFit?: LineFitOptions;
}

/** One channel's calibration: its energy scale's figures at top level, with the scale and response. */
export interface ChannelCalibration extends Omit<EnergyScale, "line_keV" | "lineFit_TPA"> {
  channel: number;
  levels: Float64Array;
  unstable: Array<{start_h: number; end_h: number}>;
  /** Rows of this channel that were extrapolated above the largest level. */
  extrapolatedRows: number;
  scale: EnergyScale;
  response: TestPulseResponse;
}

export interface Calibration {
  /** Per row of `events`: TPA-equivalent and energy (NaN for channels without test pulses). */
  tpa_equivalent: Float64Array;
  energy_keV: Float64Array;
  extrapolated: Uint8Array;
  unstable: Uint8Array;
  channels: ChannelCalibration[];
}

/** Calibrates every channel that has test pulses; columns in the row order of `events`. */
export function calibrate(events: CalibrationEvents, testpulses: CalibrationTestPulses, options: CalibrateOptions): Calibration {
  const rows = events.channel.length;
  const out: Calibration = {
    tpa_equivalent: new Float64Array(rows).fill(NaN),
    energy_keV: new Float64Array(rows).fill(NaN),
    extrapolated: new Uint8Array(rows),
    unstable: new Uint8Array(rows),
    channels: []
  };
  const channels = [...new Set(testpulses.channel)].sort((a, b) => a - b);
  for (const c of channels) {
    const tpRows = rowsOf(testpulses.channel, c);
    const response = testPulseResponse({
      hours: pick(testpulses.hours, tpRows),
      tpa: pick(testpulses.tpa, tpRows),
      amplitude_V: pick(testpulses.amplitude_V, tpRows)
    }, options);
    const evRows = rowsOf(events.channel, c);
    if (evRows.length === 0) continue;
    const eq = tpaEquivalent(response, pick(events.hours, evRows), pick(events.amplitude_V, evRows), options);
    const range = options.lineRange_TPA?.[c] ?? null;
    const lineValues: number[] = [];
    evRows.forEach((r, k) => {
      const v = eq.tpaEquivalent[k];
      if (options.lineRows && !options.lineRows[r]) return;
      if (eq.unstable[k] || !Number.isFinite(v)) return;
      if (range && !(v >= range[0] && v <= range[1])) return;
      lineValues.push(v);
    });
    let fitOptions = options.lineFit ?? {};
    if (range && !fitOptions.start) fitOptions = {...fitOptions, start: {mean: 0.5 * (range[0] + range[1]), sigma: (range[1] - range[0]) / 4}};
    let scale: EnergyScale;
    try {
      scale = energyScale(lineValues, options.line_keV, fitOptions);
    } catch (e) {
      throw new Error(`calibration of channel ${c}: line fit failed (${(e as Error).message})`);
    }
    let extrapolatedRows = 0;
    evRows.forEach((r, k) => {
      out.tpa_equivalent[r] = eq.tpaEquivalent[k];
      out.energy_keV[r] = scale.cpe_keV_per_TPA * eq.tpaEquivalent[k];
      out.extrapolated[r] = eq.extrapolated[k];
      out.unstable[r] = eq.unstable[k];
      extrapolatedRows += eq.extrapolated[k];
    });
    const {line_keV: _line, lineFit_TPA: _fit, ...figures} = scale;
    out.channels.push({
      ...figures,
      channel: c,
      levels: response.levels,
      unstable: response.unstable,
      extrapolatedRows,
      scale,
      response
    });
  }
  return out;
}

function rowsOf(channel: Int32Array, c: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < channel.length; i++) if (channel[i] === c) out.push(i);
  return Int32Array.from(out);
}

function pick(x: Float64Array, rows: Int32Array): Float64Array {
  return Float64Array.from(rows, (r) => x[r]);
}
