// Metric functions against counts worked out by hand.
import {describe, expect, it} from "vitest";
import {classifierMetrics, confusion, cutoffGrid, cutoffSweep, precisionRecallCurve} from "../../lib/ml/metrics.ts";

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
