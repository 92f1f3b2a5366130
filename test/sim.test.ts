import {describe, expect, it} from "vitest";
import {readFileSync} from "node:fs";
import {rfft, irfft} from "../lib/dsp/fft.js";
import {meanPsd, periodogram, psdFrequencies_Hz} from "../lib/dsp/psd.js";
import {Rng, eventStream} from "../lib/math/random.js";
import {addPulse, normalisedTemplate, pulsePeak, pulseShapeFromCait, pulseTemplate, sampleTime_ms} from "../lib/dsp/pulseModel.js";
import {addNoise, composePsd, lowPassGain, mainsPsd, noiseAmplitudes, powerLawPsd, psdVariance_V2, shapedPsd, whitePsd} from "../lib/sim/noise.js";
import {addSpike, addSquidJump, addTemperatureRise, saturate, saturation_V} from "../lib/sim/artefacts.js";
import {CAIT_LAYOUT, type RecordLayout} from "../lib/types.js";
import {CAIT_REFERENCE_VALUES} from "./support/caitMock.js";

const ref = JSON.parse(readFileSync(CAIT_REFERENCE_VALUES, "utf8"));

describe("fft", () => {
  it("round-trips and satisfies Parseval", () => {
    const rng = new Rng(1);
    for (const n of [4, 8, 64, 1024, 16384]) {
      const x = new Float64Array(n).map(() => rng.normal());
      const X = rfft(x);
      const y = irfft(X, n);
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(y[i] - x[i]));
      expect(err).toBeLessThan(1e-12);
      let e = 0, E = 0;
      for (let i = 0; i < n; i++) e += x[i] * x[i];
      for (let k = 0; k <= n / 2; k++) E += (k === 0 || k === n / 2 ? 1 : 2) * (X[2 * k] ** 2 + X[2 * k + 1] ** 2);
      expect(E / n / e).toBeCloseTo(1, 12);
    }
  });
  it("matches a direct DFT", () => {
    const x = [1, 2, -1, 0.5, 3, 0, -2, 1];
    const X = rfft(x);
    for (let k = 0; k <= 4; k++) {
      let re = 0, im = 0;
      for (let j = 0; j < 8; j++) {
        re += x[j] * Math.cos((2 * Math.PI * j * k) / 8);
        im -= x[j] * Math.sin((2 * Math.PI * j * k) / 8);
      }
      expect(X[2 * k]).toBeCloseTo(re, 12);
      expect(X[2 * k + 1]).toBeCloseTo(im, 12);
    }
  });
  it("rejects lengths below 2 and spectra with too few bins (any length ≥ 2 works: test/anyLength.test.ts)", () => {
    expect(() => rfft(new Float64Array(1))).toThrow(RangeError);
    expect(() => irfft(new Float64Array(12), 12)).toThrow(RangeError);
    expect(() => irfft(new Float64Array(8), 9)).toThrow(RangeError);
  });
});

describe("psd", () => {
  it("integrates to the variance of a zero-mean record", () => {
    const rng = new Rng(2);
    const x = new Float64Array(4096).map(() => rng.normal(0, 0.003));
    let m = 0;
    for (const v of x) m += v / x.length;
    for (let i = 0; i < x.length; i++) x[i] -= m;
    const p = periodogram(x, 25000);
    const v = x.reduce((s, a) => s + a * a, 0) / x.length;
    expect(p.reduce((s, a) => s + a, 0) * (25000 / 4096)).toBeCloseTo(v, 15);
    expect(psdFrequencies_Hz(4096, 25000)[2048]).toBe(12500);
  });
});

describe("pulse model", () => {
  for (const name of ["phonon", "light", "carrier_phonon"]) {
    it(`matches cait pulse_template_2 (${name})`, () => {
      const r = ref[`pulse_template_${name}`];
      const shape = pulseShapeFromCait(r.par);
      const p = pulseTemplate(shape, CAIT_LAYOUT);
      r.idx.forEach((idx: number, j: number) => {
        const want = r.val[j];
        expect(Math.abs(p[idx] - want)).toBeLessThanOrEqual(1e-9 * Math.abs(want) + 1e-15);
      });
      let max = -Infinity, arg = -1, sum = 0;
      p.forEach((v, i) => { sum += v; if (v > max) { max = v; arg = i; } });
      expect(arg).toBe(r.argmax);
      expect(Math.abs(max / r.max - 1)).toBeLessThan(1e-9);
      expect(Math.abs(sum / r.sum - 1)).toBeLessThan(1e-9);
      // addPulse (recurrence) agrees with the direct evaluation, scaled to the continuous peak
      const a = addPulse(new Float64Array(CAIT_LAYOUT.recordLength), shape, CAIT_LAYOUT, 2, 0);
      const norm = normalisedTemplate(shape, CAIT_LAYOUT);
      let err = 0;
      for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - 2 * norm[i]));
      expect(err).toBeLessThan(1e-10);
      expect(pulsePeak(shape).value).toBeGreaterThanOrEqual(r.max);
      expect(pulsePeak(shape).value / r.max - 1).toBeLessThan(1e-3);
    });
  }
  it("shifts the pulse and peaks at the given height", () => {
    const shape = pulseShapeFromCait(ref.pulse_template_phonon.par);
    const layout: RecordLayout = {sampleFrequency_Hz: 25000, recordLength: 8192, triggerIndex: 2048};
    const a = addPulse(new Float64Array(8192), shape, layout, 0.7, 100);
    let arg = 0;
    for (let i = 1; i < a.length; i++) if (a[i] > a[arg]) arg = i;
    expect(a[arg]).toBeLessThanOrEqual(0.7);
    expect(a[arg]).toBeGreaterThan(0.699);
    expect(sampleTime_ms(arg, layout)).toBeCloseTo(pulsePeak(shape).time_ms + 100, 1);
    const onset = Math.floor(((shape.t0_ms + 100) / 1000) * 25000 + 2048);
    expect(a[onset]).toBe(0);
    expect(a[onset + 2]).toBeGreaterThan(0);
  });
});

/** Max relative error of band means of `got` vs `want` over log-spaced bands of bins ≥ 1. */
function bandError(got: Float64Array, want: Float64Array, bands = 20): number {
  const h = want.length - 1;
  let worst = 0;
  for (let b = 0; b < bands; b++) {
    const lo = Math.max(1, Math.floor(h ** (b / bands)));
    const hi = Math.max(lo + 1, Math.floor(h ** ((b + 1) / bands)));
    if (hi - lo < 8) continue;
    let g = 0, w = 0;
    for (let k = lo; k < hi; k++) {
      g += got[k];
      w += want[k];
    }
    worst = Math.max(worst, Math.abs(g / w - 1));
  }
  return worst;
}

describe("noise", () => {
  const n = 4096, fs = 25000, records = 300;
  const simulate = (psd: Float64Array, seed: number): Float64Array[] => {
    const amp = noiseAmplitudes(psd, fs);
    const out: Float64Array[] = [];
    for (let r = 0; r < records; r++) out.push(addNoise(new Float64Array(n), amp, eventStream(seed, "noise", r)) as Float64Array);
    return out;
  };
  it("white PSD: averaged periodogram within 5% in every band, variance matches", () => {
    const psd = composePsd(n, fs, whitePsd(4e-10));
    const recs = simulate(psd, 7);
    const got = meanPsd(recs, fs);
    expect(bandError(got, psd)).toBeLessThan(0.05);
    // top quarter of the spectrum too (where cait's mirror bug would show)
    let g = 0, w = 0;
    for (let k = (3 * n) / 8; k <= n / 2; k++) { g += got[k]; w += psd[k]; }
    expect(Math.abs(g / w - 1)).toBeLessThan(0.02);
    let v = 0;
    for (const r of recs) for (const x of r) v += x * x;
    v /= records * n;
    expect(Math.abs(v / psdVariance_V2(psd, fs) - 1)).toBeLessThan(0.02);
    expect(Math.sqrt(v)).toBeCloseTo(Math.sqrt(4e-10 * fs / 2), 4);
  });
  it("coloured PSD (1/f + low-pass + mains): within 5% per band, lines in place", () => {
    const psd = composePsd(n, fs, shapedPsd(lowPassGain(2000), whitePsd(5e-10), powerLawPsd(5e-8, 1.2)), mainsPsd([1e-3, 5e-4, 2e-4]));
    const recs = simulate(psd, 8);
    const got = meanPsd(recs, fs);
    expect(bandError(got, psd)).toBeLessThan(0.05);
    const k50 = Math.round(50 / (fs / n));
    expect(Math.abs(got[k50] / psd[k50] - 1)).toBeLessThan(0.25); // one bin, 300 records: ~6% sd
    expect(psd[k50] * (fs / n)).toBeGreaterThan(0.5 * (1e-3) ** 2 / 2);
    let v = 0;
    for (const r of recs) for (const x of r) v += x * x;
    v /= records * n;
    expect(Math.abs(v / psdVariance_V2(psd, fs) - 1)).toBeLessThan(0.03);
  });
  it("is zero-mean per record and deterministic", () => {
    const psd = composePsd(n, fs, whitePsd(1e-9));
    const amp = noiseAmplitudes(psd, fs);
    const a = addNoise(new Float32Array(n), amp, new Rng(3, 4));
    const b = addNoise(new Float32Array(n), amp, new Rng(3, 4));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Math.abs(Array.from(a).reduce((s, x) => s + x, 0) / n)).toBeLessThan(1e-8);
  });
});

describe("random", () => {
  it("has the right moments", () => {
    const rng = new Rng(11);
    const N = 100000;
    let su = 0, sn = 0, sn2 = 0, se = 0, sp = 0, sP = 0;
    for (let i = 0; i < N; i++) {
      su += rng.uniform();
      const z = rng.normal();
      sn += z;
      sn2 += z * z;
      se += rng.exponential(2);
      sp += rng.poisson(3);
      sP += rng.poisson(100);
    }
    expect(su / N).toBeCloseTo(0.5, 2);
    expect(Math.abs(sn / N)).toBeLessThan(0.015);
    expect(sn2 / N).toBeCloseTo(1, 1);
    expect(Math.abs(se / N / 2 - 1)).toBeLessThan(0.02);
    expect(Math.abs(sp / N / 3 - 1)).toBeLessThan(0.02);
    expect(Math.abs(sP / N / 100 - 1)).toBeLessThan(0.005);
  });
  it("gives independent streams per (seed, group, event)", () => {
    expect(eventStream(1, "events", 5).nextUint32()).toBe(eventStream(1, "events", 5).nextUint32());
    const xs = new Set([eventStream(1, "events", 5), eventStream(2, "events", 5), eventStream(1, "noise", 5), eventStream(1, "events", 6)].map((r) => r.nextUint32()));
    expect(xs.size).toBe(4);
  });
});

describe("artefacts", () => {
  const layout: RecordLayout = {sampleFrequency_Hz: 25000, recordLength: 4096, triggerIndex: 1024};
  it("SQUID jump leaves a step of the given size", () => {
    const r = addSquidJump(new Float64Array(4096), layout, {time_ms: 20, step_V: -0.8, ramp_ms: 0.2});
    const i0 = 1024 + 500;
    expect(r[i0 - 1]).toBe(0);
    expect(r[i0 + 2]).toBeCloseTo(-0.8 * 2 / 5, 12);
    expect(r[i0 + 5]).toBeCloseTo(-0.8, 12);
    expect(r[4095]).toBeCloseTo(-0.8, 12);
  });
  it("spike is a rectangle starting at the given time", () => {
    const r = addSpike(new Float64Array(4096), layout, {time_ms: -10, width_ms: 0.4, height_V: 1.5});
    let arg = 0;
    for (let i = 1; i < r.length; i++) if (r[i] > r[arg]) arg = i;
    expect(sampleTime_ms(arg, layout)).toBeCloseTo(-10, 9);
    expect(r[arg]).toBe(1.5);
    expect(Array.from(r).reduce((s, x) => s + x, 0)).toBeCloseTo(1.5 * 10, 9);
  });
  it("temperature rise reaches its size at the end", () => {
    const r = addTemperatureRise(new Float64Array(4096), layout, {start_ms: 0, rise_V: 0.3, exponent: 2});
    expect(r[1000]).toBe(0);
    expect(r[4095]).toBeCloseTo(0.3, 12);
    expect(r[1024 + (4095 - 1024) / 2 | 0]).toBeCloseTo(0.3 / 4, 3);
  });
  it("saturation has unit initial gain and caps at the level", () => {
    expect(saturation_V(1e-4, 3) / 1e-4).toBeCloseTo(1, 6);
    expect(saturation_V(100, 3)).toBeCloseTo(3, 9);
    const r = addPulse(new Float64Array(4096), pulseShapeFromCait(ref.pulse_template_phonon.par), layout, 12, 0);
    saturate(r, 3, 0.2);
    expect(Math.max(...r)).toBeLessThan(3.2);
    expect(Math.max(...r)).toBeGreaterThan(3.19);
  });
});
