import {describe, expect, it} from "vitest";
import {optimumFilter} from "../lib/dsp/optimumFilter.js";
import {noisePowerSpectrum} from "../lib/dsp/nps.js";
import {ofAmplitude} from "../lib/dsp/optimumFilter.js";
import {
  extractRecords, filterStream, filteredNoiseStats, noiseTriggerRate_Hz, thresholdForNoiseRate, thresholdFromResolution, triggerStream
} from "../lib/dsp/trigger.js";
import {simulateStream} from "../lib/sim/stream.js";
import {CRESST_LIKE, normalisedTemplate, Rng} from "../lib/sim/index.js";
import {chunkRecord} from "../lib/types.js";

const {layout, channels} = CRESST_LIKE;
const ch = channels[0];
const L = layout.recordLength;
const of = optimumFilter(normalisedTemplate(ch.pulse, layout), ch.noisePsd_V2_per_Hz, layout);
const sigma = of.resolution_V;

describe("simulateStream", () => {
  it("is deterministic and has the preset PSD within 5 % (bands of 256 bins)", () => {
    const a = simulateStream(CRESST_LIKE, {duration_s: 60, seed: 5, channels: [0]});
    const b = simulateStream(CRESST_LIKE, {duration_s: 2, seed: 5, channels: [0]});
    expect(a.channels[0].subarray(0, b.length)).toEqual(b.channels[0]);
    const s = a.channels[0];
    const recs = Array.from({length: Math.floor(s.length / L)}, (_, i) => s.subarray(i * L, (i + 1) * L));
    const psd = noisePowerSpectrum(recs, layout).psd_V2_per_Hz;
    let worst = 0;
    for (let k0 = 1; k0 + 256 <= psd.length; k0 += 256) {
      let x = 0, y = 0;
      for (let k = k0; k < k0 + 256; k++) {
        x += psd[k];
        y += ch.noisePsd_V2_per_Hz[k];
      }
      worst = Math.max(worst, Math.abs(x / y - 1));
    }
    // the lowest bins alone (1/f, steepest): within 15 %
    let lo = 0, loRef = 0;
    for (let k = 1; k < 9; k++) {
      lo += psd[k];
      loRef += ch.noisePsd_V2_per_Hz[k];
    }
    console.log(`stream PSD (60 s, ${recs.length} records): worst 256-bin band ${(worst * 100).toFixed(2)} %, bins 1–8 ${((lo / loRef - 1) * 100).toFixed(1)} %`);
    expect(worst).toBeLessThan(0.05);
    expect(Math.abs(lo / loRef - 1)).toBeLessThan(0.15);
  });
});

describe("OF trigger", () => {
  it("fires at the requested noise-trigger rate (Rice model) within a factor 1.5", () => {
    const rate = 0.2;
    const {threshold_V, sigma_V, zeroUpcrossingRate_Hz} = thresholdForNoiseRate(of, ch.noisePsd_V2_per_Hz, rate);
    expect(sigma_V / sigma).toBeCloseTo(1, 6);
    expect(noiseTriggerRate_Hz({sigma_V, zeroUpcrossingRate_Hz}, threshold_V)).toBeCloseTo(rate, 9);
    const duration_s = 300;
    const ts = performance.now();
    const s = simulateStream(CRESST_LIKE, {duration_s, seed: 21, channels: [0]});
    console.log(`simulateStream: ${(s.length / ((performance.now() - ts) / 1000) / 1e6).toFixed(2)} M samples/s`);
    const t0 = performance.now();
    const trig = triggerStream(of, s.channels[0], {threshold_V});
    const dt = (performance.now() - t0) / 1000;
    const measured = trig.length / duration_s;
    console.log(`noise triggers: threshold ${(threshold_V / sigma).toFixed(2)} σ (ν₀ = ${zeroUpcrossingRate_Hz.toFixed(1)} Hz), requested ${rate} Hz, measured ${measured.toFixed(3)} Hz (${trig.length} in ${duration_s} s)`);
    console.log(`triggerStream speed: ${(s.length / dt / 1e6).toFixed(2)} M samples/s = ${(s.length / dt / 25_000).toFixed(0)} × real time at 25 kHz`);
    expect(measured / rate).toBeGreaterThan(1 / 1.5);
    expect(measured / rate).toBeLessThan(1.5);
    for (let i = 1; i < trig.length; i++) expect(trig[i].sample - trig[i - 1].sample).toBeGreaterThanOrEqual(L / 2);
  });

  it("has 50 % efficiency at the threshold, finds pulses where they are, extracts aligned records", () => {
    const threshold_V = thresholdFromResolution(5, sigma);
    const rng = new Rng(99);
    const n = 400, spacing_s = 0.9;
    const times_s = Array.from({length: n}, (_, i) => 1 + i * spacing_s);
    const heights_V = times_s.map(() => rng.uniformIn(0, 3) * threshold_V);
    const s = simulateStream(CRESST_LIKE, {duration_s: 2 + n * spacing_s, seed: 22, channels: [0], pulses: {times_s, heights_V}});
    const trig = triggerStream(of, s.channels[0], {threshold_V});
    // match each pulse with a trigger whose aligned sample is within 100 samples (4 ms)
    const found = new Array<number>(n).fill(-1);
    let j = 0;
    for (let i = 0; i < n; i++) {
      const p = s.truth.sample[i];
      while (j < trig.length && trig[j].alignedSample < p - 100) j++;
      if (j < trig.length && Math.abs(trig[j].alignedSample - p) <= 100) found[i] = j;
    }
    // maximum-likelihood erf fit of efficiency(h) = Φ((h − h50)/w)
    const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    let best = {h50: 0, w: 0, ll: -Infinity};
    for (let h50 = 3; h50 <= 7; h50 += 0.01) {
      for (let w = 0.5; w <= 2; w += 0.02) {
        let ll = 0;
        for (let i = 0; i < n; i++) {
          const e = Math.min(1 - 1e-12, Math.max(1e-12, Phi((heights_V[i] / sigma - h50) / w)));
          ll += found[i] >= 0 ? Math.log(e) : Math.log(1 - e);
        }
        if (ll > best.ll) best = {h50, w, ll};
      }
    }
    const dev: number[] = [];
    for (let i = 0; i < n; i++) if (found[i] >= 0 && heights_V[i] > 2 * threshold_V) dev.push(trig[found[i]].alignedSample - s.truth.sample[i]);
    dev.sort((a, b) => Math.abs(a) - Math.abs(b));
    const q90 = Math.abs(dev[Math.floor(0.9 * dev.length)]);
    const extra = trig.length - found.filter((f) => f >= 0).length;
    console.log(`efficiency: 50 % at ${best.h50.toFixed(2)} σ (threshold 5 σ), width ${best.w.toFixed(2)} σ; ${trig.length} triggers, ${extra} unmatched; ` +
      `|trigger − truth| for h > 2·thr: median ${Math.abs(dev[dev.length >> 1])}, 90 % ≤ ${q90} samples`);
    expect(Math.abs(best.h50 - 5)).toBeLessThan(0.2);
    expect(best.w).toBeGreaterThan(0.7);
    expect(best.w).toBeLessThan(1.4);
    expect(Math.abs(dev[dev.length >> 1])).toBeLessThanOrEqual(4);
    expect(q90).toBeLessThanOrEqual(10);
    expect(extra).toBeLessThanOrEqual(2);
    for (let i = 1; i < trig.length; i++) expect(trig[i].sample - trig[i - 1].sample).toBeGreaterThanOrEqual(L / 2);
    // every pulse above 2·thr found
    for (let i = 0; i < n; i++) if (heights_V[i] > 2 * threshold_V) expect(found[i]).toBeGreaterThanOrEqual(0);

    // extracted records: the OF sees the pulse at the template position with its height
    const big = trig.filter((t) => t.amplitude_V > 2 * threshold_V);
    const {chunk, skipped} = extractRecords(s.channels, big, layout);
    expect(skipped.length).toBe(0);
    expect(chunk.count).toBe(big.length);
    let worstShift = 0;
    for (let i = 0; i < chunk.count; i++) {
      const a = ofAmplitude(of, chunkRecord(chunk, 0, i));
      worstShift = Math.max(worstShift, Math.abs(a.index - of.peakIndex));
      expect(Math.abs(a.amplitude_V - big[i].amplitude_V)).toBeLessThan(1.5 * sigma); // record vs stream noise context
    }
    // record filtering is circular (other noise context), so its maximum may move by a few samples
    expect(worstShift).toBeLessThanOrEqual(12);
    const filtered = filterStream(of, s.channels[0].subarray(0, 10 * L));
    expect(filtered[trig[0].sample]).toBeCloseTo(trig[0].amplitude_V, 5);
  });

  it("filtered noise σ from the spectra matches the stream", () => {
    const s = simulateStream(CRESST_LIKE, {duration_s: 60, seed: 23, channels: [0]});
    const y = filterStream(of, s.channels[0]);
    let m = 0, v = 0;
    for (let i = L; i < y.length - L; i++) m += y[i];
    m /= y.length - 2 * L;
    for (let i = L; i < y.length - L; i++) v += (y[i] - m) ** 2;
    const sd = Math.sqrt(v / (y.length - 2 * L));
    const st = filteredNoiseStats(of, ch.noisePsd_V2_per_Hz);
    console.log(`filtered stream σ ${(sd * 1e3).toFixed(4)} mV vs predicted ${(st.sigma_V * 1e3).toFixed(4)} mV`);
    expect(Math.abs(sd / st.sigma_V - 1)).toBeLessThan(0.1);
  });
});

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const s = Math.sign(x), a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
