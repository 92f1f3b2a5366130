// The PCA data manifold: downsampling and scaling against hand values, principal components of
// data with a known structure against an independent power iteration, and the demo run's
// artefacts apart from its particle pulses in the PC1/PC2 plane.

import {describe, expect, it} from "vitest";
import {manifoldVectors, principalComponents} from "../lib/ml/manifold/manifold.js";
import {downsampleMean, minMaxScale} from "../lib/ml/data/preprocess.js";
import {fileManifold} from "../data-loaders/manifold.js";
import {ensureDemoFile} from "../data-loaders/demo.js";
import {LABEL} from "../lib/types.js";
import type {EventChunk} from "../lib/types.js";

describe("manifold vectors", () => {
  it("downsample by block means and scale each record to [0, 1]", () => {
    expect(Array.from(downsampleMean(Float64Array.of(1, 3, 5, 7, 9, 11), 3))).toEqual([2, 6, 10]);
    // 7 samples into 3 bins: [0,2), [2,4), [4,7).
    expect(Array.from(downsampleMean(Float64Array.of(0, 2, 4, 6, 8, 10, 12), 3))).toEqual([1, 5, 10]);
    expect(() => downsampleMean(new Float64Array(4), 5)).toThrow(/cannot downsample/);
    expect(Array.from(minMaxScale(Float64Array.of(-2, 0, 2)))).toEqual([0, 0.5, 1]);
    expect(Array.from(minMaxScale(Float64Array.of(3, 3)))).toEqual([0, 0]);
    // 2 events × 2 channels × 8 samples → 2 rows of 2 × 4 values, channel 0 first.
    const samples = Float32Array.from({length: 32}, (_, k) => k % 8 < 4 ? k : 2 * k);
    const chunk: EventChunk = {group: "events", start: 0, count: 2, nChannels: 2, recordLength: 8, samples, hours: new Float64Array(2)};
    const v = manifoldVectors(chunk, 4);
    expect(v.length).toBe(16);
    for (let row = 0; row < 2; ++row) for (let c = 0; c < 2; ++c) {
      const part = v.subarray(row * 8 + c * 4, row * 8 + c * 4 + 4);
      expect(Math.min(...part)).toBe(0);
      expect(Math.max(...part)).toBe(1);
    }
  });
});

describe("principal components", () => {
  it("find the axes of data with known variances, as an independent power iteration does", () => {
    const dim = 40, count = 300;
    // Two orthogonal unit templates; scores with standard deviations 3 and 1, plus small noise.
    const t1 = Float64Array.from({length: dim}, (_, j) => Math.sin((Math.PI * (j + 1)) / (dim + 1)));
    const t2 = Float64Array.from({length: dim}, (_, j) => Math.sin((2 * Math.PI * (j + 1)) / (dim + 1)));
    const norm = (v: Float64Array) => { const s = Math.hypot(...v); return v.map((x) => x / s); };
    const [u1, u2] = [norm(t1), norm(t2)];
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const gauss = () => { let s = 0; for (let k = 0; k < 12; ++k) s += rand(); return s; }; // ≈ N(0, 1)
    const rows = new Float64Array(count * dim);
    for (let i = 0; i < count; ++i) {
      const a = 3 * gauss(), b = gauss();
      for (let j = 0; j < dim; ++j) rows[i * dim + j] = 5 + a * u1[j] + b * u2[j] + 0.01 * gauss();
    }
    const p = principalComponents(rows, count, dim, 2);
    const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => Array.from(x).reduce((s, v, j) => s + v * y[j], 0);
    expect(Math.abs(dot(p.components.subarray(0, dim), u1))).toBeGreaterThan(0.999);
    expect(Math.abs(dot(p.components.subarray(dim), u2))).toBeGreaterThan(0.999);
    // Explained variance ≈ 9/(9+1) and 1/10 (the noise adds 40 × 1e-4).
    expect(p.explained[0]).toBeCloseTo(0.9, 1);
    expect(p.explained[1]).toBeCloseTo(0.1, 1);
    // Independent check: power iteration on the covariance matrix gives the same first axis.
    const mean = Array.from({length: dim}, (_, j) => { let s = 0; for (let i = 0; i < count; ++i) s += rows[i * dim + j]; return s / count; });
    let v = Float64Array.from({length: dim}, () => 1);
    for (let it = 0; it < 200; ++it) {
      const w = new Float64Array(dim);
      for (let i = 0; i < count; ++i) {
        let s = 0;
        for (let j = 0; j < dim; ++j) s += (rows[i * dim + j] - mean[j]) * v[j];
        for (let j = 0; j < dim; ++j) w[j] += s * (rows[i * dim + j] - mean[j]);
      }
      v = norm(w);
    }
    expect(Math.abs(dot(v, p.components.subarray(0, dim)))).toBeGreaterThan(0.99999);
    // Scores are the centred rows' projections; their variance is the eigenvalue.
    const s1 = Array.from({length: count}, (_, i) => p.scores[i * 2]);
    const var1 = s1.reduce((s, x) => s + x * x, 0) / (count - 1);
    expect(Math.sqrt(var1)).toBeGreaterThan(2.7);
    expect(Math.sqrt(var1)).toBeLessThan(3.3);
  });
});

describe("the demo run's manifold", () => {
  it("puts carrier events and SQUID jumps away from the particle pulses", async () => {
    const m = await fileManifold(await ensureDemoFile());
    const n = m.events.length;
    const at = (label: number) => Array.from({length: n}, (_, i) => i).filter((i) => m.labels![i] === label);
    const centre = (idx: number[]) => [0, 1].map((c) => idx.reduce((s, i) => s + m.scores[i * 2 + c], 0) / idx.length);
    const pulses = at(LABEL.EventPulse);
    const cp = centre(pulses);
    const spread = Math.sqrt(pulses.reduce((s, i) => s + (m.scores[i * 2] - cp[0]) ** 2 + (m.scores[i * 2 + 1] - cp[1]) ** 2, 0) / pulses.length);
    for (const label of [LABEL.CarrierEvent, LABEL.SquidJump]) {
      const idx = at(label);
      expect(idx.length).toBeGreaterThan(1);
      const c = centre(idx);
      expect(Math.hypot(c[0] - cp[0], c[1] - cp[1]), `label ${label}`).toBeGreaterThan(1.5 * spread);
    }
    expect(m.explained[0]).toBeGreaterThan(m.explained[1]);
  }, 120_000);
});

describe("UMAP embedding", () => {
  it("keeps separated clusters apart, and gives the same picture for the same seed", async () => {
    const {umapEmbedding} = await import("../lib/ml/manifold/embedding.js");
    const dim = 6, per = 40;
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    // Three clusters of 40 points, centres 10 apart, spread 1.
    const rows = new Float64Array(3 * per * dim);
    for (let i = 0; i < 3 * per; ++i) for (let j = 0; j < dim; ++j) rows[i * dim + j] = (j === Math.floor(i / per) ? 10 : 0) + rand();
    const e = umapEmbedding(rows, 3 * per, dim, {seed: 5});
    expect(e.length).toBe(3 * per * 2);
    // Every point's nearest neighbour in the plane is from its own cluster.
    for (let i = 0; i < 3 * per; ++i) {
      let best = -1, bestD = Infinity;
      for (let k = 0; k < 3 * per; ++k) {
        if (k === i) continue;
        const d = (e[2 * i] - e[2 * k]) ** 2 + (e[2 * i + 1] - e[2 * k + 1]) ** 2;
        if (d < bestD) { bestD = d; best = k; }
      }
      expect(Math.floor(best / per), `point ${i}`).toBe(Math.floor(i / per));
    }
    expect(Array.from(umapEmbedding(rows, 3 * per, dim, {seed: 5}))).toEqual(Array.from(e));
  }, 60_000);
});
