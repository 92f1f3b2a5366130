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
