// Metric functions against counts worked out by hand.
import {describe, expect, it} from "vitest";
import {classifierMetrics, confusion, cutoffGrid, cutoffSweep, precisionRecallCurve} from "../../lib/ml/eval/metrics.ts";

// 10 records: 6 positive, 4 negative (and one unlabeled, −1, that must be ignored).
const prob = [0.9, 0.8, 0.7, 0.6, 0.4, 0.2, 0.55, 0.3, 0.1, 0.05, 0.99];
const labels = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -1];

describe("classifier metrics", () => {
  it("counts and ratios at cutoff 0.5", () => {
    // accepted (p ≥ 0.5): positives 0.9 0.8 0.7 0.6 → TP 4, FN 2; negatives 0.55 → FP 1, TN 3.
    expect(confusion(prob, labels, 0.5)).toEqual({tp: 4, fp: 1, tn: 3, fn: 2});
    const m = classifierMetrics(prob, labels);
    expect(m.recall).toBeCloseTo(4 / 6, 12);
    expect(m.selectivity).toBeCloseTo(3 / 4, 12);
    expect(m.balancedAccuracy).toBeCloseTo((4 / 6 + 3 / 4) / 2, 12); // 0.708333…
    expect(m.precision).toBeCloseTo(4 / 5, 12);
    expect(m.accuracy).toBeCloseTo(7 / 10, 12);
  });

  it("a probability equal to the cutoff is accepted", () => {
    expect(confusion([0.5, 0.5], [1, 0], 0.5)).toEqual({tp: 1, fp: 1, tn: 0, fn: 0});
  });

  it("cutoff sweep and precision–recall curve", () => {
    expect(cutoffGrid()).toHaveLength(19);
    expect(cutoffGrid()[2]).toBe(0.15);
    const sweep = cutoffSweep(prob, labels, [0.25, 0.5, 0.75]);
    // 0.25: TP 5 (all but 0.2), FN 1; FP 2 (0.55, 0.3), TN 2 → BA (5/6 + 2/4)/2
    expect(sweep[0].balancedAccuracy).toBeCloseTo((5 / 6 + 0.5) / 2, 12);
    expect(sweep[0].precision).toBeCloseTo(5 / 7, 12);
    // 0.75: TP 2, FN 4; FP 0, TN 4 → BA (1/3 + 1)/2, precision 1
    expect(sweep[2].balancedAccuracy).toBeCloseTo((2 / 6 + 1) / 2, 12);
    expect(sweep[2].precision).toBe(1);
    const pr = precisionRecallCurve(prob, labels, [0.25, 0.5, 0.75]);
    expect(pr.map((p) => p.recall)).toEqual([5 / 6, 4 / 6, 2 / 6]);
    expect(pr[1].precision).toBeCloseTo(0.8, 12);
  });

  it("empty classes give NaN, mismatched lengths throw", () => {
    expect(classifierMetrics([0.9], [1]).selectivity).toBeNaN();
    expect(() => confusion([0.1, 0.2], [1])).toThrow(/2 probabilities for 1 labels/);
  });
});

import {binnedRate, integralOverRecall, integralOverSelectivity, relativeHeightDifference, selectivityGrid, simulatedCleanPulses, simulatedPileUps, simulatedPileUpsAnywhere} from "../../lib/ml/eval/simEval.ts";
import {CRESST_LIKE} from "../../lib/sim/index.ts";

describe("IOR and IOS (paper Sec. 4.2)", () => {
  it("integrals and binned rates by hand", () => {
    const snr = [2, 4, 10, 50, 200, 299, 400];
    const p = [0.9, 0.2, 0.6, 0.7, 0.4, 0.8, 0.1];
    // In [3, 300]: 4 (rej), 10 (acc), 50 (acc), 200 (rej), 299 (acc) → 3/5
    expect(integralOverRecall(p, snr)).toBeCloseTo(0.6, 12);
    expect(integralOverSelectivity([0.1, 0.7, 0.3, 0.5])).toBeCloseTo(0.5, 12);
    const bins = binnedRate(snr, p, [3, 20, 300], true);
    expect(bins.map((b) => [b.n, b.rate])).toEqual([[2, 0.5], [3, 2 / 3]]);
  });

  it("simulated probes: pulses at the trigger with the requested SNR range; pile-ups carry two onsets", () => {
    const clean = simulatedCleanPulses(CRESST_LIKE, 0, 20, 3, [100, 300]);
    expect(clean.x).toHaveLength(20 * 512);
    for (let i = 0; i < 20; i++) {
      expect(clean.snr[i]).toBeGreaterThanOrEqual(100);
      const r = clean.x.subarray(i * 512, (i + 1) * 512);
      const onset = r.findIndex((v) => v > 0.5);
      // Trigger at sample 128; the phonon pulse starts 1.1 ms (~1 sample) before it.
      expect(onset).toBeGreaterThanOrEqual(126);
      expect(onset).toBeLessThan(150);
    }
    const pile = simulatedPileUps(CRESST_LIKE, 0, 20, 4);
    expect(pile.onsetDifference_ms!.every((d) => d >= 0 && d <= 491.52)).toBe(true);
    expect(pile.relativeHeight!.every((r) => r >= 0 && r < 1)).toBe(true);
  });

  it("paper-reading pile-ups: second onset anywhere in the window, both heights in 0–300 SNR, two pulses visible", () => {
    const n = 400;
    const any = simulatedPileUpsAnywhere(CRESST_LIKE, 0, n, 5);
    // CRESST_LIKE: 16384 samples at 25 kHz, trigger at 1/4 → 163.84 ms before, 491.52 ms after.
    const d = any.onsetDifference_ms!;
    expect(d.every((v) => v >= -163.84 && v <= 491.52)).toBe(true);
    expect(d.filter((v) => v < 0).length / n).toBeGreaterThan(0.25 - 4 * Math.sqrt(0.25 * 0.75 / n));
    expect(d.filter((v) => v < 0).length / n).toBeLessThan(0.25 + 4 * Math.sqrt(0.25 * 0.75 / n));
    expect([...any.snr, ...any.secondSnr!].every((s) => s >= 0 && s <= 300)).toBe(true);
    // A big second pulse well before the trigger shows as a rise before sample 128.
    const i = [...d.keys()].find((k) => d[k] < -40 && any.secondSnr![k] > 100 && any.snr[k] < any.secondSnr![k])!;
    const r = any.x.subarray(i * 512, (i + 1) * 512);
    expect(r.findIndex((v) => v > 0.5)).toBeLessThan(128 + Math.round((d[i] / 655.36) * 512) + 20);
    expect(relativeHeightDifference(100, 25)).toBeCloseTo(0.75, 12);
    expect(relativeHeightDifference(25, 100)).toBeCloseTo(0.75, 12);
    expect(relativeHeightDifference(0, 0)).toBe(0);
  });

  it("selectivity grid: cells count and rate by hand", () => {
    const x = [-0.2, -0.2, 0.7, 0.7, 0.7];
    const y = [0.1, 0.1, 0.9, 0.9, 0.95];
    const p = [0.1, 0.9, 0.2, 0.3, 0.8];
    const g = selectivityGrid(x, y, p, [-0.25, 0.75], 2, 2);
    expect(g).toHaveLength(4);
    expect(g[0]).toMatchObject({n: 2, rate: 0.5});
    expect(g[0].onset).toBeCloseTo(0, 12);
    expect(g[0].relativeDifference).toBeCloseTo(0.25, 12);
    expect(g[3]).toMatchObject({n: 3});
    expect(g[3].rate).toBeCloseTo(2 / 3, 12);
    expect(g[1].n).toBe(0);
    expect(Number.isNaN(g[1].rate)).toBe(true);
  });
});
