// The WebAssembly feature kernel (lib/dsp/featureKernel.ts, kernels/mainpar.as.ts) against the
// readable reference (mainParameters + derivativeExtremes + moments), record by record: on
// cait's own records, on simulated pulses, noise and drifts of many lengths, on quantised records
// full of exact ties, and on records built so that the extremes sit in chosen places. Indices must
// be equal; values may differ only by the rounding of a reordered sum (bounds in docs/features.md).

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {readFileSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {emptySmoothedRecordSums, kernelMainParameters} from "../lib/dsp/featureKernel.js";
import {emptyMainParameters, mainParameters, MAINPAR_COLUMNS} from "../lib/dsp/mainParameters.js";
import {derivativeExtremes} from "../lib/dsp/features.js";
import {moments} from "../lib/dsp/moments.js";
import {Rng} from "../lib/math/random.js";
import {openCaitFile, type CaitFile} from "../data-loaders/io/node.js";
import {chunkRecord, RECORD_GROUPS} from "../lib/types.js";
import {CAIT_PROCESSED} from "./support/caitMock.js";
// @ts-expect-error: a plain .mjs script without declarations
import {buildKernel, KERNELS} from "../scripts/build-wasm.mjs";

const INDEX_COLUMNS = MAINPAR_COLUMNS.filter((c) => c.startsWith("t_"));
interface Worst {
  value: number;
  variance: number;
  /** Records whose derivative index differs from the reference's on a tie. */
  ties: number;
}

/** Largest disagreement of the kernel with the reference on one record (throws on an index). */
function compare(x: Float32Array, worst: Worst) {
  const L = x.length;
  const ref = mainParameters(x);
  const s = new Float64Array(L);
  mainParameters(x, s);
  const ext = derivativeExtremes(s);
  const m = moments(s);
  const got = emptyMainParameters();
  const sums = emptySmoothedRecordSums();
  const ks = kernelMainParameters(x, got, sums);

  for (const c of INDEX_COLUMNS) expect(got[c], `${c}, L = ${L}`).toBe(ref[c]);
  // The scale of the record's smoothed values: offsets and pulses are both in it.
  let scale = Math.abs(ref.offset);
  for (let i = 0; i < L; i++) scale = Math.max(scale, Math.abs(s[i]), Math.abs(x[i]));
  const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / scale);
  // A difference of smoothed samples is a difference of two values of the record's scale: where the
  // box-car's exact differences tie (quantised data), rounding alone picks the reference's index.
  // The kernel's index must then hold the same extreme, to rounding of the scale.
  const diffAt = (j: number) => s[j + 1] - s[j];
  for (const [k, r] of [[sums.maxDifferenceIndex, ext.maxIndex], [sums.minDifferenceIndex, ext.minIndex]]) {
    if (k !== r) {
      expect(rel(diffAt(k), diffAt(r)), `difference at ${k} against the reference's ${r}, L = ${L}`).toBeLessThan(1e-14);
      worst.ties++;
    }
  }
  let w = Math.max(
    rel(got.pulse_height, ref.pulse_height),
    rel(got.offset, ref.offset),
    rel(got.linear_drift * L, ref.linear_drift * L),
    rel(sums.sum / L, m.mean),
    rel(sums.maxDifference, ext.max),
    rel(sums.minDifference, ext.min)
  );
  for (let i = 0; i < L; i++) w = Math.max(w, rel(ks[i], s[i]));
  expect(w, `L = ${L}: a value is not a number`).toBeGreaterThanOrEqual(0);
  worst.value = Math.max(worst.value, w);
  const v = sums.sumSquares / L;
  worst.variance = Math.max(worst.variance, m.variance > 0 ? Math.abs(v - m.variance) / m.variance : v);
  const skew = v > 0 ? sums.sumCubes / L / (v * Math.sqrt(v)) : 0;
  expect(Math.abs(skew - m.skewness), `skewness, L = ${L}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(m.skewness)));
}

/** A simulated record: offset, drift, noise, optionally a pulse at `at`, quantised to `lsb` when given. */
function record(rng: Rng, L: number, o: {pulse?: number; at?: number; lsb?: number; drift?: number}) {
  const x = new Float32Array(L);
  const offset = rng.uniformIn(-2, 2);
  const at = o.at ?? Math.floor(L / 4);
  for (let i = 0; i < L; i++) {
    let v = offset + (o.drift ?? 0) * i + rng.normal(0, 1e-3);
    if (o.pulse && i >= at) v += o.pulse * (Math.exp(-(i - at) / (L / 8)) - Math.exp(-(i - at) / (L / 200 + 1)));
    x[i] = o.lsb ? Math.round(v / o.lsb) * o.lsb : v;
  }
  return x;
}

describe("the WebAssembly feature kernel", () => {
  it("is built from its source: scripts/build-wasm.mjs makes the committed module", async () => {
    for (const k of KERNELS as {module: string}[]) {
      const committed = readFileSync(fileURLToPath(new URL(`../${k.module}`, import.meta.url)), "utf8");
      expect(await buildKernel(k), `${k.module} is stale: run node scripts/build-wasm.mjs`).toBe(committed);
    }
  }, 60_000);

  it("agrees with the reference on simulated records of many lengths: indices equal, values to rounding", () => {
    const rng = new Rng(17, 3);
    const worst: Worst = {value: 0, variance: 0, ties: 0};
    // Lengths below, at and around the four-segment box-car's threshold (2·25 + 4·64) and the SIMD
    // pass's blocks (2 + 256·k, odd and even, every n mod 4).
    const lengths = [8, 9, 10, 11, 33, 50, 51, 97, 305, 306, 307, 308, 309, 514, 515, 1000, 1027, 4097, 16384, 16387];
    for (const L of lengths) {
      for (const pulse of [0, 0.02, 1.5, -0.3]) {
        compare(record(rng, L, {pulse}), worst);
        compare(record(rng, L, {pulse, drift: 3e-6, at: Math.floor(L * 0.6)}), worst);
        compare(record(rng, L, {pulse, lsb: 2 ** -12}), worst); // quantised: exact ties everywhere
      }
    }
    // Rounding of the reordered sums: 7.5e-16 of the record's scale seen (variance 7.2e-12 relative,
    // noise records on offsets 10³ times their noise); a lost sample or an off-by-one window would
    // be ≥ 1e-6 of it.
    expect(worst.value).toBeLessThan(1e-13);
    expect(worst.variance).toBeLessThan(1e-11);
    // The quantised records put ties under the derivative extremes: the tie rule above was exercised.
    expect(worst.ties).toBeGreaterThan(10);
  });

  it("finds first indices of ties and extremes in the first and last samples", () => {
    const worst: Worst = {value: 0, variance: 0, ties: 0};
    for (const L of [64, 515, 2048]) {
      const flat = new Float32Array(L).fill(0.25);
      compare(flat, worst); // everything ties: every first index is 0
      const rising = Float32Array.from({length: L}, (_, i) => i);
      compare(rising, worst); // peak at the end, largest difference at the edges' clamping
      const falling = Float32Array.from({length: L}, (_, i) => L - i);
      compare(falling, worst);
      for (const at of [0, 1, 2, 3, 257, 258, L - 2, L - 1].filter((k) => k < L)) {
        const spike = new Float32Array(L);
        spike[at] = 1; // the box-car spreads it over 50 samples, clamped at the edges
        compare(spike, worst);
        const twin = new Float32Array(L);
        twin[at] = 1;
        twin[L - 1 - at] = 1; // two equal peaks: the first must win
        compare(twin, worst);
      }
    }
    expect(worst.value).toBeLessThan(1e-13);
  });

  it("throws naming the sample for NaN and ±Infinity anywhere, and keeps working after", () => {
    const out = emptyMainParameters();
    const sums = emptySmoothedRecordSums();
    for (const [at, bad] of [[0, NaN], [100, Infinity], [4095, -Infinity], [2047, NaN]] as const) {
      const x = new Float32Array(4096).fill(0.5);
      x[at] = bad;
      expect(() => kernelMainParameters(x, out, sums)).toThrow(`record contains ${bad} at sample ${at}`);
    }
    expect(() => kernelMainParameters(new Float32Array(7), out, sums)).toThrow("record has 7 samples");
    const ok = new Float32Array(4096).fill(0.5);
    ok[1000] = 1.5;
    kernelMainParameters(ok, out, sums);
    expect(out.pulse_height).toBeCloseTo(1 / 50, 12);
  });

  describe("on cait's records of mock_001 (events, test pulses, noise)", () => {
    let file: CaitFile;
    beforeAll(async () => {
      file = await openCaitFile(CAIT_PROCESSED);
    });
    afterAll(() => file?.close());

    it("agrees with the reference record by record", () => {
      const worst: Worst = {value: 0, variance: 0, ties: 0};
      let records = 0;
      for (const group of RECORD_GROUPS) {
        const n = file.dataset.groups[group];
        if (!n) continue;
        const chunk = file.readChunk(group, 0, n);
        for (let c = 0; c < chunk.nChannels; c++) {
          for (let i = 0; i < n; i++) {
            compare(chunkRecord(chunk, c, i).slice(), worst);
            records++;
          }
        }
      }
      expect(records).toBe(2 * (12 + 9 + 80));
      expect(worst.value).toBeLessThan(1e-13);
      expect(worst.variance).toBeLessThan(1e-11);
    });
  });
});
