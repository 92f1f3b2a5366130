// cait's main parameters: the reference values cait produced, cait's own mainpar of the mock
// file, and analytic records whose crossings can be worked out by hand.

import {readFileSync} from "node:fs";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {boxcarSmooth} from "../lib/dsp/smooth.js";
import {MAINPAR_COLUMNS, mainParameters, mainparRow, type MainParameters} from "../lib/dsp/mainParameters.js";
import {openCaitFile, type CaitFile} from "../data-loaders/io/node.js";
import {chunkRecord, RECORD_GROUPS} from "../lib/types.js";
import {CAIT_PROCESSED, CAIT_REFERENCE_VALUES} from "./support/caitMock.js";

const ref = JSON.parse(readFileSync(CAIT_REFERENCE_VALUES, "utf8"));
const L = 16384;
const INDEX_COLUMNS = ["t_zero", "t_rise", "t_max", "t_decaystart", "t_half", "t_end"] as const;

/** cait's pulse_template (Pröbst's pulse model), t and t0 in ms. */
function pulseTemplate(t: number, [t0, An, At, tauN, tauIn, tauT]: number[]): number {
  if (t <= t0) return 0;
  const u = t - t0;
  return An * (Math.exp(-u / tauN) - Math.exp(-u / tauIn)) + At * (Math.exp(-u / tauT) - Math.exp(-u / tauN));
}

/** 0.1 + template on cait's ms grid t = (i − 4096)/25000·1000. */
function noiselessEvent(par: number[]): Float64Array {
  return Float64Array.from({length: L}, (_, i) => 0.1 + pulseTemplate(((i - 4096) / 25000) * 1000, par));
}

describe("box-car smoothing", () => {
  it("reproduces cait's box_car_smoothing example (window 50, edge padding)", () => {
    const bc = ref.box_car_smoothing;
    const x = new Float64Array(200);
    x[100] = 1;
    x.fill(2, 150);
    const s = boxcarSmooth(x, bc.length);
    bc.out_idx.forEach((i: number, k: number) => expect(s[i]).toBeCloseTo(bc.out[k], 14));
  });
});

describe("noiseless pulses (cait reference_values.json)", () => {
  for (const kind of ["phonon", "light"] as const) {
    it(`${kind}: indices exact, pulse height to 1e-9 relative`, () => {
      const tpl = ref[`pulse_template_${kind}`];
      // The template itself first, so that a mismatch below is about main parameters.
      tpl.idx.forEach((i: number, k: number) => expect(pulseTemplate(((i - 4096) / 25000) * 1000, tpl.par)).toBeCloseTo(tpl.val[k], 12));
      const want: number[] = ref[`calc_main_parameters_noiseless_${kind}`].mainpar;
      const p = mainParameters(noiselessEvent(tpl.par));
      const row = mainparRow(p);
      for (let k = 1; k <= 6; k++) expect(row[k], MAINPAR_COLUMNS[k]).toBe(want[k]);
      expect(Math.abs(p.pulse_height / want[0] - 1)).toBeLessThan(1e-9);
      // Plain sequential sum of 2048 × 0.1 (numpy sums pairwise): a few 1e-15 V apart.
      expect(Math.abs(p.offset - want[7])).toBeLessThan(1e-14);
      expect(Math.abs(p.linear_drift - want[8])).toBeLessThan(1e-15);
      expect(p.quadratic_drift).toBe(0);
    });
  }
});

describe("cait's own mainpar of mock_001 (vendored subset: events 12, testpulses 9, noise 80; 2 channels)", () => {
  let file: CaitFile;
  beforeAll(async () => {
    file = await openCaitFile(CAIT_PROCESSED);
  });
  afterAll(() => file?.close());

  for (const group of RECORD_GROUPS) {
    it(`${group}: every index exact, heights within float32 rounding`, () => {
      const n = file.dataset.groups[group]!;
      const chunk = file.readChunk(group, 0, n);
      const {values: want, shape} = file.readArray(`${group}/mainpar`);
      expect(shape).toEqual([2, n, 10]);
      const scratch = new Float64Array(L);
      const p: MainParameters = mainParameters(chunkRecord(chunk, 0, 0), scratch);
      let indexMismatches = 0;
      let maxHeightDiff = 0;
      let maxOffsetDiff = 0;
      let maxDriftDiff = 0;
      for (let c = 0; c < 2; c++) {
        for (let i = 0; i < n; i++) {
          mainParameters(chunkRecord(chunk, c, i), scratch, p);
          const w = want.subarray((c * n + i) * 10, (c * n + i + 1) * 10);
          for (const col of INDEX_COLUMNS) if (p[col] !== w[MAINPAR_COLUMNS.indexOf(col)]) indexMismatches++;
          maxHeightDiff = Math.max(maxHeightDiff, Math.abs(p.pulse_height - w[0]));
          maxOffsetDiff = Math.max(maxOffsetDiff, Math.abs(p.offset - w[7]));
          maxDriftDiff = Math.max(maxDriftDiff, Math.abs(p.linear_drift - w[8]));
          expect(w[9]).toBe(0);
        }
      }
      // Measured: 0 of 6·2n indices differ. Heights differ by ≤ 2.4e-7 V, because cait subtracts
      // the offset in float32 (one float32 ulp at 2–4 V) before smoothing in float64.
      expect(indexMismatches).toBe(0);
      expect(maxHeightDiff).toBeLessThan(5e-7);
      expect(maxOffsetDiff).toBeLessThan(1e-12);
      expect(maxDriftDiff).toBeLessThan(1e-18);
    });
  }
});

describe("analytic records", () => {
  it("unit step at 8000: crossings of the 50-sample ramp, no decay", () => {
    const x = new Float64Array(L);
    x.fill(1, 8000);
    const p = mainParameters(x);
    // s[i] = (i − 7975)/50 on 7975…8025: 20 % is reached at 7985 (not below), 80 % passed at 8016.
    expect(p).toMatchObject({pulse_height: 1, offset: 0, t_zero: 7984, t_rise: 8016, t_max: 8025});
    expect([p.t_decaystart, p.t_half, p.t_end]).toEqual([L - 1, L - 1, L - 1]);
    expect(p.linear_drift).toBe(1 / L);
  });

  it("linear ramp: offset exact, drift = b·(L − 500.221)/L (cait's end-mean definition)", () => {
    const a = -0.3;
    const b = 2.5e-5;
    const x = Float64Array.from({length: L}, (_, i) => a + b * i);
    const p = mainParameters(x);
    expect(p.offset).toBeCloseTo(a + (b * 2047) / 2, 14);
    // End means 500 samples apart by L − 500 in their centres; the edge padding lifts the first
    // 25 smoothed samples (Σ m(m+1), m=1…25 = 5850 → +0.117·b on the mean) and lowers the last 24
    // (Σ = 5200 → −0.104·b); the box-car window is centred at i − ½ in both, which cancels.
    expect(Math.abs(p.linear_drift / ((b * (L - 500.221)) / L) - 1)).toBeLessThan(1e-12);
    expect(p.quadratic_drift).toBe(0);
  });

  it("rectangular pulse 6000…6999 of height 1: every index by hand", () => {
    const x = new Float64Array(L);
    x.fill(1, 6000, 7000);
    const p = mainParameters(x);
    // s = count/50 of ones in the window [i−25, i+24]: rises on 5976…6025, falls on 6976…7025.
    expect(p).toMatchObject({
      pulse_height: 1,
      t_zero: 5984, // last count < 10
      t_rise: 6016, // first count > 40
      t_max: 6025, // first full window
      t_decaystart: 6979, // last count > 45
      t_half: 6988, // last count > 36.8
      t_end: 7007, // first count < 18.4
      offset: 0,
      linear_drift: 0
    });
  });

  it("Gaussian pulse: crossings within 1 sample of the smoothed-Gaussian prediction", () => {
    const A = 0.8;
    const mu = 8000.3;
    const sigma = 200;
    const base = 0.05;
    const x = Float64Array.from({length: L}, (_, i) => base + A * Math.exp(-((i - mu) ** 2) / (2 * sigma * sigma)));
    const p = mainParameters(x);
    // The box-car (mean of i−25…i+24) centres the pulse at mu + ½ and adds 50²/12 to σ².
    const centre = mu + 0.5;
    const sigmaEff = Math.sqrt(sigma * sigma + 2500 / 12);
    const d = (f: number) => sigmaEff * Math.sqrt(-2 * Math.log(f));
    expect(p.t_max).toBe(8001);
    expect(Math.abs(p.pulse_height / ((A * sigma) / sigmaEff) - 1)).toBeLessThan(1e-5);
    expect(p.offset).toBeCloseTo(base, 12);
    expect(Math.abs(p.linear_drift)).toBeLessThan(1e-15);
    expect(Math.abs(p.t_zero - Math.floor(centre - d(0.2)))).toBeLessThanOrEqual(1);
    expect(Math.abs(p.t_rise - Math.ceil(centre - d(0.8)))).toBeLessThanOrEqual(1);
    expect(Math.abs(p.t_decaystart - Math.floor(centre + d(0.9)))).toBeLessThanOrEqual(1);
    expect(Math.abs(p.t_half - Math.floor(centre + d(0.736)))).toBeLessThanOrEqual(1);
    expect(Math.abs(p.t_end - Math.ceil(centre + d(0.368)))).toBeLessThanOrEqual(1);
    // Symmetry: the 20 %→peak and peak→36.8 % distances follow the Gaussian quantiles.
    expect(p.t_rise - p.t_zero).toBeGreaterThan(d(0.2) - d(0.8) - 2);
    expect(p.t_rise - p.t_zero).toBeLessThan(d(0.2) - d(0.8) + 2);
  });

  it("negative-going record: thresholds follow h = s[t_max] < 0 as in cait", () => {
    // A falling record: every sample below the offset; cait's searches still return in range.
    const x = Float64Array.from({length: L}, (_, i) => (i < 4096 ? 0 : -0.5));
    const p = mainParameters(x);
    expect(p.pulse_height).toBeCloseTo(0, 15);
    for (const col of INDEX_COLUMNS) {
      expect(p[col]).toBeGreaterThanOrEqual(0);
      expect(p[col]).toBeLessThan(L);
    }
  });

  it("reuses scratch and result objects, and leaves the smoothed record in scratch", () => {
    const x = new Float32Array(L).fill(0.25);
    x.fill(1.25, 5000, 5100);
    const scratch = new Float64Array(L);
    const out = mainParameters(x);
    const again = mainParameters(x, scratch, out);
    expect(again).toBe(out);
    expect(scratch[5049]).toBe(1); // full window inside the pulse, offset 0.25 removed
    expect(scratch[0]).toBe(0);
  });
});

describe("non-finite samples", () => {
  it("names the sample holding NaN or Infinity", () => {
    const x = new Float32Array(L);
    x[1234] = NaN;
    expect(() => mainParameters(x)).toThrow(/NaN at sample 1234\b/);
    x[1234] = 0;
    x[16000] = -Infinity;
    expect(() => mainParameters(x)).toThrow(/-Infinity at sample 16000\b/);
    x[16000] = 0;
    x[3] = Infinity; // inside the offset window
    expect(() => mainParameters(x)).toThrow(/Infinity at sample 3\b/);
  });

  it("rejects too-short records and too-small scratch", () => {
    expect(() => mainParameters(new Float64Array(4))).toThrow(RangeError);
    expect(() => mainParameters(new Float64Array(100), new Float64Array(50))).toThrow(/scratch/);
  });
});
