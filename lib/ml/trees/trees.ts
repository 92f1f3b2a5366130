// Gradient-boosted decision trees for binary classification (logistic loss) on feature-table
// columns: the classical baseline of the CAPA slides (BDT/XGBoost on features, explained with
// SHAP). Written by hand because no well-kept npm package trains GBDTs and gives per-feature
// contributions: `ml-xgboost` (1.1.2) is an old emscripten build of XGBoost without
// pred_contribs, `decision-tree` is a single ID3 tree, `ml-random-forest` is bagging, not
// boosting. Pure functions over typed arrays; explanations in ./treeShap.ts.
//
// Algorithm (as XGBoost/LightGBM "hist"): features binned once at quantiles (≤ maxBins bins);
// each round fits a depth-limited regression tree to the gradient g = p − y and Hessian
// h = p(1 − p) of the weighted log-loss, splits chosen by the second-order gain
// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), leaves −G/(H+λ) × learning rate; rows subsampled
// per tree with a seeded generator. NaN features (no pulse found) are treated as −∞: they
// always go left, in training and prediction alike.
import {Rng} from "../../math/random.js";

/** One tree as parallel arrays; node 0 is the root, feature −1 marks a leaf. */
export interface Tree {
  feature: Int32Array;
  /** Row goes left when x[feature] ≤ threshold (NaN: left). */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf output (log-odds contribution); 0 at internal nodes. */
  value: Float64Array;
  /** Sum of training sample weights reaching the node (TreeSHAP's conditional expectations). */
  cover: Float64Array;
}

export interface TreeEnsemble {
  /** Feature names, in the column order of x. */
  features: string[];
  /** Initial log-odds (weighted prior). */
  baseScore: number;
  trees: Tree[];
}

export interface GbdtParams {
  rounds: number;
  maxDepth: number;
  learningRate: number;
  /** L2 regularisation of leaf values. */
  lambda: number;
  /** Smallest Hessian sum in a child. */
  minChildWeight: number;
  /** Smallest gain to split. */
  minGain: number;
  /** Fraction of rows sampled (without replacement) for each tree. */
  subsample: number;
  maxBins: number;
  seed: number;
  /** Weight the classes so both have the same total weight (the paper's class-weighted loss). */
  balanceClasses: boolean;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  rounds: 200, maxDepth: 4, learningRate: 0.1, lambda: 1, minChildWeight: 1, minGain: 0,
  subsample: 0.8, maxBins: 64, seed: 1, balanceClasses: true
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Cut points of one column (NaN → −∞ first), at most maxBins − 1, strictly increasing, midway
 * between distinct values: every gap when there are ≤ maxBins distinct values, else bins of
 * about equal row counts (discrete features such as times in whole samples keep useful cuts).
 */
export function binEdges(x: Float64Array, rows: number, nFeatures: number, f: number, maxBins: number): Float64Array {
  const v = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = x[i * nFeatures + f];
    v[i] = Number.isNaN(a) ? -Infinity : a;
  }
  v.sort();
  // Distinct values and the number of rows up to and including each.
  const distinct: number[] = [], upTo: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (i === 0 || v[i] !== v[i - 1]) distinct.push(v[i]);
    upTo[distinct.length - 1] = i + 1;
  }
  const mid = (j: number) => {
    const lo = distinct[j], hi = distinct[j + 1];
    return lo === -Infinity ? -Number.MAX_VALUE : hi === Infinity ? Number.MAX_VALUE : lo + (hi - lo) / 2;
  };
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let j = 0; j + 1 < distinct.length; j++) edges.push(mid(j));
  } else {
    // Equal-count bins, recomputed after each cut over the rows and bins left, so that a
    // heavy run of ties takes one bin and the other bins still split the rest.
    let done = 0, binsLeft = maxBins, j = 0;
    while (binsLeft > 1 && j < distinct.length - 1) {
      const target = done + (rows - done) / binsLeft;
      while (j < distinct.length - 2 && upTo[j] < target) j++;
      edges.push(mid(j));
      done = upTo[j];
      binsLeft--;
      j++;
    }
  }
  return Float64Array.from(edges);
}

/** Bin of a value: the first edge ≥ x (NaN → bin 0), or edges.length. */
function binOf(edges: Float64Array, x: number): number {
  if (Number.isNaN(x)) return 0;
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Margin (log-odds) of one tree for row r of x. */
function treeOutput(t: Tree, x: ArrayLike<number>, offset: number): number {
  let n = 0;
  while (t.feature[n] >= 0) {
    const v = x[offset + t.feature[n]];
    n = Number.isNaN(v) || v <= t.threshold[n] ? t.left[n] : t.right[n];
  }
  return t.value[n];
}

/** Log-odds for every row of x (rows × features, row-major). */
export function predictMargin(model: TreeEnsemble, x: Float64Array): Float64Array {
  const m = model.features.length;
  const rows = x.length / m;
  const out = new Float64Array(rows).fill(model.baseScore);
  for (const t of model.trees) for (let r = 0; r < rows; r++) out[r] += treeOutput(t, x, r * m);
  return out;
}

/** Probability of the positive class for every row. */
export function predictProba(model: TreeEnsemble, x: Float64Array): Float64Array {
  return predictMargin(model, x).map(sigmoid);
}

interface Growing {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
}

/**
 * Trains on x (rows × features, row-major) with labels y ∈ {0, 1}; `sampleWeight` optional.
 * Deterministic for a given seed.
 */
export function trainGbdt(x: Float64Array, y: ArrayLike<number>, features: string[], params: Partial<GbdtParams> = {}, sampleWeight?: ArrayLike<number>): TreeEnsemble {
  const p = {...DEFAULT_GBDT_PARAMS, ...params};
  if (!(Number.isInteger(p.maxBins) && p.maxBins >= 2 && p.maxBins <= 256)) throw new RangeError(`maxBins must be an integer in 2…256, got ${p.maxBins}`);
  const m = features.length;
  const n = y.length;
  if (x.length !== n * m) throw new RangeError(`x has ${x.length} values, expected ${n} rows × ${m} features`);
  if (n === 0) throw new RangeError("no training rows");
  for (let i = 0; i < n; i++) if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`label ${y[i]} at row ${i}: expected 0 or 1`);
  // Weights: given × class balance.
  const w = new Float64Array(n);
  let pos = 0, tot = 0;
  for (let i = 0; i < n; i++) {
    w[i] = sampleWeight ? sampleWeight[i] : 1;
    // Positive weights keep every node's cover positive (TreeSHAP divides by covers).
    if (!(w[i] > 0 && Number.isFinite(w[i]))) throw new RangeError(`sample weight ${w[i]} at row ${i}: expected a positive finite number`);
    tot += w[i];
    if (y[i] === 1) pos += w[i];
  }
  if (p.balanceClasses && pos > 0 && pos < tot) {
    for (let i = 0; i < n; i++) w[i] *= y[i] === 1 ? tot / (2 * pos) : tot / (2 * (tot - pos));
    pos = tot / 2;
  }
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, pos / tot));
  const baseScore = Math.log(prior / (1 - prior));

  // Binning, column-major bins for cache-friendly histograms.
  const edges = features.map((_, f) => binEdges(x, n, m, f, p.maxBins));
  const bins = edges.map((e, f) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = binOf(e, x[i * m + f]);
    return b;
  });

  const margin = new Float64Array(n).fill(baseScore);
  const g = new Float64Array(n), h = new Float64Array(n);
  const rng = new Rng(p.seed, 0x6bd7);
  const all = Int32Array.from({length: n}, (_, i) => i);
  const nSample = Math.max(1, Math.round(p.subsample * n));
  const histG = new Float64Array(p.maxBins), histH = new Float64Array(p.maxBins), histN = new Int32Array(p.maxBins);
  const trees: Tree[] = [];

  for (let round = 0; round < p.rounds; round++) {
    for (let i = 0; i < n; i++) {
      const q = sigmoid(margin[i]);
      g[i] = w[i] * (q - y[i]);
      h[i] = Math.max(w[i] * q * (1 - q), 1e-16);
    }
    // Partial Fisher–Yates: the first nSample entries are a uniform sample without replacement.
    let rows = all;
    if (nSample < n) {
      for (let i = 0; i < nSample; i++) {
        const j = i + Math.floor(rng.uniform() * (n - i)) % (n - i);
        const t = all[i]; all[i] = all[j]; all[j] = t;
      }
      rows = all.slice(0, nSample).sort();
    }
    const t: Growing = {feature: [], threshold: [], left: [], right: [], value: [], cover: []};
    const grow = (idx: Int32Array, depth: number): number => {
      let G = 0, H = 0, W = 0;
      for (const i of idx) { G += g[i]; H += h[i]; W += w[i]; }
      const node = t.feature.length;
      t.feature.push(-1); t.threshold.push(0); t.left.push(-1); t.right.push(-1);
      t.value.push((-G / (H + p.lambda)) * p.learningRate); t.cover.push(W);
      if (depth >= p.maxDepth || idx.length < 2) return node;
      const parentScore = (G * G) / (H + p.lambda);
      let bestGain = p.minGain, bestF = -1, bestBin = -1;
      for (let f = 0; f < m; f++) {
        const nb = edges[f].length + 1;
        if (nb < 2) continue;
        histG.fill(0, 0, nb); histH.fill(0, 0, nb); histN.fill(0, 0, nb);
        const b = bins[f];
        for (const i of idx) { histG[b[i]] += g[i]; histH[b[i]] += h[i]; histN[b[i]]++; }
        let gl = 0, hl = 0, nl = 0;
        for (let k = 0; k < nb - 1; k++) {
          gl += histG[k]; hl += histH[k]; nl += histN[k];
          const gr = G - gl, hr = H - hl;
          // Both children non-empty (TreeSHAP divides by their covers).
          if (nl === 0 || nl === idx.length || hl < p.minChildWeight || hr < p.minChildWeight) continue;
          const gain = (gl * gl) / (hl + p.lambda) + (gr * gr) / (hr + p.lambda) - parentScore;
          if (gain > bestGain) { bestGain = gain; bestF = f; bestBin = k; }
        }
      }
      if (bestF < 0) return node;
      const b = bins[bestF];
      let nl = 0;
      for (const i of idx) if (b[i] <= bestBin) nl++;
      const li = new Int32Array(nl), ri = new Int32Array(idx.length - nl);
      let a = 0, c = 0;
      for (const i of idx) { if (b[i] <= bestBin) li[a++] = i; else ri[c++] = i; }
      t.feature[node] = bestF;
      t.threshold[node] = edges[bestF][bestBin];
      t.value[node] = 0;
      t.left[node] = grow(li, depth + 1);
      t.right[node] = grow(ri, depth + 1);
      return node;
    };
    grow(rows, 0);
    const tree: Tree = {
      feature: Int32Array.from(t.feature), threshold: Float64Array.from(t.threshold), left: Int32Array.from(t.left),
      right: Int32Array.from(t.right), value: Float64Array.from(t.value), cover: Float64Array.from(t.cover)
    };
    trees.push(tree);
    for (let i = 0; i < n; i++) margin[i] += treeOutput(tree, x, i * m);
  }
  return {features: [...features], baseScore, trees};
}
