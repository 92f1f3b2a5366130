import {describe, expect, it} from "vitest";
import {tukey, windowPower} from "../lib/dsp/window.js";
import {caitNpsFromPsd, NoiseSpectrumBuilder, noisePowerSpectrum, psdFromCaitNps} from "../lib/dsp/nps.js";
import {realTransforms} from "../lib/dsp/fastRealFft.js";
import {loadPffft} from "../lib/dsp/realConvolver.js";
import {addNoise, CRESST_LIKE, Rng} from "../lib/sim/index.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import {chunkRecord, type RecordLayout} from "../lib/types.js";
import {CAIT_PROCESSED} from "./support/caitMock.js";

const CAIT_FILE = CAIT_PROCESSED;

/** Worst |Σ ours / Σ ref − 1| over bands of `width` bins from bin `from`. */
function bandDeviation(ours: ArrayLike<number>, ref: ArrayLike<number>, from: number, width: number): number {
  let worst = 0;
  for (let k0 = from; k0 + width <= ours.length; k0 += width) {
    let a = 0, b = 0;
    for (let k = k0; k < k0 + width; k++) {
      a += ours[k];
      b += ref[k];
    }
    worst = Math.max(worst, Math.abs(a / b - 1));
  }
  return worst;
}

describe("tukey", () => {
  it("matches scipy.signal.windows.tukey", () => {
    // scipy.signal.windows.tukey(10, 0.5)
    const ref = [0, 0.41317591116653485, 0.9698463103929542, 1, 1, 1, 1, 0.9698463103929542, 0.41317591116653485, 0];
    const w = tukey(10, 0.5);
    ref.forEach((v, i) => expect(w[i]).toBeCloseTo(v, 14));
    expect(Array.from(tukey(5, 0))).toEqual([1, 1, 1, 1, 1]);
    // alpha = 1 is a Hann window
    const hann = tukey(9, 1);
    for (let i = 0; i < 9; i++) expect(hann[i]).toBeCloseTo(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 8), 14);
    const w16 = tukey(16384, 0.25);
    expect(w16[0]).toBe(0);
    expect(w16[8192]).toBe(1);
    expect(windowPower(w16) / 16384).toBeCloseTo(1 - 0.25 * (1 - 0.375), 3);
  });
});

describe("noisePowerSpectrum", () => {
  const layout: RecordLayout = {sampleFrequency_Hz: 1000, recordLength: 1024, triggerIndex: 256};

  it("gives 2σ²/fs for white noise with and without window", () => {
    const rng = new Rng(1);
    const sigma = 0.3;
    const recs = Array.from({length: 200}, () => Float32Array.from({length: 1024}, () => rng.normal(0, sigma)));
    for (const window of ["tukey", "none"] as const) {
      const {psd_V2_per_Hz, count} = noisePowerSpectrum(recs, layout, {window});
      expect(count).toBe(200);
      let s = 0;
      for (let k = 20; k < 500; k++) s += psd_V2_per_Hz[k];
      expect(s / 480 / ((2 * sigma * sigma) / 1000)).toBeCloseTo(1, 1);
      expect(psd_V2_per_Hz[0]).toBe(0);
    }
    const lin = noisePowerSpectrum(recs, layout, {removeBaseline: "linear"}).psd_V2_per_Hz;
    expect(lin[100] / ((2 * sigma * sigma) / 1000)).toBeGreaterThan(0.5);
  });

  it("recovers the CRESST_LIKE phonon PSD within 5 % (bands of 256 bins)", () => {
    const {layout: L, channels} = CRESST_LIKE;
    const ch = channels[0];
    const rng = new Rng(7);
    const recs = Array.from({length: 100}, () => addNoise(new Float64Array(L.recordLength), ch.noiseAmplitude_V, rng));
    const {psd_V2_per_Hz} = noisePowerSpectrum(recs, L);
    const dev = bandDeviation(psd_V2_per_Hz, ch.noisePsd_V2_per_Hz, 1, 256);
    console.log(`NPS of simulated CRESST_LIKE noise: worst band deviation ${(dev * 100).toFixed(2)} %`);
    expect(dev).toBeLessThan(0.05);
  });

  it("reproduces cait's noise/nps of the reference file", async () => {
    const file = await openCaitFile(CAIT_FILE);
    try {
      const L = file.dataset.layout;
      const h = L.recordLength / 2 + 1;
      const nps = file.readArray("noise/nps").values;
      const noise = file.readChunk("noise", 0, file.count("noise"));
      for (let c = 0; c < 2; c++) {
        const recs = Array.from({length: noise.count}, (_, i) => chunkRecord(noise, c, i));
        const psd = noisePowerSpectrum(recs, L).psd_V2_per_Hz;
        const ours = caitNpsFromPsd(psd, L);
        let worst = 0;
        for (let k = 1; k < h; k++) worst = Math.max(worst, Math.abs(ours[k] / nps[c * h + k] - 1));
        console.log(`cait noise/nps ch${c}: max relative deviation ${worst.toExponential(2)} (all ${noise.count} records)`);
        expect(worst).toBeLessThan(1e-6);
        expect(nps[c * h]).toBe(0);
        const back = psdFromCaitNps(ours, L);
        expect(back[100]).toBeCloseTo(psd[100], 20);
      }
    } finally {
      file.close();
    }
  });

  it("with PFFFT's float32 transforms: cait's noise/nps, and the float64 spectrum bin by bin, to 1e-6", async () => {
    const file = await openCaitFile(CAIT_FILE);
    const L = file.dataset.layout;
    const transforms = realTransforms(await loadPffft(), L.recordLength);
    try {
      expect(transforms.backend).toBe("pffft");
      const h = L.recordLength / 2 + 1;
      const nps = file.readArray("noise/nps").values;
      const noise = file.readChunk("noise", 0, file.count("noise"));
      for (let c = 0; c < 2; c++) {
        const recs = Array.from({length: noise.count}, (_, i) => chunkRecord(noise, c, i));
        // Every baseline and window: the fused loops of the float32 path against the float64 reference.
        for (const options of [{}, {window: "none" as const}, {removeBaseline: "linear" as const}, {window: "none" as const, removeBaseline: "linear" as const}]) {
          const fast = new NoiseSpectrumBuilder(L, options, transforms);
          for (const r of recs) fast.add(r);
          const ours = fast.result(), ref = noisePowerSpectrum(recs, L, options);
          // Float32 records are prepared in WebAssembly where the options allow, others in
          // JavaScript: the same float32 input, so the same spectrum to the bit.
          const js = new NoiseSpectrumBuilder(L, options, transforms);
          for (const r of recs) js.add(Float64Array.from(r));
          expect(Array.from(js.result().psd_V2_per_Hz)).toEqual(Array.from(ours.psd_V2_per_Hz));
          fast.dispose();
          js.dispose();
          expect(ours.count).toBe(noise.count);
          expect(ours.psd_V2_per_Hz[0]).toBe(0);
          let worst = 0;
          for (let k = 1; k < h; k++) worst = Math.max(worst, Math.abs(ours.psd_V2_per_Hz[k] / ref.psd_V2_per_Hz[k] - 1));
          if (!options.window && !options.removeBaseline) {
            const cait = caitNpsFromPsd(ours.psd_V2_per_Hz, L);
            let toCait = 0;
            for (let k = 1; k < h; k++) toCait = Math.max(toCait, Math.abs(cait[k] / nps[c * h + k] - 1));
            console.log(`PFFFT NPS ch${c}: max relative deviation from float64 ${worst.toExponential(2)}, from cait's noise/nps ${toCait.toExponential(2)}`);
            expect(toCait).toBeLessThan(1e-6);
          }
          expect(worst).toBeLessThan(1e-6);
        }
      }
    } finally {
      transforms.dispose();
      file.close();
    }
  });
});
