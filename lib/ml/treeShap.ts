// Exact SHAP values of a tree ensemble: TreeSHAP, Algorithm 2 of Lundberg, Erion & Lee,
// "Consistent individualized feature attribution for tree ensembles" (2018), implemented from
// the paper's description (0-based indices). The value function is the paper's: E[f(x) | x_S]
// follows x at splits on features in S and averages the children by their training cover
// elsewhere. φ_i are in log-odds (margin) units and sum to f(x) − E[f(x)] for every row.
import type {Tree, TreeEnsemble} from "./trees.js";

interface PathElement {
  feature: number;
  /** Fraction of "zero" paths (feature not in S) flowing through this element. */
  zero: number;
  /** Fraction of "one" paths (feature in S, following x). */
  one: number;
  /** Permutation weight. */
  weight: number;
}

function extend(path: PathElement[], depth: number, zero: number, one: number, feature: number): void {
  path[depth] = {feature, zero, one, weight: depth === 0 ? 1 : 0};
  for (let i = depth - 1; i >= 0; i--) {
    path[i + 1].weight += (one * path[i].weight * (i + 1)) / (depth + 1);
    path[i].weight = (zero * path[i].weight * (depth - i)) / (depth + 1);
  }
}

/** Undoes `extend` for element k (a feature met a second time on the path). */
function unwind(path: PathElement[], depth: number, k: number): void {
  const {one, zero} = path[k];
  let next = path[depth].weight;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = path[i].weight;
      path[i].weight = (next * (depth + 1)) / ((i + 1) * one);
      next = t - (path[i].weight * zero * (depth - i)) / (depth + 1);
    } else {
      path[i].weight = (path[i].weight * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = k; i < depth; i++) {
    path[i].feature = path[i + 1].feature;
    path[i].zero = path[i + 1].zero;
    path[i].one = path[i + 1].one;
  }
}

/** Sum of the weights of the path with element k unwound (without modifying the path). */
function unwoundSum(path: PathElement[], depth: number, k: number): number {
  const {one, zero} = path[k];
  let next = path[depth].weight;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = (next * (depth + 1)) / ((i + 1) * one);
      total += t;
      next = path[i].weight - (t * zero * (depth - i)) / (depth + 1);
    } else {
      total += (path[i].weight / zero) * ((depth + 1) / (depth - i));
    }
  }
  return total;
}

/** Adds the SHAP values of one tree for row x (offset into x) to phi. */
export function treeShap(tree: Tree, x: ArrayLike<number>, offset: number, phi: Float64Array): void {
  const recurse = (node: number, parent: PathElement[], depth: number, zero: number, one: number, feature: number) => {
    const path = parent.slice(0, depth).map((e) => ({...e}));
    extend(path, depth, zero, one, feature);
    const f = tree.feature[node];
    if (f < 0) {
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(path, depth, i);
        phi[path[i].feature] += w * (path[i].one - path[i].zero) * tree.value[node];
      }
      return;
    }
    const v = x[offset + f];
    const goesLeft = Number.isNaN(v) || v <= tree.threshold[node];
    const hot = goesLeft ? tree.left[node] : tree.right[node];
    const cold = goesLeft ? tree.right[node] : tree.left[node];
    let inZero = 1, inOne = 1;
    let k = 1;
    while (k <= depth && path[k].feature !== f) k++;
    if (k <= depth) {
      inZero = path[k].zero;
      inOne = path[k].one;
      unwind(path, depth, k);
      depth--;
    }
    const c = tree.cover[node];
    recurse(hot, path, depth + 1, (inZero * tree.cover[hot]) / c, inOne, f);
    recurse(cold, path, depth + 1, (inZero * tree.cover[cold]) / c, 0, f);
  };
  recurse(0, [], 0, 1, 1, -1);
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
