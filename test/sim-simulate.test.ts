import {describe, expect, it} from "vitest";
import {simulateChunk} from "../lib/sim/simulate.js";
import {ARTEFACT_KINDS, ARTEFACT_LABEL, CRESST_LIKE, type DetectorPreset} from "../lib/sim/presets.js";
import {psdVariance_V2} from "../lib/sim/noise.js";
import {chunkRecord, LABEL} from "../lib/types.js";

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// A shorter window keeps the tests fast; shapes and rates are CRESST_LIKE's.
const SMALL: DetectorPreset = (() => {
  const layout = {sampleFrequency_Hz: 25000, recordLength: 4096, triggerIndex: 1024};
  const h = layout.recordLength / 2;
  return {
    ...CRESST_LIKE,
    layout,
    channels: CRESST_LIKE.channels.map((c) => {
      // keep the same PSD values on the coarser grid (every 4th bin, same frequencies)
      const psd = new Float64Array(h + 1).map((_, k) => c.noisePsd_V2_per_Hz[4 * k]);
      const amp = new Float64Array(h + 1);
      for (let k = 1; k < h; k++) amp[k] = Math.sqrt(psd[k] * 25000 * 4096) / 2;
      amp[h] = Math.sqrt(psd[h] * 25000 * 4096);
      return {...c, noisePsd_V2_per_Hz: psd, noiseAmplitude_V: amp};
    })
  };
})();

describe("simulateChunk", () => {
  it("is deterministic and independent of chunking", () => {
    for (const group of ["events", "testpulses", "noise"] as const) {
      const whole = simulateChunk(SMALL, {group, start: 0, count: 20, seed: 42}).chunk;
      const again = simulateChunk(SMALL, {group, start: 0, count: 20, seed: 42}).chunk;
      expect(bytes(whole.samples).equals(bytes(again.samples))).toBe(true);
      const a = simulateChunk(SMALL, {group, start: 0, count: 10, seed: 42}).chunk;
      const b = simulateChunk(SMALL, {group, start: 10, count: 10, seed: 42}).chunk;
      for (let c = 0; c < 2; c++) {
        for (let i = 0; i < 20; i++) {
          const part = i < 10 ? chunkRecord(a, c, i) : chunkRecord(b, c, i - 10);
          expect(bytes(part).equals(bytes(chunkRecord(whole, c, i)))).toBe(true);
          expect(i < 10 ? a.labels![c * 10 + i] : b.labels![c * 10 + i - 10]).toBe(whole.labels![c * 20 + i]);
        }
      }
      expect([...a.hours, ...b.hours]).toEqual([...whole.hours]);
      for (let i = 1; i < 20; i++) expect(whole.hours[i]).toBeGreaterThan(whole.hours[i - 1]);
      const other = simulateChunk(SMALL, {group, start: 0, count: 20, seed: 43}).chunk;
      expect(bytes(other.samples).equals(bytes(whole.samples))).toBe(false);
    }
  });

  it("fills the chunk per lib/types.ts", () => {
    const {chunk, truth} = simulateChunk(SMALL, {group: "testpulses", start: 3, count: 8, seed: 1});
    expect(chunk.samples.length).toBe(2 * 8 * 4096);
    expect(chunk.nChannels).toBe(2);
    expect(chunk.start).toBe(3);
    expect([...chunk.testpulseAmplitude!]).toEqual([5, 0.5, 1, 3, 5, 0.5, 1, 3]);
    expect([...chunk.labels!].every((l) => l === LABEL.TestPulse)).toBe(true);
    // phonon test pulse of TPA 5 → 1 V above its offset, at the expected position
    const r = chunkRecord(chunk, 0, 0);
    const peak = Math.max(...r) - truth.baselineOffset_V[0];
    expect(peak).toBeGreaterThan(0.99);
    expect(peak).toBeLessThan(1.02);
    const noise = simulateChunk(SMALL, {group: "noise", start: 0, count: 4, seed: 1}).chunk;
    expect([...noise.labels!].every((l) => l === LABEL.Noise)).toBe(true);
    expect(noise.testpulseAmplitude).toBeUndefined();
    // groups interleave: hours of all three within the same span
    const ev = simulateChunk(SMALL, {group: "events", start: 0, count: 4, seed: 1}).chunk;
    expect(ev.hours[3]).toBeLessThan(noise.hours[3]);
    expect(noise.hours[0]).toBeGreaterThan(0);
  });

  it("noise records have the preset's rms around their offset", () => {
    const {chunk, truth} = simulateChunk(CRESST_LIKE, {group: "noise", start: 0, count: 20, seed: 5});
    for (let c = 0; c < 2; c++) {
      let v = 0;
      for (let i = 0; i < 20; i++) {
        const r = chunkRecord(chunk, c, i);
        const off = truth.baselineOffset_V[c * 20 + i];
        for (const x of r) v += (x - off) ** 2;
      }
      v /= 20 * 16384;
      const want = psdVariance_V2(CRESST_LIKE.channels[c].noisePsd_V2_per_Hz, 25000);
      expect(Math.abs(v / want - 1)).toBeLessThan(0.05);
      expect(Math.sqrt(want)).toBeGreaterThan(c === 0 ? 0.0015 : 0.0025);
      expect(Math.sqrt(want)).toBeLessThan(c === 0 ? 0.0025 : 0.0035);
    }
  });

  it("label distribution matches the preset fractions on 400 events", () => {
    const n = 400;
    const {chunk, truth} = simulateChunk(SMALL, {group: "events", start: 0, count: n, seed: 9});
    const fr = SMALL.events.artefactFractions;
    const total = ARTEFACT_KINDS.reduce((s, k) => s + fr[k], 0);
    const counts = new Map<number, number>();
    for (const c of truth.eventClass) counts.set(c, (counts.get(c) ?? 0) + 1);
    const clean = counts.get(LABEL.EventPulse) ?? 0;
    // binomial 3σ bounds
    const sd = Math.sqrt(n * total * (1 - total));
    expect(Math.abs(n - clean - n * total)).toBeLessThan(3 * sd);
    for (const k of ARTEFACT_KINDS) {
      const m = counts.get(ARTEFACT_LABEL[k]) ?? 0;
      expect(Math.abs(m - n * fr[k])).toBeLessThan(3 * Math.sqrt(n * fr[k]) + 1);
    }
    // per-channel labels: single-channel artefacts leave the other channel at 1
    for (let i = 0; i < n; i++) {
      const cls = truth.eventClass[i];
      const l0 = chunk.labels![i], l1 = chunk.labels![n + i];
      if (cls === LABEL.SquidJump || cls === LABEL.Spike) expect([l0, l1].sort()).toEqual([LABEL.EventPulse, cls]);
      else if (cls !== LABEL.SaturatedEventPulse) expect([l0, l1]).toEqual([cls, cls]);
      else expect(l0).toBe(cls);
    }
  });

  it("clean events carry the true height (phonon) and light yield", () => {
    const n = 60;
    const {chunk, truth} = simulateChunk(CRESST_LIKE, {group: "events", start: 100, count: n, seed: 3});
    let checked = 0;
    for (let i = 0; i < n; i++) {
      if (truth.eventClass[i] !== LABEL.EventPulse) continue;
      const h = truth.pulseHeight_V[i];
      expect(truth.pulseHeight_V[n + i]).toBeCloseTo(0.3 * h, 12);
      const r = chunkRecord(chunk, 0, i);
      let m = -Infinity;
      for (let j = 4096; j < 4400; j++) m = Math.max(m, r[j]);
      expect(Math.abs(m - truth.baselineOffset_V[i] - h)).toBeLessThan(0.012); // noise ~2 mV rms
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });
});
