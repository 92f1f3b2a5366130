// Boosted trees on feature-table columns and their TreeSHAP explanations: learning a simulated
// task on held-out events, exactness of SHAP (sum = f(x) − E f, equal to brute-force Shapley
// values), model-file round trip and errors.
import {describe, expect, it} from "vitest";
import {CRESST_LIKE} from "../../lib/sim/presets.ts";
import {FEATURE_SETS, featureMatrix, simulateFeatureSet} from "../../lib/ml/trees/treeData.ts";
import {predictMargin, predictProba, trainGbdt, binEdges, type Tree, type TreeEnsemble} from "../../lib/ml/trees/trees.ts";
import {conditionalExpectation, expectedValue, shapValues} from "../../lib/ml/trees/treeShap.ts";
import {parseTreeModel, serializeTreeModel} from "../../lib/ml/trees/treeModelFile.ts";
import {classifierMetrics} from "../../lib/ml/eval/metrics.ts";
import {DataFileError} from "../../lib/io/errors.ts";
import {Rng} from "../../lib/math/random.ts";

// Simulated CRESST-like module: events of seed 11 for training, of seed 12 held out.
const train = simulateFeatureSet(CRESST_LIKE, {events: 700, seed: 11, detectorBase: 0});
const test = simulateFeatureSet(CRESST_LIKE, {events: 700, seed: 12, detectorBase: 0});
const ALL = [...FEATURE_SETS.all];

/** Shapley values by enumerating all subsets S of the features, v(S) = E[f(x) | x_S] over the trees. */
function bruteForceShap(model: TreeEnsemble, x: Float64Array, offset: number): Float64Array {
  const m = model.features.length;
  const v = (mask: number) => model.trees.reduce((s, t) => s + conditionalExpectation(t, x, offset, (f) => ((mask >> f) & 1) === 1), model.baseScore);
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let mask = 0; mask < 1 << m; mask++) {
      if ((mask >> i) & 1) continue;
      let size = 0;
      for (let k = 0; k < m; k++) size += (mask >> k) & 1;
      phi[i] += ((fact(size) * fact(m - size - 1)) / fact(m)) * (v(mask | (1 << i)) - v(mask));
    }
  }
  return phi;
}

describe("feature sets", () => {
  it("all = the 14 per-record columns of the feature table, four = height, rise, decay, baseline slope", () => {
    expect(FEATURE_SETS.all).toHaveLength(14);
    expect(FEATURE_SETS.all).not.toContain("event");
    expect(FEATURE_SETS.all).not.toContain("hours");
    expect(FEATURE_SETS.four).toEqual(["pulse_height_V", "rise_time_ms", "decay_time_ms", "baseline_slope_V_per_s"]);
    expect(() => featureMatrix(train.columns, ["pulse_height_V", "nope"])).toThrow(/"nope" is missing/);
  });

  it("simulated rows carry both classes and the label classes of lib/ml/labels", () => {
    expect(train.rows).toBeGreaterThan(1000);
    const pos = train.y.reduce((a, b) => a + b, 0);
    expect(pos).toBeGreaterThan(0.5 * train.rows);
    expect(pos).toBeLessThan(0.95 * train.rows);
  });
});

describe("gradient-boosted trees", () => {
  it("learn the simulated clean-pulse task: balanced accuracy ≥ 0.9 on held-out events with all features", () => {
    const model = trainGbdt(featureMatrix(train.columns, ALL), train.y, ALL, {rounds: 100});
    const m = classifierMetrics(predictProba(model, featureMatrix(test.columns, ALL)), test.y);
    expect(m.balancedAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(m.recall).toBeGreaterThanOrEqual(0.95);
    // The four-feature model sees less of the pulse shape and does worse (but better than chance).
    const four = [...FEATURE_SETS.four];
    const m4 = classifierMetrics(predictProba(trainGbdt(featureMatrix(train.columns, four), train.y, four, {rounds: 100}), featureMatrix(test.columns, four)), test.y);
    expect(m4.balancedAccuracy).toBeGreaterThan(0.6);
    expect(m4.balancedAccuracy).toBeLessThan(m.balancedAccuracy);
  });

  it("are deterministic for a seed and change with it", () => {
    const x = featureMatrix(train.columns, ALL).subarray(0, 300 * ALL.length);
    const y = train.y.subarray(0, 300);
    const a = predictMargin(trainGbdt(x, y, ALL, {rounds: 10, seed: 3}), x);
    const b = predictMargin(trainGbdt(x, y, ALL, {rounds: 10, seed: 3}), x);
    const c = predictMargin(trainGbdt(x, y, ALL, {rounds: 10, seed: 4}), x);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("separate a one-feature step exactly, with NaN treated as −∞", () => {
    const x = Float64Array.from([-3, -2, -1, NaN, 1, 2, 3, 4]);
    const y = [0, 0, 0, 0, 1, 1, 1, 1];
    const model = trainGbdt(x, y, ["a"], {rounds: 50, subsample: 1, minChildWeight: 0, learningRate: 0.5});
    const p = predictProba(model, x);
    p.forEach((q, i) => (y[i] ? expect(q).toBeGreaterThan(0.9) : expect(q).toBeLessThan(0.1)));
    // The split lies between −1 and 1 (the only gap between the classes).
    const t = model.trees[0];
    expect(t.threshold[0]).toBeGreaterThan(-1);
    expect(t.threshold[0]).toBeLessThan(1);
    expect(binEdges(Float64Array.from([1, 1, 1, 1]), 4, 1, 0, 4)).toHaveLength(0);
    // Few distinct values: a cut in every gap (NaN below everything).
    expect(Array.from(binEdges(Float64Array.from([3, 1, 2, 2, NaN]), 5, 1, 0, 8))).toEqual([-Number.MAX_VALUE, 1.5, 2.5]);
    // Many ties: quantile cuts move past runs of equal values instead of being dropped.
    const tied = Float64Array.from({length: 100}, (_, i) => (i < 80 ? 0 : i));
    const e = binEdges(tied, 100, 1, 0, 10);
    expect(e[0]).toBe(40);
    expect(e.length).toBe(9);
  });

  it("reject bad training input", () => {
    expect(() => trainGbdt(new Float64Array(3), [0, 1], ["a", "b"])).toThrow(/expected 2 rows × 2 features/);
    expect(() => trainGbdt(new Float64Array(2), [0, 2], ["a"])).toThrow(/label 2 at row 1/);
    expect(() => trainGbdt(new Float64Array(2), [0, 1], ["a"], {}, [1, 0])).toThrow(/sample weight 0 at row 1/);
    expect(() => trainGbdt(new Float64Array(2), [0, 1], ["a"], {maxBins: 300})).toThrow(/maxBins must be an integer in 2…256/);
  });
});

describe("TreeSHAP", () => {
  it("SHAP values sum to f(x) − E[f(x)] for every held-out row (all features, 60 trees)", () => {
    const model = trainGbdt(featureMatrix(train.columns, ALL), train.y, ALL, {rounds: 60});
    const x = featureMatrix(test.columns, ALL);
    const phi = shapValues(model, x);
    const margin = predictMargin(model, x);
    const e = expectedValue(model);
    let worst = 0;
    for (let r = 0; r < test.rows; r++) {
      let s = 0;
      for (let f = 0; f < ALL.length; f++) s += phi[r * ALL.length + f];
      worst = Math.max(worst, Math.abs(s - (margin[r] - e)));
    }
    expect(worst).toBeLessThan(1e-9);
    // Features the model never splits on get exactly zero.
    const used = new Set(model.trees.flatMap((t) => Array.from(t.feature).filter((f) => f >= 0)));
    for (let f = 0; f < ALL.length; f++) if (!used.has(f)) for (let r = 0; r < test.rows; r++) expect(phi[r * ALL.length + f]).toBe(0);
  });

  it("equals brute-force Shapley values on a hand-built tree that splits twice on one feature", () => {
    // x0 ≤ 0.5 ? (x1 ≤ 0.5 ? (x0 ≤ 0.2 ? 1 : 2) : 3) : (x2 ≤ 0.5 ? 4 : 5), covers 100/60/40/...
    const tree: Tree = {
      feature: Int32Array.from([0, 1, 2, 0, -1, -1, -1, -1, -1]),
      threshold: Float64Array.from([0.5, 0.5, 0.5, 0.2, 0, 0, 0, 0, 0]),
      left: Int32Array.from([1, 3, 5, 7, -1, -1, -1, -1, -1]),
      right: Int32Array.from([2, 4, 6, 8, -1, -1, -1, -1, -1]),
      value: Float64Array.from([0, 0, 0, 0, 3, 4, 5, 1, 2]),
      cover: Float64Array.from([100, 60, 40, 45, 15, 30, 10, 20, 25])
    };
    const model: TreeEnsemble = {features: ["a", "b", "c"], baseScore: 0.25, trees: [tree]};
    // E f = 0.25 + (3·15 + 4·30 + 5·10 + 1·20 + 2·25)/100 = 0.25 + 2.85
    expect(expectedValue(model)).toBeCloseTo(3.1, 12);
    for (const row of [[0.1, 0.1, 0.9], [0.3, 0.1, 0.1], [0.3, 0.9, 0.9], [0.9, 0.1, 0.9], [NaN, 0.9, 0.1]]) {
      const x = Float64Array.from(row);
      const phi = shapValues(model, x);
      const brute = bruteForceShap(model, x, 0);
      for (let f = 0; f < 3; f++) expect(phi[f]).toBeCloseTo(brute[f], 12);
    }
    // Row (0.1, 0.1, 0.9) reaches the leaf of value 1: φ sum = 1.25 − 3.1.
    const phi = shapValues(model, Float64Array.from([0.1, 0.1, 0.9]));
    expect(phi[0] + phi[1] + phi[2]).toBeCloseTo(1.25 - 3.1, 12);
  });

  it("equals brute-force Shapley values for a trained 5-feature ensemble (all 32 subsets)", () => {
    const five = ALL.slice(0, 5);
    const x = featureMatrix(train.columns, five);
    const model = trainGbdt(x, train.y, five, {rounds: 8, maxDepth: 5});
    expect(model.trees.some((t) => t.feature.filter((f) => f >= 0).length > 5)).toBe(true);
    const xt = featureMatrix(test.columns, five);
    const phi = shapValues(model, xt);
    const rng = new Rng(5);
    for (let k = 0; k < 25; k++) {
      const r = Math.floor(rng.uniform() * test.rows);
      const brute = bruteForceShap(model, xt, r * 5);
      for (let f = 0; f < 5; f++) expect(phi[r * 5 + f]).toBeCloseTo(brute[f], 10);
    }
  });
});

describe("model file", () => {
  const model = trainGbdt(featureMatrix(train.columns, ALL).subarray(0, 400 * ALL.length), train.y.subarray(0, 400), ALL, {rounds: 15});
  const text = serializeTreeModel(model, {featureSet: "all", training: {rounds: 15}, metrics: {}});

  it("round trip gives identical predictions and SHAP values", () => {
    const {model: back, doc} = parseTreeModel(text, "trees.json");
    expect(doc.formatVersion).toBe(1);
    expect(doc.featureSet).toBe("all");
    const x = featureMatrix(test.columns, ALL);
    expect(predictMargin(back, x)).toEqual(predictMargin(model, x));
    expect(shapValues(back, x.subarray(0, 50 * ALL.length))).toEqual(shapValues(model, x.subarray(0, 50 * ALL.length)));
  });

  it("bad files give errors naming the file and the problem", () => {
    const doc = JSON.parse(text);
    const bad = (mutate: (d: any) => void) => {
      const d = JSON.parse(text);
      mutate(d);
      return JSON.stringify(d);
    };
    const err = (t: string) => {
      try {
        parseTreeModel(t, "m/trees.json");
      } catch (e) {
        expect(e).toBeInstanceOf(DataFileError);
        return (e as Error).message;
      }
      throw new Error("no error");
    };
    expect(doc.format).toBe("pulsebook-trees");
    expect(err("{oops")).toMatch(/^m\/trees\.json: not a JSON model file/);
    expect(err(bad((d) => { d.format = "pulsebook-classifier"; }))).toMatch(/format is "pulsebook-classifier", expected "pulsebook-trees"/);
    expect(err(bad((d) => { d.formatVersion = 2; }))).toMatch(/format version 2 is not supported/);
    expect(err(bad((d) => { d.ensemble.trees[3].feature[0] = 99; }))).toMatch(/tree 3, node 0: feature index 99 outside 0…13/);
    expect(err(bad((d) => { d.ensemble.trees[0].left[0] = 0; }))).toMatch(/tree 0, node 0: child 0 is not a later node/);
    expect(err(bad((d) => { d.ensemble.trees[1].value.pop(); }))).toMatch(/tree 1: value has \d+ entries/);
    expect(err(bad((d) => { d.ensemble.features = []; }))).toMatch(/non-empty list of column names/);
  });
});
