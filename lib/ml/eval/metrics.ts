// The paper's metrics (Sec. 4): recall R = TP/T, selectivity S = TN/N, balanced accuracy
// (R + S)/2, precision TP/(TP + FP), at a cutoff on the model output (default 0.5: a record
// is accepted when its probability is ≥ the cutoff); the sweep over cutoffs and the
// precision–recall curve of Fig. 4.

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ClassifierMetrics extends Confusion {
  cutoff: number;
  recall: number;
  selectivity: number;
  balancedAccuracy: number;
  precision: number;
  accuracy: number;
}

/** Confusion counts; labels −1 are skipped. */
export function confusion(prob: ArrayLike<number>, labels: ArrayLike<number>, cutoff = 0.5): Confusion {
  if (prob.length !== labels.length) throw new RangeError(`${prob.length} probabilities for ${labels.length} labels`);
  const c = {tp: 0, fp: 0, tn: 0, fn: 0};
  for (let i = 0; i < prob.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) continue;
    const accepted = prob[i] >= cutoff;
    if (y === 1) accepted ? c.tp++ : c.fn++;
    else accepted ? c.fp++ : c.tn++;
  }
  return c;
}

/** Metrics from counts; a ratio with an empty denominator is NaN. */
export function metricsFromConfusion(c: Confusion, cutoff = 0.5): ClassifierMetrics {
  const recall = c.tp / (c.tp + c.fn);
  const selectivity = c.tn / (c.tn + c.fp);
  return {
    ...c,
    cutoff,
    recall,
    selectivity,
    balancedAccuracy: (recall + selectivity) / 2,
    precision: c.tp / (c.tp + c.fp),
    accuracy: (c.tp + c.tn) / (c.tp + c.tn + c.fp + c.fn)
  };
}

export function classifierMetrics(prob: ArrayLike<number>, labels: ArrayLike<number>, cutoff = 0.5): ClassifierMetrics {
  return metricsFromConfusion(confusion(prob, labels, cutoff), cutoff);
}

/** Cutoffs lo, lo+step, …, hi (rounded to avoid 0.30000000000000004). */
export function cutoffGrid(lo = 0.05, hi = 0.95, step = 0.05): number[] {
  const out: number[] = [];
  const n = Math.round((hi - lo) / step);
  for (let i = 0; i <= n; i++) out.push(Math.round((lo + i * step) * 1e9) / 1e9);
  return out;
}

/** Metrics at every cutoff (Fig. 4 left: balanced accuracy against the cutoff). */
export function cutoffSweep(prob: ArrayLike<number>, labels: ArrayLike<number>, cutoffs: number[] = cutoffGrid()): ClassifierMetrics[] {
  return cutoffs.map((c) => classifierMetrics(prob, labels, c));
}

/** Precision against recall for cutoffs 0.05…0.95 (Fig. 4 right). */
export function precisionRecallCurve(prob: ArrayLike<number>, labels: ArrayLike<number>, cutoffs: number[] = cutoffGrid()): {cutoff: number; recall: number; precision: number}[] {
  return cutoffSweep(prob, labels, cutoffs).map(({cutoff, recall, precision}) => ({cutoff, recall, precision}));
}
