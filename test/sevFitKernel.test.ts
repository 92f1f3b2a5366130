// The SEV fit's passes over the samples in WebAssembly (lib/dsp/sevFitKernel.ts), taken by
// fitRecord for float32 records with PFFFT transforms, against its JavaScript loops (taken for
// the same records as float64, the same values): the transform's input to the bit, the sums to
// their rounding, and the fit within the bounds stated in test/golden.test.ts.

import {describe, expect, it} from "vitest";
import {CRESST_LIKE, normalisedTemplate, simulateChunk} from "../lib/sim/index.js";
import {chunkRecord} from "../lib/types.js";
import {fitRecord, lagSumsReference, phaseRampReference, prepareSevFit} from "../lib/dsp/sevFit.js";
import {firstPass, lagSums, phaseRamp, secondPass, type FirstPassSums} from "../lib/dsp/sevFitKernel.js";
import {realTransforms} from "../lib/dsp/fastRealFft.js";
import {loadPffft} from "../lib/dsp/realConvolver.js";
import {Rng} from "../lib/math/random.js";

const layout = CRESST_LIKE.layout;
const L = layout.recordLength;

/** A sum and the sum of its terms' magnitudes: its rounding is ≲ n·ε of the latter. */
class Sum {
  value = 0;
  magnitude = 0;
  add(v: number) {
    this.value += v;
    this.magnitude += Math.abs(v);
  }
  /** |got − value| in units of ε·magnitude. */
  ulps(got: number) {
    return got === this.value ? 0 : Math.abs(got - this.value) / (Number.EPSILON * this.magnitude);
  }
}

describe("SEV-fit kernel", () => {
  it("fits float32 records as fitRecord's JavaScript loops, to rounding", async () => {
    const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: 80, seed: 23});
    const transforms = realTransforms(await loadPffft(), L);
    const sample_ms = 1000 / layout.sampleFrequency_Hz;
    let worstH = 0, worstShift = 0, worstRms = 0, moved = 0, pulses = 0;
    try {
      for (let c = 0; c < 2; c++) {
        const plan = prepareSevFit(normalisedTemplate(CRESST_LIKE.channels[c].pulse, layout), layout, {transforms});
        for (let i = 0; i < chunk.count; i++) {
          const r = chunkRecord(chunk, c, i);
          const got = fitRecord(plan, r);
          const want = fitRecord(plan, Float64Array.from(r));
          if (got.height_V !== want.height_V) moved++;
          if (Math.abs(want.height_V) >= 20 * want.rms_V) pulses++;
          worstH = Math.max(worstH, Math.abs(got.height_V - want.height_V) / want.rms_V);
          worstShift = Math.max(worstShift, Math.abs(got.onsetShift_ms - want.onsetShift_ms) / sample_ms);
          worstRms = Math.max(worstRms, Math.abs(got.rms_V - want.rms_V) / want.rms_V);
        }
      }
    } finally {
      transforms.dispose();
    }
    console.log(`wasm vs JS loops: |Δh| ≤ ${worstH.toExponential(2)} RMS, |Δshift| ≤ ${worstShift.toExponential(2)} sample, |ΔRMS| ≤ ${worstRms.toExponential(2)} relative (${moved} of ${2 * chunk.count} heights not identical, ${pulses} pulses ≥ 20 RMS)`);
    expect(pulses).toBeGreaterThanOrEqual(20);
    // The sums' rounding moves Newton's converged shift within its own precision (≤ 1e-2 sample
    // last step, quadratic convergence) and h and χ² by rounding.
    expect(worstH).toBeLessThan(1e-5);
    expect(worstShift).toBeLessThan(1e-3);
    expect(worstRms).toBeLessThan(1e-6);
  });

  it("writes the transform's input as the loop does and sums to rounding, for odd and tiny lengths too", () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 3, 5, 7, 9, 100, 4097, 16384]) {
      const r = Float32Array.from({length: n}, () => 5 + rng.normal());
      const sink = new Float32Array(n);
      const got: FirstPassSums = {offset: 0, rr: 0, m0: 0, m1: 0, m2: 0, m3: 0};
      firstPass(r, sink, got);
      const nb = Math.max(1, Math.floor(n / 8));
      let o = 0;
      for (let i = 0; i < nb; i++) o += r[i];
      o /= nb;
      expect(got.offset).toBe(o);
      const step = n > 1 ? 2 / (n - 1) : 0;
      const want = [new Sum(), new Sum(), new Sum(), new Sum(), new Sum()];
      for (let i = 0; i < n; i++) {
        const v = r[i] - o, x = i * step - 1;
        expect(sink[i]).toBe(Math.fround(v));
        want[0].add(v * v);
        want[1].add(v);
        want[2].add(x * v);
        want[3].add(x * (x * v));
        want[4].add(x * (x * (x * v)));
      }
      [got.rr, got.m0, got.m1, got.m2, got.m3].forEach((g, j) => expect(want[j].ulps(g), `n = ${n}, sum ${j}`).toBeLessThanOrEqual(n));
      const sd = Float32Array.from({length: n}, () => rng.normal());
      const out = new Float64Array(6);
      secondPass(sd, o, 1 / n, out);
      const w = Array.from({length: 6}, () => new Sum());
      for (let i = 0; i < n; i++) {
        const v = sd[i] * (1 / n), x = i * step - 1;
        w[0].add((r[i] - o) * v);
        w[1].add(v * v);
        w[2].add(v);
        w[3].add(x * v);
        w[4].add(x * (x * v));
        w[5].add(x * (x * (x * v)));
      }
      out.forEach((g, j) => expect(w[j].ulps(g), `n = ${n}, second pass sum ${j}`).toBeLessThanOrEqual(n));
      // Below 4 samples the lanes are empty: the loop's own order, exactly.
      if (n < 4) expect(Array.from(out)).toEqual(w.map((s) => s.value));
      expect(() => secondPass(new Float32Array(n + 1), o, 1, out)).toThrow(/shifted SEV has/);
    }
  });

  it("sums Newton's pass over the spectrum bit for bit as valueAtLag2's JavaScript loop (lagSumsReference)", () => {
    const rng = new Rng(9);
    for (const n of [8, 10, 64, 16384]) {
      const X = Float32Array.from({length: n}, () => rng.normal());
      for (const delta of [-3.7, 0, 0.25, 41.5]) {
        const w = (2 * Math.PI * delta) / n;
        const cr = Math.cos(w), ci = Math.sin(w), c2r = Math.cos(2 * w), c2i = Math.sin(2 * w);
        for (const last of [n >> 1, (n >> 1) - 1]) {
          const want = new Float64Array(6);
          lagSumsReference(X, last, cr, ci, c2r, c2i, want);
          const got = new Float64Array(6);
          lagSums(X, last, cr, ci, c2r, c2i, got);
          expect(Array.from(got), `n = ${n}, δ = ${delta}, last = ${last}`).toEqual(Array.from(want));
        }
      }
      expect(() => lagSums(X, (n >> 1) + 1, 1, 0, 1, 0, new Float64Array(6))).toThrow(/bins up to/);
    }
  });

  it("writes the shifted SEV's spectrum bit for bit as phaseRampPacked's JavaScript loop (phaseRampReference)", () => {
    const rng = new Rng(10);
    // More spectra than the kernel keeps at once, used in turn, so that kept ones are replaced.
    for (const n of [8, 10, 64, 16384]) {
      const spectra = Array.from({length: 6}, () => Float64Array.from({length: n + 2}, () => rng.normal()));
      for (const [i, delta] of [-3.7, 0, 0.25, 41.5, 1e-3, -0.5, 7.25].entries()) {
        const S = spectra[i % spectra.length];
        const w = (-2 * Math.PI * delta) / n;
        const cr = Math.cos(w), ci = Math.sin(w), c2r = Math.cos(2 * w), c2i = Math.sin(2 * w);
        const want = new Float32Array(n), got = new Float32Array(n);
        want[0] = got[0] = 7; // DC and Nyquist are the caller's: left as they are
        want[1] = got[1] = 9;
        phaseRampReference(S, n, cr, ci, c2r, c2i, want);
        phaseRamp(S, n, cr, ci, c2r, c2i, got);
        expect(Array.from(got), `n = ${n}, δ = ${delta}`).toEqual(Array.from(want));
        expect(got.subarray(0, 2)).toEqual(Float32Array.from([7, 9]));
      }
      expect(() => phaseRamp(new Float64Array(n), n, 1, 0, 1, 0, new Float32Array(n))).toThrow(/a spectrum of/);
    }
  });
});
