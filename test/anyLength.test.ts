// The DSP on record lengths that are not powers of two (6250 = 2·5⁵, 10000, 3·2¹⁰, the prime
// 4099) and on 2¹⁴, each against a reference computed here: a naive DFT, Parseval, the known
// scale of a template, the level of white noise, known shifts, injected pulses, and a Monte
// Carlo of time-domain noise for the predicted OF resolution under a window.
import {describe, expect, it} from "vitest";
import {irfft, oneSidedWeight, rfft, rfftBins} from "../lib/dsp/fft.js";
import {convolverBackend, loadPffft, realConvolver} from "../lib/dsp/realConvolver.js";
import {ofAmplitude, ofAmplitudeAt, optimumFilter, type OptimumFilterOptions} from "../lib/dsp/optimumFilter.js";
import {ofBatch} from "../lib/dsp/ofBatch.js";
import {noisePowerSpectrum} from "../lib/dsp/nps.js";
import {StandardEventBuilder} from "../lib/dsp/standardEvent.js";
import {fitRecord, prepareSevFit} from "../lib/dsp/sevFit.js";
import {triggerStream} from "../lib/dsp/trigger.js";
import {Rng} from "../lib/math/random.js";
import {filteredReference, naiveDftError} from "./support/dftReference.js";
import type {RecordLayout} from "../lib/types.js";

const LENGTHS = [6250, 10000, 3072, 4099, 16384];
const FS = 25000;

function layoutOf(n: number): RecordLayout {
  return {sampleFrequency_Hz: FS, recordLength: n, triggerIndex: n >> 2};
}

/** Pulse (rise 0.4 ms, decay 6 ms, onset at time `onset` in samples, fractional allowed), height before normalisation. */
function pulse(n: number, onset: number): Float64Array {
  const tr = 0.0004 * FS, td = 0.006 * FS;
  return Float64Array.from({length: n}, (_, i) => {
    const t = i - onset;
    return t <= 0 ? 0 : Math.exp(-t / td) - Math.exp(-t / tr);
  });
}

function template(n: number): Float64Array {
  const p = pulse(n, n >> 2);
  let m = 0;
  for (const v of p) m = Math.max(m, v);
  return p.map((v) => v / m);
}

function whitePsd(n: number, sigma: number): Float64Array {
  const psd = new Float64Array(rfftBins(n));
  for (let k = 1; k < psd.length; k++) psd[k] = (oneSidedWeight(k, n) * sigma * sigma) / FS;
  return psd;
}

describe("rfft / irfft on any length", () => {
  for (const n of LENGTHS) {
    it(`n = ${n}: round trip, Parseval, and bins equal a naive DFT`, () => {
      const rng = new Rng(n, 1);
      const x = Float64Array.from({length: n}, () => rng.normal() + 0.3);
      const X = rfft(x);
      const y = irfft(X, n);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i] - x[i]));
      expect(worst).toBeLessThan(1e-12);
      // Parseval: Σ x² = (1/n)·Σ_k weight_k |X_k|²
      let ex = 0, eX = 0;
      for (let i = 0; i < n; i++) ex += x[i] * x[i];
      for (let k = 0; k < rfftBins(n); k++) eX += (k === 0 || 2 * k === n ? 1 : 2) * (X[2 * k] ** 2 + X[2 * k + 1] ** 2);
      expect(Math.abs(eX / n - ex) / ex).toBeLessThan(1e-12);
      // Naive DFT on 200 bins spread over the spectrum, edges included (angle reduced mod n exactly).
      const h = n >> 1;
      const bins = new Set([0, 1, 2, h - 1, h]);
      for (let i = 0; i < 195; i++) bins.add(Math.floor((i * h) / 195));
      expect(naiveDftError(x, X, bins)).toBeLessThan(1e-12);
    });
  }

  it("every path (mixed radix with direct butterflies, Bluestein on even and odd n, tiny n) equals a naive DFT", () => {
    // 2002 = 2·7·11·13 (direct radix 7, 11, 13), 8198 = 2·4099 (Bluestein inside the even packing),
    // 6000 = 2⁴·3·5³, 2·3·5·67 = 2010 (Bluestein on m = 1005: 67 > MAX_RADIX).
    for (const n of [2, 3, 4, 5, 6, 7, 9, 12, 25, 97, 2002, 2010, 6000, 8198]) {
      const rng = new Rng(n, 4);
      const x = Float64Array.from({length: n}, () => rng.normal());
      const X = rfft(x);
      expect(naiveDftError(x, X), `n ${n}`).toBeLessThan(1e-12);
      const y = irfft(X, n);
      let back = 0;
      for (let i = 0; i < n; i++) back = Math.max(back, Math.abs(y[i] - x[i]));
      expect(back, `n ${n}`).toBeLessThan(1e-12);
    }
  });

  it("odd n: the last bin is an ordinary one (no Nyquist), and sizes below 2 are refused", () => {
    expect(rfftBins(4099)).toBe(2050);
    expect(oneSidedWeight(2049, 4099)).toBe(2);
    expect(oneSidedWeight(2048, 4096)).toBe(1);
    expect(() => rfft([1])).toThrow(/integer ≥ 2/);
  });
});

describe("RealConvolver (float32) on any length", () => {
  it("chooses PFFFT, KISS FFT or float64 Bluestein by length, and all equal the float64 filter", async () => {
    const backends = LENGTHS.map(convolverBackend);
    expect(backends).toEqual(["kiss", "kiss", "pffft", "fft64", "pffft"]);
    await loadPffft();
    for (const n of LENGTHS) {
      const bins = rfftBins(n);
      const H = Float64Array.from({length: 2 * bins}, (_, i) => Math.sin(0.37 * i) + (i % 3) * 0.1);
      const x = Float64Array.from({length: n}, (_, i) => Math.cos(0.05 * i * i / n) + (i === 7 ? 3 : 0));
      const want = filteredReference(x, H);
      const conv = await realConvolver(n, H);
      conv.input().set(x);
      const got = conv.run();
      let worst = 0, s = 0;
      for (let i = 0; i < n; i++) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]));
        s = Math.max(s, Math.abs(want[i]));
      }
      expect(worst / s, `n ${n} (${conv.backend})`).toBeLessThan(1e-5);
      conv.dispose();
    }
  });
});

describe("optimum filter on any length", () => {
  for (const n of LENGTHS) {
    it(`n = ${n}: the amplitude of a noiseless scaled template is its scale (float64 and batch)`, async () => {
      const layout = layoutOf(n);
      const sev = template(n);
      // Coloured PSD: white plus 1/f, so the filter is not just the matched template.
      const psd = whitePsd(n, 1e-3).map((p, k) => (k === 0 ? 0 : p * (1 + 200 / k)));
      const scale = 3.7;
      const record = sev.map((v) => scale * v + 0.25); // offset: H_0 = 0 / baseline removal
      for (const options of [{}, {window: "tukey"}, {caitCompatible: true}] as OptimumFilterOptions[]) {
        const of = optimumFilter(sev, psd, layout, options);
        const a = options.window || options.caitCompatible ? ofAmplitudeAt(of, record) : ofAmplitude(of, record).amplitude_V;
        if (!options.caitCompatible) expect(a, JSON.stringify(options)).toBeCloseTo(scale, 9);
        // cait normalises by the filtered SEV·tukey² but windows records once: ≈ 1e-9 low by convention.
        else expect(Math.abs(ofAmplitude(of, record).amplitude_V / scale - 1)).toBeLessThan(1e-7);
        if (!options.window && !options.caitCompatible) {
          expect(ofAmplitude(of, record).index).toBe(of.peakIndex);
          const batch = await ofBatch(of);
          expect(Math.abs(batch.amplitude(Float32Array.from(record)).amplitude_V - scale)).toBeLessThan(1e-4);
          batch.dispose();
        }
      }
    });
  }
});

describe("NPS on any length", () => {
  for (const n of LENGTHS) {
    it(`n = ${n}: white noise of variance σ² is flat at 2σ²/fs (σ²/fs at an even length's Nyquist bin)`, () => {
      const layout = layoutOf(n);
      const sigma = 0.02, count = 120;
      const rng = new Rng(n, 2);
      const records = Array.from({length: count}, () => Float64Array.from({length: n}, () => rng.normal(0, sigma)));
      const level = (2 * sigma * sigma) / FS; // two-sided σ²/fs on [−fs/2, fs/2], folded
      for (const window of ["none", "tukey"] as const) {
        const {psd_V2_per_Hz: psd} = noisePowerSpectrum(records, layout, {window});
        const h = psd.length - 1;
        expect(psd.length).toBe(rfftBins(n));
        // Interior bins away from DC (the baseline offset removal colours the lowest ones).
        const lo = 20, hiEnd = n % 2 ? h + 1 : h;
        let s = 0;
        for (let k = lo; k < hiEnd; k++) s += psd[k];
        const mean = s / (hiEnd - lo);
        expect(Math.abs(mean / level - 1), window).toBeLessThan(0.01);
        // Flat: the lower and upper halves of the band agree.
        const mid = (lo + hiEnd) >> 1;
        let a = 0, b = 0;
        for (let k = lo; k < mid; k++) a += psd[k];
        for (let k = mid; k < hiEnd; k++) b += psd[k];
        expect(Math.abs(a / (mid - lo) / (b / (hiEnd - mid)) - 1)).toBeLessThan(0.02);
        // The last bin: Nyquist (not doubled) for even n, an ordinary doubled bin for odd n.
        let last = 0;
        for (let k = h - 9; k <= h; k++) last += k === h ? 0 : psd[k];
        const ratio = psd[h] / (last / 9);
        if (n % 2) expect(ratio).toBeGreaterThan(0.6);
        else expect(ratio).toBeLessThan(0.85);
      }
    });
  }
});

describe("SEV alignment on any length", () => {
  for (const n of LENGTHS) {
    it(`n = ${n}: shifted copies of a pulse are realigned by their shifts`, () => {
      const layout = layoutOf(n);
      const ref = template(n);
      const shifts = [0, 3, -7.5, 12.25, -20, 31.6, 5.1, -2.4];
      const b = new StandardEventBuilder(layout, {reference: ref, maxShift_ms: 2});
      for (const d of shifts) b.add(pulse(n, (n >> 2) + d).map((v) => 0.8 * v + 0.1));
      const sev = b.result();
      for (let i = 0; i < shifts.length; i++) {
        const got = (sev.shifts_ms[i] * FS) / 1000;
        expect(Math.abs(got - shifts[i]), `shift ${shifts[i]}`).toBeLessThan(0.05);
      }
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(sev.sev[i] - ref[i]));
      expect(worst).toBeLessThan(0.02);
    });
  }
});

describe("SEV fit on any length", () => {
  for (const n of LENGTHS) {
    it(`n = ${n}: height, onset shift and a linear baseline of a shifted scaled pulse`, () => {
      const layout = layoutOf(n);
      const plan = prepareSevFit(template(n), layout, {baselineOrder: 1, maxShift_ms: 2});
      let m = 0;
      for (const v of pulse(n, n >> 2)) m = Math.max(m, v);
      for (const [d, h] of [[0, 1], [6.5, 0.3], [-11.2, 2.5]]) {
        // x = 2i/(L−1) − 1: baseline 0.1 + 0.02·x
        const record = pulse(n, (n >> 2) + d).map((v, i) => (h * v) / m + 0.1 + 0.02 * ((2 * i) / (n - 1) - 1));
        const f = fitRecord(plan, record);
        expect(Math.abs(f.height_V / h - 1), `shift ${d}`).toBeLessThan(2e-3);
        expect(Math.abs((f.onsetShift_ms * FS) / 1000 - d), `shift ${d}`).toBeLessThan(0.05);
        expect(Math.abs(f.baseline_V[0] - 0.1)).toBeLessThan(2e-3 * h);
      }
    });
  }
});

describe("trigger on streams of any record length", () => {
  for (const n of LENGTHS) {
    it(`n = ${n}: injected pulses are found at their positions with their heights (float64 and float32)`, async () => {
      const layout = layoutOf(n);
      const sev = template(n);
      const sigma = 0.002;
      const of = optimumFilter(sev, whitePsd(n, sigma), layout);
      const rng = new Rng(n, 3);
      const count = 8, spacing = 3 * n + 123;
      const length = (count + 1) * spacing;
      const stream = Float64Array.from({length}, () => rng.normal(0, sigma));
      const at: number[] = [], height: number[] = [];
      for (let p = 0; p < count; p++) {
        const s = spacing * (p + 1) - (n >> 1), A = 0.05 * (1 + p);
        at.push(s + layout.triggerIndex);
        height.push(A);
        for (let i = 0; i < n; i++) stream[s + i] += A * sev[i];
      }
      const pffft = await loadPffft();
      for (const float32 of [false, true]) {
        // The stream's ends (extended by their first/last sample, a step of noise size) may trigger: not pulses.
        const t = triggerStream(of, stream, {threshold_V: 6 * of.resolution_V, pffft: float32 ? pffft : undefined}).filter((x) => x.sample >= n && x.sample < length - n);
        expect(t.length, `float32 ${float32}`).toBe(count);
        for (let p = 0; p < count; p++) {
          expect(Math.abs(t[p].alignedSample - at[p])).toBeLessThanOrEqual(2);
          expect(Math.abs(t[p].amplitude_V - height[p])).toBeLessThan(5 * of.resolution_V);
        }
      }
    });
  }
});

describe("predicted OF resolution with a window", () => {
  // AR(1) + white noise drawn in the time domain (no FFT): its PSD is known in closed form,
  // P(f) = 2/fs·(σ_w² + σ_e²/|1 − φ·e^{−2πif/fs}|²), so the prediction and the Monte Carlo are independent.
  const n = 1000, phi = 0.95, se = 0.3e-3, sw = 1e-3;
  const layout: RecordLayout = {sampleFrequency_Hz: FS, recordLength: n, triggerIndex: 250};
  const psd = new Float64Array(rfftBins(n));
  // One-sided: 2·(two-sided density) except at Nyquist, where the bin is not doubled.
  for (let k = 1; k < psd.length; k++) {
    const w = (2 * Math.PI * k) / n;
    const two = (sw * sw + (se * se) / (1 - 2 * phi * Math.cos(w) + phi * phi)) / FS;
    psd[k] = (2 * k === n ? 1 : 2) * two;
  }
  const sev = template(n);
  const records = 8000;
  const rng = new Rng(7, 7);
  const noise = (): Float64Array => {
    const x = new Float64Array(n);
    let a = rng.normal(0, se / Math.sqrt(1 - phi * phi));
    for (let i = 0; i < n; i++) {
      x[i] = a + rng.normal(0, sw);
      a = phi * a + rng.normal(0, se);
    }
    return x;
  };
  const data = Array.from({length: records}, noise);

  for (const options of [{window: "none"}, {window: "tukey", alpha: 0.25}, {window: "tukey", alpha: 0.6}, {caitCompatible: true}] as OptimumFilterOptions[]) {
    it(`equals the Monte Carlo spread of the amplitude at t_m (${JSON.stringify(options)})`, () => {
      const of = optimumFilter(sev, psd, layout, options);
      let s = 0, s2 = 0;
      for (const r of data) {
        const a = ofAmplitudeAt(of, r);
        s += a;
        s2 += a * a;
      }
      const mean = s / records, sd = Math.sqrt((s2 - records * mean * mean) / (records - 1));
      const noWindow = optimumFilter(sev, psd, layout, {...options, window: "none", caitCompatible: false}).resolution_V;
      console.log(`${JSON.stringify(options)}: predicted ${(of.resolution_V * 1e6).toFixed(3)} µV, Monte Carlo ${(sd * 1e6).toFixed(3)} µV (±${((sd / Math.sqrt(2 * records)) * 1e6).toFixed(3)}), no-window formula ${(noWindow * 1e6).toFixed(3)} µV`);
      // Standard error of a standard deviation from 8000 draws: 0.8 %.
      expect(Math.abs(sd / of.resolution_V - 1)).toBeLessThan(0.03);
    });
  }
});
