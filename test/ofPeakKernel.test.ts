// The OF amplitude's WebAssembly kernel (lib/dsp/ofPeakKernel.ts) against the JavaScript it
// replaces, to the bit: the record's preparation against optimumFilter.ts `prepareRecord`, the
// maximum search against a plain scan (`if (y[i] > top)`: the first maximum, NaN never greater),
// ofBatch's amplitudes against `prepareRecord` + the same filter + the scan, and the NPS's running
// sum of periodograms against its JavaScript loop.

import {describe, expect, it} from "vitest";
import {ofPeakKernel, spectrumPowerSum} from "../lib/dsp/ofPeakKernel.js";
import {ofBatch} from "../lib/dsp/ofBatch.js";
import {optimumFilter, prepareRecord, type OptimumFilter} from "../lib/dsp/optimumFilter.js";
import {realConvolver} from "../lib/dsp/realConvolver.js";
import {Rng} from "../lib/math/random.js";

function scan(y: Float32Array, lo: number, hi: number): number {
  let best = lo, top = y[lo];
  for (let i = lo + 1; i < hi; i++) if (y[i] > top) { top = y[i]; best = i; }
  return best;
}

/** A filter of length n whose window and baseline are what the kernel reads (no transfer needed). */
function windowed(n: number, baselineSamples: number, rng: Rng): OptimumFilter {
  const window = Float64Array.from({length: n}, () => rng.uniform());
  return {transfer: new Float64Array(n + 2), recordLength: n, sampleFrequency_Hz: 1e4, triggerIndex: n >> 2, peakIndex: n >> 2,
    resolution_V: NaN, window, baselineSamples, search: [0, n], caitCompatible: true};
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe("OF kernel", () => {
  it("prepares records exactly as prepareRecord (offsets, windows, lengths not a multiple of 4)", () => {
    const rng = new Rng(17);
    for (const n of [1, 3, 4, 7, 64, 1001, 16384]) {
      for (const B of [1, Math.max(1, n >> 3), n, n + 5]) {
        const of = windowed(n, B, rng);
        const k = ofPeakKernel(of);
        const offset = 10 * rng.normal();
        const r = Float32Array.from({length: n}, () => offset + rng.normal() * 1e-3);
        const want = new Float32Array(n), got = new Float32Array(n);
        prepareRecord(of, r, want);
        k.prepare(r, got);
        expect(bits(got), `n = ${n}, B = ${B}`).toEqual(bits(want));
        k.dispose();
      }
    }
  });

  it("finds the scan's first maximum: ties, NaN, signed zeros, every tail length", () => {
    const rng = new Rng(5);
    const n = 300;
    const k = ofPeakKernel(windowed(n, 10, rng));
    let ties = 0;
    for (let t = 0; t < 400; t++) {
      // Few distinct values, so maxima tie often; NaN and −0 sprinkled in.
      const y = Float32Array.from({length: n}, () => {
        const u = rng.uniform();
        return u < 0.02 ? NaN : u < 0.05 ? -0 : Math.floor(rng.uniform() * 6) - 3;
      });
      if (t % 7 === 0) y[rng.uniform() < 0.5 ? 0 : 1] = NaN;
      const lo = Math.floor(rng.uniform() * 40), hi = lo + 2 + Math.floor(rng.uniform() * (n - lo - 2));
      const want = scan(y, lo, hi);
      if (y.subarray(lo, hi).filter((v) => v === y[want]).length > 1) ties++;
      expect(k.argmax(y, lo, hi), `trial ${t}, [${lo}, ${hi})`).toBe(want);
    }
    expect(ties).toBeGreaterThan(100);
    expect(() => k.argmax(new Float32Array(2 * n), 0, n + 1)).toThrow(/longer than the record/);
    k.dispose();
  });

  it("sums power spectra as the NPS's JavaScript loop, to the bit (every tail length, blocks reused)", () => {
    const rng = new Rng(23);
    for (const n of [2, 8, 10, 14, 16, 18, 64, 1030]) {
      const h = n >> 1;
      const sum = spectrumPowerSum(n), want = new Float64Array(h + 1);
      for (let r = 0; r < 5; r++) {
        // Magnitudes over 20 decades: a product rounded to float32, or a sum taken in another
        // order, would show.
        const X = Float32Array.from({length: n}, () => (rng.uniform() - 0.5) * 10 ** (20 * rng.uniform() - 10));
        sum.add(X);
        want[0] += X[0] * X[0];
        want[h] += X[1] * X[1];
        for (let k = 1; k < h; k++) want[k] += X[2 * k] * X[2 * k] + X[2 * k + 1] * X[2 * k + 1];
      }
      const got = sum.values();
      expect(got.length).toBe(h + 1);
      expect(Array.from(got).every((v, k) => Object.is(v, want[k])), `n = ${n}`).toBe(true);
      sum.dispose();
    }
    // A block given back and handed out again starts from zero.
    const again = spectrumPowerSum(16);
    again.add(Float32Array.from({length: 16}, (_, i) => i));
    // Packed: X_0 = 0, X_8 = 1, then (2, 3), (4, 5) … (14, 15).
    expect(Array.from(again.values())).toEqual([0, 4 + 9, 16 + 25, 36 + 49, 64 + 81, 100 + 121, 144 + 169, 196 + 225, 1]);
    again.dispose();
    expect(() => spectrumPowerSum(7)).toThrow(/even length/);
  });

  it("gives ofBatch's amplitudes bit for bit as prepareRecord, the same convolver and the scan", async () => {
    const rng = new Rng(11);
    const n = 4096, tm = 1024;
    const sev = Float64Array.from({length: n}, (_, i) => (i < tm - 100 ? 0 : Math.exp(-(i - tm + 100) / 400) - Math.exp(-(i - tm + 100) / 20)));
    const psd = Float64Array.from({length: n / 2 + 1}, (_, k) => 1e-12 * (1 + 100 / (1 + k)));
    const layout = {recordLength: n, sampleFrequency_Hz: 25000, triggerIndex: tm};
    for (const options of [{caitCompatible: true}, {window: "none" as const}]) {
      const of = optimumFilter(sev, psd, layout, options);
      const batch = await ofBatch(of);
      const conv = await realConvolver(n, of.transfer);
      for (let r = 0; r < 20; r++) {
        const a = 0.5 * rng.uniform(), at = tm + Math.floor(200 * (rng.uniform() - 0.5));
        const record = Float32Array.from({length: n}, (_, i) => 1.2 + a * (i >= at - tm + 100 && i - at + tm < n ? sev[i - at + tm] || 0 : 0) + 1e-3 * rng.normal());
        prepareRecord(of, record, conv.input());
        const y = conv.run();
        const i = scan(y, of.search[0], of.search[1]);
        const got = batch.amplitude(record);
        expect(got.index).toBe(i);
        expect(got.amplitude_V).toBe(y[i]);
      }
      batch.dispose();
      conv.dispose();
    }
  });
});
