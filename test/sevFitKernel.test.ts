// The SEV fit's passes over the samples in WebAssembly (lib/dsp/sevFitKernel.ts), taken by
// fitRecord for float32 records with PFFFT transforms, against its JavaScript loops (taken for
// the same records as float64, the same values), to the bit: height, shift, RMS and baseline.

import {describe, expect, it} from "vitest";
import {CRESST_LIKE, normalisedTemplate, simulateChunk} from "../lib/sim/index.js";
import {chunkRecord} from "../lib/types.js";
import {fitRecord, prepareSevFit} from "../lib/dsp/sevFit.js";
import {firstPass, secondPass, type FirstPassSums} from "../lib/dsp/sevFitKernel.js";
import {realTransforms} from "../lib/dsp/fastRealFft.js";
import {loadPffft} from "../lib/dsp/realConvolver.js";
import {Rng} from "../lib/math/random.js";

const layout = CRESST_LIKE.layout;
const L = layout.recordLength;

describe("SEV-fit kernel", () => {
  it("fits float32 records bit for bit as fitRecord's JavaScript loops", async () => {
    const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: 60, seed: 23});
    const transforms = realTransforms(await loadPffft(), L);
    try {
      for (let c = 0; c < 2; c++) {
        const plan = prepareSevFit(normalisedTemplate(CRESST_LIKE.channels[c].pulse, layout), layout, {transforms});
        for (let i = 0; i < chunk.count; i++) {
          const r = chunkRecord(chunk, c, i);
          const got = fitRecord(plan, r);
          const want = fitRecord(plan, Float64Array.from(r));
          expect(got.height_V, `channel ${c}, record ${i}`).toBe(want.height_V);
          expect(got.onsetShift_ms).toBe(want.onsetShift_ms);
          expect(got.rms_V).toBe(want.rms_V);
          expect(Array.from(got.baseline_V)).toEqual(Array.from(want.baseline_V));
        }
      }
    } finally {
      transforms.dispose();
    }
  });

  it("sums as the loops written out here, for odd and tiny lengths too", () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 7, 9, 100, 4097]) {
      const r = Float32Array.from({length: n}, () => 5 + rng.normal());
      const sink = new Float32Array(n);
      const got: FirstPassSums = {offset: 0, rr: 0, m0: 0, m1: 0, m2: 0, m3: 0};
      firstPass(r, sink, got);
      const nb = Math.max(1, Math.floor(n / 8));
      let o = 0;
      for (let i = 0; i < nb; i++) o += r[i];
      o /= nb;
      const step = n > 1 ? 2 / (n - 1) : 0;
      const want = {offset: o, rr: 0, m0: 0, m1: 0, m2: 0, m3: 0};
      for (let i = 0; i < n; i++) {
        const v = r[i] - o, x = i * step - 1;
        expect(sink[i]).toBe(Math.fround(v));
        want.rr += v * v;
        want.m0 += v;
        want.m1 += x * v;
        want.m2 += x * (x * v);
        want.m3 += x * (x * (x * v));
      }
      expect(got, `n = ${n}`).toEqual(want);
      const sd = Float32Array.from({length: n}, () => rng.normal());
      const out = new Float64Array(6);
      secondPass(sd, o, 1 / n, out);
      const w = new Float64Array(6);
      for (let i = 0; i < n; i++) {
        const v = sd[i] * (1 / n), x = i * step - 1;
        w[0] += (r[i] - o) * v;
        w[1] += v * v;
        w[2] += v;
        w[3] += x * v;
        w[4] += x * (x * v);
        w[5] += x * (x * (x * v));
      }
      expect(Array.from(out), `n = ${n}`).toEqual(Array.from(w));
      expect(() => secondPass(new Float32Array(n + 1), o, 1, out)).toThrow(/shifted SEV has/);
    }
  });
});
