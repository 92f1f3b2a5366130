// The PFFFT paths (float32: batch OF amplitudes, stream filtering) against the exact fft.js
// paths (float64) on simulated records and streams.
import {describe, expect, it} from "vitest";
import {ofBatch} from "../lib/dsp/ofBatch.js";
import {ofAmplitude, optimumFilter} from "../lib/dsp/optimumFilter.js";
import {loadPffft, realConvolver} from "../lib/dsp/realConvolver.js";
import {filterStream, thresholdFromResolution, triggerStream} from "../lib/dsp/trigger.js";
import {simulateStream} from "../lib/sim/stream.js";
import {CRESST_LIKE, normalisedTemplate, simulateChunk} from "../lib/sim/index.js";
import {chunkRecord} from "../lib/types.js";
import {filteredReference} from "./support/dftReference.js";
import {realTransforms} from "../lib/dsp/fastRealFft.js";
import {irfft, rfft} from "../lib/dsp/fft.js";
import {fitRecord, prepareSevFit} from "../lib/dsp/sevFit.js";

const {layout, channels} = CRESST_LIKE;

describe("RealConvolver", () => {
  it("equals irfft(rfft(x)·H) for an arbitrary transfer function, odd bins and edge bins included", async () => {
    const n = 256;
    const H = new Float64Array(n + 2).map((_, i) => Math.sin(0.37 * i) + (i % 3) * 0.1);
    const x = Float64Array.from({length: n}, (_, i) => Math.cos(0.05 * i * i) + (i === 7 ? 3 : 0));
    const want = filteredReference(x, H);
    const conv = await realConvolver(n, H);
    conv.input().set(x);
    const got = conv.run();
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-5);
    conv.dispose();
    expect(() => conv.run()).toThrow(/after dispose/);
    await expect(realConvolver(1, H)).rejects.toThrow(/integer ≥ 2/);
  });
});

describe("ofBatch", () => {
  it("gives the float64 OF amplitude and time of every record (window and cait modes)", async () => {
    const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: 60, seed: 9});
    for (const caitCompatible of [false, true]) {
      for (const ch of channels) {
        const of = optimumFilter(normalisedTemplate(ch.pulse, layout), ch.noisePsd_V2_per_Hz, layout, {window: "tukey", caitCompatible});
        const batch = await ofBatch(of);
        let worst = 0, sameIndex = 0;
        for (let i = 0; i < chunk.count; i++) {
          const r = chunkRecord(chunk, ch.index, i);
          const a = ofAmplitude(of, r), b = batch.amplitude(r);
          worst = Math.max(worst, Math.abs(a.amplitude_V - b.amplitude_V) / Math.max(1, Math.abs(a.amplitude_V)));
          if (a.index === b.index) sameIndex++;
        }
        batch.dispose();
        console.log(`ofBatch ch${ch.index} cait=${caitCompatible}: worst relative difference ${worst.toExponential(2)}, same index ${sameIndex}/${chunk.count}`);
        // float32 rounding: far below the resolution (≈ 0.5 mV here)
        expect(worst, `channel ${ch.index} cait ${caitCompatible}`).toBeLessThan(1e-5);
        expect(sameIndex).toBeGreaterThanOrEqual(chunk.count - 1);
      }
    }
  });
});

describe("stream trigger with PFFFT", () => {
  it("filters the stream like fft.js and finds the same triggers", async () => {
    const ch = channels[0];
    const of = optimumFilter(normalisedTemplate(ch.pulse, layout), ch.noisePsd_V2_per_Hz, layout);
    const stream = simulateStream(CRESST_LIKE, {duration_s: 40, seed: 8, channels: [0], pulses: {rate_Hz: 1, heightRange_V: [0.002, 0.05]}}).channels[0];
    const pffft = await loadPffft();
    const a = filterStream(of, stream), b = filterStream(of, stream, undefined, pffft);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst / of.resolution_V).toBeLessThan(1e-3);
    const threshold_V = thresholdFromResolution(5, of.resolution_V);
    const t64 = triggerStream(of, stream, {threshold_V});
    const t32 = triggerStream(of, stream, {threshold_V, pffft});
    console.log(`PFFFT stream filter: worst |Δ| ${(worst / of.resolution_V).toExponential(2)} σ; ${t64.length} triggers`);
    expect(t64.length).toBeGreaterThan(20);
    expect(t32.map((t) => t.sample)).toEqual(t64.map((t) => t.sample));
  });
});

describe("RealTransforms (lib/dsp/fastRealFft.ts) and the SEV fit on them", () => {
  it("rfft and irfft in fft.ts's layout, within float32 rounding, PFFFT where the length allows", async () => {
    const m = await loadPffft();
    for (const [n, backend] of [[16384, "pffft"], [3072, "pffft"], [6250, "fft64"], [96, "pffft"]] as const) {
      const t = realTransforms(m, n);
      expect(t.backend, `n ${n}`).toBe(backend);
      const x = Float64Array.from({length: n}, (_, i) => Math.sin(0.011 * i) + (i % 7) * 0.1 - 0.3 + (i === 5 ? 2 : 0));
      const want = rfft(x), got = t.rfft(x, new Float64Array(n + 2));
      let worst = 0, scale = 0;
      for (let i = 0; i < n + 2; i++) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]));
        scale = Math.max(scale, Math.abs(want[i]));
      }
      expect(worst / scale, `rfft n ${n}`).toBeLessThan(backend === "pffft" ? 1e-6 : 1e-14);
      const back = t.irfft(want, new Float64Array(n));
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(back[i] - x[i]));
      expect(err, `irfft n ${n}`).toBeLessThan(backend === "pffft" ? 1e-5 : 1e-13);
      t.dispose();
      if (backend === "pffft") expect(() => t.rfft(x, got)).toThrow(/after dispose/);
    }
  });

  it("the SEV fit on PFFFT gives the float64 fit's height, shift and RMS to float32 precision", async () => {
    const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: 60, seed: 11});
    const n = layout.recordLength;
    const transforms = realTransforms(await loadPffft(), n);
    expect(transforms.backend).toBe("pffft");
    let worstH = 0, worstShift = 0, worstRms = 0;
    for (let c = 0; c < 2; c++) {
      const sev = normalisedTemplate(channels[c].pulse, layout);
      const exact = prepareSevFit(sev, layout), fast = prepareSevFit(sev, layout, {transforms});
      for (let i = 0; i < chunk.count; i++) {
        const r = chunkRecord(chunk, c, i);
        const a = fitRecord(exact, r), b = fitRecord(fast, r);
        // Relative to the larger of height and residual RMS: a noise record's flat optimum lets the
        // rounding move its shift, and with it a height of the order of the noise.
        worstH = Math.max(worstH, Math.abs(a.height_V - b.height_V) / Math.max(Math.abs(a.height_V), a.rms_V));
        worstShift = Math.max(worstShift, Math.abs(a.onsetShift_ms - b.onsetShift_ms));
        worstRms = Math.max(worstRms, Math.abs(a.rms_V / b.rms_V - 1));
      }
    }
    expect(worstH).toBeLessThan(1e-3);
    expect(worstShift).toBeLessThan(0.01 / layout.sampleFrequency_Hz * 1000); // 1 % of a sample
    expect(worstRms).toBeLessThan(1e-4);
    transforms.dispose();
  });

  it("a spectrum written in PFFFT's input gives irfft's result bit for bit; correlateInput R·conj(B) and its inverse to float32", async () => {
    const n = layout.recordLength;
    const t = realTransforms(await loadPffft(), n);
    const x = Float64Array.from({length: n}, (_, i) => Math.sin(0.013 * i) * (1 + i / n) + (i === 9 ? 3 : 0));
    const want = t.rfft(x, new Float64Array(n + 2));
    const back = t.irfft(want, new Float64Array(n));
    const packed = t.input!();
    packed[0] = want[0];
    packed[1] = want[n];
    for (let k = 2; k < n; k++) packed[k] = want[k];
    // inverseOfInput is unscaled: irfft's 1/n taken as irfft takes it.
    expect(Float64Array.from(t.inverseOfInput!(), (v) => v * (1 / n))).toEqual(back);
    // The cross-spectrum with a kept B (here x's own spectrum shifted by 5 samples), multiplied
    // in wasm, against rfft(x)·conj(B) and its float64 inverse (fft.js).
    const b = Float64Array.from({length: n}, (_, i) => x[(i - 5 + n) % n]);
    const B = rfft(b), X = rfft(x), cross = new Float64Array(n + 2);
    for (let k = 0; k <= n / 2; k++) {
      cross[2 * k] = X[2 * k] * B[2 * k] + X[2 * k + 1] * B[2 * k + 1];
      cross[2 * k + 1] = X[2 * k + 1] * B[2 * k] - X[2 * k] * B[2 * k + 1];
    }
    const corr = irfft(cross, n);
    const kept = t.keepSpectrum!(B);
    t.input!().set(x);
    const {spectrum, inverse} = t.correlateInput!(kept);
    let big = 0, worst = 0;
    for (let k = 0; k <= n; k++) big = Math.max(big, Math.abs(cross[k]));
    for (let k = 1; k < n / 2; k++) worst = Math.max(worst, Math.abs(spectrum[2 * k] - cross[2 * k]), Math.abs(spectrum[2 * k + 1] - cross[2 * k + 1]));
    worst = Math.max(worst, Math.abs(spectrum[0] - cross[0]), Math.abs(spectrum[1] - cross[n]));
    expect(worst / big).toBeLessThan(1e-6);
    let cBig = 0, cWorst = 0;
    for (let i = 0; i < n; i++) {
      cBig = Math.max(cBig, Math.abs(corr[i]));
      cWorst = Math.max(cWorst, Math.abs(inverse[i] / n - corr[i]));
    }
    expect(cWorst / cBig).toBeLessThan(1e-6);
    // The same lag peaks (b is x delayed by 5 samples).
    expect(argmaxOf(inverse)).toBe(argmaxOf(corr));
    t.dispose();
  });
});

function argmaxOf(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}
