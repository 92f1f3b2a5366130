// Exact SHAP values of a tree ensemble: TreeSHAP, Algorithm 2 of Lundberg, Erion & Lee,
// "Consistent individualized feature attribution for tree ensembles" (2018), implemented from
// the paper's description (0-based indices). The value function is the paper's: E[f(x) | x_S]
// follows x at splits on features in S and averages the children by their training cover
// elsewhere. φ_i are in log-odds (margin) units and sum to f(x) − E[f(x)] for every row.
import type {Tree, TreeEnsemble} from "./trees.js";

// The path of unique features from the root, one region per recursion level in flat arrays
// (no allocation per node): feature, fraction of "zero" paths (feature not in S) and of "one"
// paths (feature in S, following x) through the element, and its permutation weight.
class Paths {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
  constructor(readonly stride: number) {
    const n = stride * stride;
    this.feature = new Int32Array(n);
    this.zero = new Float64Array(n);
    this.one = new Float64Array(n);
    this.weight = new Float64Array(n);
  }
}

function extend(p: Paths, o: number, depth: number, zero: number, one: number, feature: number): void {
  const w = p.weight;
  p.feature[o + depth] = feature;
  p.zero[o + depth] = zero;
  p.one[o + depth] = one;
  w[o + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    w[o + i + 1] += (one * w[o + i] * (i + 1)) / (depth + 1);
    w[o + i] = (zero * w[o + i] * (depth - i)) / (depth + 1);
  }
}

/** Undoes `extend` for element k (a feature met a second time on the path). */
function unwind(p: Paths, o: number, depth: number, k: number): void {
  const one = p.one[o + k], zero = p.zero[o + k], w = p.weight;
  let next = w[o + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = w[o + i];
      w[o + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = t - (w[o + i] * zero * (depth - i)) / (depth + 1);
    } else {
      w[o + i] = (w[o + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = k; i < depth; i++) {
    p.feature[o + i] = p.feature[o + i + 1];
    p.zero[o + i] = p.zero[o + i + 1];
    p.one[o + i] = p.one[o + i + 1];
  }
}

/** Sum of the weights of the path with element k unwound (without modifying the path). */
function unwoundSum(p: Paths, o: number, depth: number, k: number): number {
  const one = p.one[o + k], zero = p.zero[o + k], w = p.weight;
  let next = w[o + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = (next * (depth + 1)) / ((i + 1) * one);
      total += t;
      next = w[o + i] - (t * zero * (depth - i)) / (depth + 1);
    } else {
      total += (w[o + i] / zero) * ((depth + 1) / (depth - i));
    }
  }
  return total;
}

function treeDepth(tree: Tree, n = 0): number {
  return tree.feature[n] < 0 ? 0 : 1 + Math.max(treeDepth(tree, tree.left[n]), treeDepth(tree, tree.right[n]));
}

const pathCache = new WeakMap<Tree, Paths>();

// State of the current treeShap call, so that the recursion is a plain function (no closure
// per call: it runs trees × rows times).
let T: Tree;
let X: ArrayLike<number>;
let OFF = 0;
let PHI: Float64Array;
let P: Paths;

function recurse(node: number, level: number, depth: number, zero: number, one: number, feature: number): void {
  const p = P, stride = p.stride, o = level * stride;
  const pf = p.feature, pz = p.zero, po = p.one, pw = p.weight;
  if (level > 0) {
    // Plain loops: copyWithin's per-call cost dominates for paths of a few elements.
    const from = o - stride;
    for (let i = 0; i < depth; i++) {
      pf[o + i] = pf[from + i];
      pz[o + i] = pz[from + i];
      po[o + i] = po[from + i];
      pw[o + i] = pw[from + i];
    }
  }
  extend(p, o, depth, zero, one, feature);
  const tree = T;
  const f = tree.feature[node];
  if (f < 0) {
    const v = tree.value[node];
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(p, o, depth, i);
      PHI[pf[o + i]] += w * (po[o + i] - pz[o + i]) * v;
    }
    return;
  }
  const xv = X[OFF + f];
  const goesLeft = Number.isNaN(xv) || xv <= tree.threshold[node];
  const hot = goesLeft ? tree.left[node] : tree.right[node];
  const cold = goesLeft ? tree.right[node] : tree.left[node];
  let inZero = 1, inOne = 1;
  let k = 1;
  while (k <= depth && pf[o + k] !== f) k++;
  if (k <= depth) {
    inZero = pz[o + k];
    inOne = po[o + k];
    unwind(p, o, depth, k);
    depth--;
  }
  const c = tree.cover[node];
  recurse(hot, level + 1, depth + 1, (inZero * tree.cover[hot]) / c, inOne, f);
  recurse(cold, level + 1, depth + 1, (inZero * tree.cover[cold]) / c, 0, f);
}

/** Adds the SHAP values of one tree for row x (offset into x) to phi. */
export function treeShap(tree: Tree, x: ArrayLike<number>, offset: number, phi: Float64Array): void {
  let p = pathCache.get(tree);
  if (!p) {
    p = new Paths(treeDepth(tree) + 2);
    pathCache.set(tree, p);
  }
  T = tree;
  X = x;
  OFF = offset;
  PHI = phi;
  P = p;
  recurse(0, 0, 0, 1, 1, -1);
}

/** E[f(x)] of one tree: leaf values averaged by cover. */
export function treeExpectedValue(tree: Tree): number {
  let s = 0;
  for (let n = 0; n < tree.feature.length; n++) if (tree.feature[n] < 0) s += tree.value[n] * tree.cover[n];
  return s / tree.cover[0];
}

/** Expected model output (log-odds) that the SHAP values are measured from. */
export function expectedValue(model: TreeEnsemble): number {
  return model.trees.reduce((s, t) => s + treeExpectedValue(t), model.baseScore);
}

/** SHAP values (log-odds) for every row of x: rows × features, row-major. */
export function shapValues(model: TreeEnsemble, x: Float64Array): Float64Array {
  const m = model.features.length;
  const rows = x.length / m;
  const out = new Float64Array(rows * m);
  for (let r = 0; r < rows; r++) {
    const phi = out.subarray(r * m, (r + 1) * m);
    for (const t of model.trees) treeShap(t, x, r * m, phi);
  }
  return out;
}

/** E[f(x) | x_S] of one tree as TreeSHAP defines it (for tests and brute-force checks). */
export function conditionalExpectation(tree: Tree, x: ArrayLike<number>, offset: number, inS: (feature: number) => boolean): number {
  const rec = (n: number): number => {
    const f = tree.feature[n];
    if (f < 0) return tree.value[n];
    if (inS(f)) {
      const v = x[offset + f];
      return rec(Number.isNaN(v) || v <= tree.threshold[n] ? tree.left[n] : tree.right[n]);
    }
    const l = tree.left[n], r = tree.right[n];
    return (tree.cover[l] * rec(l) + tree.cover[r] * rec(r)) / tree.cover[n];
  };
  return rec(0);
}
