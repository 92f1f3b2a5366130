// Calibration against the truth of simulated runs: a drifting, mildly saturating detector at the
// feature level, a stable linear one, and the CRESST-like waveforms through the main parameters.
import {describe, expect, it} from "vitest";
import {Rng} from "../lib/math/random.js";
import {CRESST_LIKE, simulateChunk} from "../lib/sim/index.js";
import {mainParameters} from "../lib/dsp/mainParameters.js";
import {calibrate, testPulseResponse, tpaEquivalent, energyScale, type CalibrationEvents, type CalibrationTestPulses} from "../lib/dsp/calibration.js";
import {fitLine, windowEstimate} from "../lib/dsp/lineFit.js";
import {LABEL} from "../lib/types.js";

const LINE_KEV = 5.9;
const LINE_TPA = 2.0; // the line's true TPA-equivalent
const CPE_TRUE = LINE_KEV / LINE_TPA;
const V_PER_TPA = 0.2;

interface Detector {
  gain(h: number): number;
  /** Amplitude (V) of a deposit of `tpa` TPA-equivalents at time h. */
  response(tpa: number, h: number): number;
  /** d amplitude / d tpa. */
  slope(tpa: number, h: number): number;
}

const SAT_V = 3;
const drifting: Detector = {
  gain: (h) => 1 + 0.05 * Math.sin((2 * Math.PI * h) / 2) + 0.02 * h,
  response(tpa, h) { return SAT_V * Math.tanh((V_PER_TPA * this.gain(h) * tpa) / SAT_V); },
  slope(tpa, h) { const g = V_PER_TPA * this.gain(h); return g / Math.cosh((g * tpa) / SAT_V) ** 2; }
};
const stable: Detector = {gain: () => 1, response: (tpa) => V_PER_TPA * tpa, slope: () => V_PER_TPA};

interface Run {
  events: CalibrationEvents & {trueTpa: Float64Array; isLine: Uint8Array};
  testpulses: CalibrationTestPulses;
  /** Expected σ of the line in TPA from what was injected (intrinsic ⊕ amplitude noise). */
  trueSigma_TPA: number;
}

function simulateRun(det: Detector, {hours = 4, nEvents = 20000, noise_V = 0.002, intrinsic_keV = 0.06, seed = 1} = {}): Run {
  const rng = new Rng(seed);
  const levels = [0.5, 1, 3, 5];
  const nTp = Math.floor((hours * 3600) / 10);
  const tp = {channel: new Int32Array(nTp), hours: new Float64Array(nTp), tpa: new Float64Array(nTp), amplitude_V: new Float64Array(nTp)};
  for (let i = 0; i < nTp; i++) {
    const h = ((i + 0.5) * 10) / 3600;
    tp.hours[i] = h;
    tp.tpa[i] = levels[i % levels.length];
    tp.amplitude_V[i] = det.response(tp.tpa[i], h) + rng.normal(0, noise_V);
  }
  const ev = {channel: new Int32Array(nEvents), hours: new Float64Array(nEvents), amplitude_V: new Float64Array(nEvents), trueTpa: new Float64Array(nEvents), isLine: new Uint8Array(nEvents)};
  let var2 = 0;
  let nLine = 0;
  const intrinsic_TPA = intrinsic_keV / CPE_TRUE;
  for (let i = 0; i < nEvents; i++) {
    const h = (hours * (i + rng.uniform())) / nEvents;
    const u = rng.uniform();
    let t: number;
    if (u < 0.3) {
      t = LINE_TPA + rng.normal(0, intrinsic_TPA);
      ev.isLine[i] = 1;
      var2 += intrinsic_TPA ** 2 + (noise_V / det.slope(LINE_TPA, h)) ** 2;
      nLine++;
    } else if (u < 0.4) {
      t = 2 * LINE_TPA + rng.normal(0, intrinsic_TPA); // a second line checks the shape of the scale
    } else {
      t = rng.exponential(2);
    }
    ev.hours[i] = h;
    ev.trueTpa[i] = t;
    ev.amplitude_V[i] = det.response(t, h) + rng.normal(0, noise_V);
  }
  return {events: ev, testpulses: tp, trueSigma_TPA: Math.sqrt(var2 / nLine)};
}

function lineFitIn(values: Float64Array, lo: number, hi: number) {
  return fitLine(values, {start: {mean: (lo + hi) / 2, sigma: (hi - lo) / 4}});
}

describe("lineFit", () => {
  it("recovers a Gaussian on a flat background with honest errors", () => {
    const rng = new Rng(7);
    const v: number[] = [];
    for (let i = 0; i < 5000; i++) v.push(rng.normal(10, 0.3));
    for (let i = 0; i < 5000; i++) v.push(rng.uniformIn(5, 15));
    const f = fitLine(Float64Array.from(v));
    expect(f.method).toBe("binned");
    expect(Math.abs(f.mean - 10)).toBeLessThan(3 * f.meanError);
    expect(Math.abs(f.sigma - 0.3)).toBeLessThan(3 * f.sigmaError);
    expect(f.meanError).toBeGreaterThan(0.3 / Math.sqrt(5000) * 0.9);
    expect(f.meanError).toBeLessThan(0.3 / Math.sqrt(5000) * 1.5);
    expect(f.fwhm / f.sigma).toBeCloseTo(2.3548, 3);
    // The ±kσ window alone is corrected for truncation.
    const w = windowEstimate(Float64Array.from(v.slice(0, 5000)), {mean: 9.5, sigma: 1});
    expect(Math.abs(w.sigma - 0.3)).toBeLessThan(0.015);
  });
});

describe("findPeak", () => {
  it("finds a small, narrow line on a steep continuum (demo-like statistics)", () => {
    const rng = new Rng(5);
    const v: number[] = [];
    for (let i = 0; i < 85; i++) v.push(rng.exponential(1.5));
    for (let i = 0; i < 15; i++) v.push(rng.normal(2.5, 0.005));
    const f = fitLine(Float64Array.from(v));
    expect(Math.abs(f.mean - 2.5)).toBeLessThan(0.005);
    expect(f.sigma).toBeLessThan(0.015);
  });
});

describe("calibration of a drifting, saturating detector (feature level)", () => {
  const run = simulateRun(drifting);
  const opts = {line_keV: LINE_KEV, polyOrder: 3 as const, medianWindow: 5};
  const cal = calibrate(run.events, run.testpulses, opts);
  const ch = cal.channels[0];

  it("puts the line at its energy with the injected resolution", () => {
    expect(Math.abs(ch.cpe_keV_per_TPA / CPE_TRUE - 1)).toBeLessThan(0.005);
    // The line position in keV with the true scale: the TPA-equivalent itself is right.
    const trueScaleLine = CPE_TRUE * ch.scale.lineFit_TPA.mean;
    expect(Math.abs(trueScaleLine / LINE_KEV - 1)).toBeLessThan(0.005);
    const trueSigma_keV = CPE_TRUE * run.trueSigma_TPA;
    expect(Math.abs(ch.sigma_keV / trueSigma_keV - 1)).toBeLessThan(0.1);
    expect(ch.sigmaError_keV).toBeGreaterThan(0);
    expect(ch.sigmaError_keV).toBeLessThan(0.05 * ch.sigma_keV);
    expect(ch.fwhm_keV / ch.sigma_keV).toBeCloseTo(2.35482, 4);
    // Second line at twice the energy: the non-linearity is undone.
    const second = lineFitIn(cal.energy_keV, 2 * LINE_KEV - 0.5, 2 * LINE_KEV + 0.5);
    expect(Math.abs(second.mean / (2 * LINE_KEV) - 1)).toBeLessThan(0.005);
  });

  it("piecewise-linear interpolation through the levels also works", () => {
    const c = calibrate(run.events, run.testpulses, {...opts, polyOrder: "interpolate"}).channels[0];
    expect(Math.abs(c.cpe_keV_per_TPA / CPE_TRUE - 1)).toBeLessThan(0.01);
  });

  it("without the time interpolation the line is broadened and shifted", () => {
    const global = calibrate(run.events, run.testpulses, {...opts, interpolation: "none"}).channels[0];
    expect(global.sigma_keV).toBeGreaterThan(2 * ch.sigma_keV);
    // Shifted in TPA space (the line's apparent TPA-equivalent is off by more than 0.5 %).
    const g = tpaEquivalent(testPulseResponse(run.testpulses, {interpolation: "none"}), run.events.hours, run.events.amplitude_V, {polyOrder: 3});
    const sel = Float64Array.from(g.tpaEquivalent.filter((_, i) => run.events.isLine[i] === 1));
    const f = windowEstimate(sel, {mean: 2, sigma: 0.1});
    expect(Math.abs(f.mean / LINE_TPA - 1) + Math.abs(f.sigma / run.trueSigma_TPA - 1)).toBeGreaterThan(0.5);
  });

  it("flags gaps without test pulses and extrapolation", () => {
    const keep = run.testpulses.hours.map((h) => (h > 1 && h < 1.5 ? 0 : 1));
    const idx = [...keep.keys()].filter((i) => keep[i]);
    const tp = {
      channel: Int32Array.from(idx, (i) => run.testpulses.channel[i]),
      hours: Float64Array.from(idx, (i) => run.testpulses.hours[i]),
      tpa: Float64Array.from(idx, (i) => run.testpulses.tpa[i]),
      amplitude_V: Float64Array.from(idx, (i) => run.testpulses.amplitude_V[i])
    };
    const c = calibrate(run.events, tp, {...opts, maxGap_h: 0.1});
    expect(c.channels[0].unstable.length).toBe(1);
    expect(c.channels[0].unstable[0].start_h).toBeLessThan(1.001);
    expect(c.channels[0].unstable[0].end_h).toBeGreaterThan(1.499);
    const inGap = run.events.hours.map((h) => (h > 1.01 && h < 1.49 ? 1 : 0));
    inGap.forEach((g, i) => { if (g) expect(c.unstable[i]).toBe(1); });
    const above = run.events.trueTpa.map((t) => (t > 5.5 ? 1 : 0));
    above.forEach((a, i) => { if (a) expect(c.extrapolated[i]).toBe(1); });
  });

  it("rejects impossible requests", () => {
    const tp = {hours: new Float64Array([0, 1]), tpa: new Float64Array([1, 1]), amplitude_V: new Float64Array([0.2, 0.2])};
    expect(() => tpaEquivalent(testPulseResponse(tp, {medianWindow: 1}), [0.5], [0.1], {polyOrder: 2, throughOrigin: true})).toThrow(/polyOrder 2 needs 3 points/);
    expect(() => testPulseResponse(tp, {medianWindow: 4})).toThrow(/odd/);
    expect(() => energyScale([1, 2, 3], -1)).toThrow(/positive/);
  });
});

describe("a stable linear detector calibrates to identity", () => {
  it("tpa_equivalent = true TPA within noise, cpe = truth", () => {
    const noise_V = 0.002;
    const run = simulateRun(stable, {noise_V, intrinsic_keV: 0.03, seed: 3});
    const cal = calibrate(run.events, run.testpulses, {line_keV: LINE_KEV, polyOrder: 1});
    const d = Float64Array.from(cal.tpa_equivalent, (v, i) => v - run.events.trueTpa[i]);
    const n = d.length;
    const mean = d.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const expected = noise_V / V_PER_TPA;
    expect(Math.abs(mean)).toBeLessThan(5 * expected / Math.sqrt(n) + 1e-3);
    expect(Math.abs(sd / expected - 1)).toBeLessThan(0.05);
    expect(Math.abs(cal.channels[0].cpe_keV_per_TPA / CPE_TRUE - 1)).toBeLessThan(0.003);
  });
});

describe("waveform level: CRESST-like test pulses and line events through the main parameters", () => {
  it("calibrates the line to the preset's line in both channels", () => {
    const preset = CRESST_LIKE;
    const heights = (group: "events" | "testpulses", count: number) => {
      const {chunk} = simulateChunk(preset, {group, start: 0, count, seed: 11});
      const nch = chunk.nChannels;
      const rows = count * nch;
      const cols = {channel: new Int32Array(rows), hours: new Float64Array(rows), amplitude_V: new Float64Array(rows), tpa: new Float64Array(rows), clean: new Uint8Array(rows)};
      const L = chunk.recordLength;
      for (let c = 0; c < nch; c++) {
        for (let i = 0; i < count; i++) {
          const r = i * nch + c;
          const at = (c * count + i) * L;
          cols.channel[r] = c;
          cols.hours[r] = chunk.hours[i];
          cols.amplitude_V[r] = mainParameters(chunk.samples.subarray(at, at + L)).pulse_height;
          cols.tpa[r] = chunk.testpulseAmplitude?.[i] ?? 0;
          cols.clean[r] = chunk.labels![c * count + i] === LABEL.EventPulse || group === "testpulses" ? 1 : 0;
        }
      }
      return cols;
    };
    const tp = heights("testpulses", 120);
    const ev = heights("events", 360);
    // Only clean pulses in the line fit (the runner does this with the line-selection SQL).
    const cal = calibrate(ev, tp, {line_keV: LINE_KEV, polyOrder: 1, medianWindow: 3, lineRows: ev.clean});
    expect(cal.channels).toHaveLength(2);
    for (const chCal of cal.channels) {
      const ch = preset.channels[chCal.channel];
      const lineTpa = (preset.events.line_V * ch.relativeHeight) / ch.testPulseGain_V_per_TPA;
      expect(Math.abs(chCal.cpe_keV_per_TPA / (LINE_KEV / lineTpa) - 1)).toBeLessThan(0.01);
      expect(chCal.sigma_keV).toBeGreaterThan(0);
      expect(chCal.sigma_keV).toBeLessThan(0.05 * LINE_KEV);
    }
  });
});
