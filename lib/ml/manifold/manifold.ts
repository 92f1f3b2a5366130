// The data manifold of the CRESST data-cleaning paper (CRESST Collaboration, "Towards an
// automated data cleaning with deep learning in CRESST"): every record is downsampled (to 512
// samples there), scaled to minimum 0 and maximum 1, the records of one event's channels are concatenated, and the
// resulting vectors are projected onto their first principal components. Artefacts and
// particle populations then form visibly separate structures in the PC1/PC2 plane.
//
// PCA itself is ml-pca's (covariance-matrix eigendecomposition, or SVD when there are fewer
// vectors than dimensions); the records are prepared as for the classifiers
// (lib/ml/data/preprocess.ts); this module concatenates them and fixes the signs.

import {PCA} from "ml-pca";
import {chunkRecord, type EventChunk} from "../../types.js";
import {downsampleMean, minMaxScale} from "../data/preprocess.js";

/**
 * The manifold vectors of a chunk: one row per event, channels concatenated, each record
 * downsampled to `samples` and min-max scaled. Row-major, count × (nChannels · samples).
 */
export function manifoldVectors(chunk: EventChunk, samples = 512): Float64Array {
  const dim = chunk.nChannels * samples;
  const out = new Float64Array(chunk.count * dim);
  for (let i = 0; i < chunk.count; ++i) {
    for (let c = 0; c < chunk.nChannels; ++c) {
      const view = out.subarray(i * dim + c * samples, i * dim + (c + 1) * samples);
      minMaxScale(downsampleMean(chunkRecord(chunk, c, i), samples, view));
    }
  }
  return out;
}

export interface Projection {
  /** count × components scores, row-major. */
  scores: Float64Array;
  /** components × dim principal axes (unit vectors), row-major. */
  components: Float64Array;
  /** Fraction of the total variance along each returned component. */
  explained: number[];
  /** Mean vector that was subtracted. */
  mean: Float64Array;
}

/**
 * Principal components of `rows` (count × dim, row-major): the first `k` axes and the scores of
 * every row on them. Each axis is signed so that its largest-magnitude entry is positive, so
 * results do not flip between runs or libraries.
 */
export function principalComponents(rows: Float64Array, count: number, dim: number, k = 2): Projection {
  if (rows.length !== count * dim) throw new RangeError(`rows hold ${rows.length} values, expected ${count} × ${dim}`);
  if (count < 2) throw new RangeError("PCA needs at least 2 vectors");
  const data = Array.from({length: count}, (_, i) => Array.from(rows.subarray(i * dim, (i + 1) * dim)));
  const pca = new PCA(data, {method: count > dim ? "covarianceMatrix" : "SVD", center: true, scale: false});
  const vectors = pca.getEigenvectors();
  const kk = Math.min(k, vectors.columns);
  const components = new Float64Array(kk * dim);
  const mean = new Float64Array(dim);
  for (let j = 0; j < dim; ++j) {
    let s = 0;
    for (let i = 0; i < count; ++i) s += rows[i * dim + j];
    mean[j] = s / count;
  }
  for (let c = 0; c < kk; ++c) {
    let big = 0;
    for (let j = 0; j < dim; ++j) if (Math.abs(vectors.get(j, c)) > Math.abs(big)) big = vectors.get(j, c);
    const sign = big < 0 ? -1 : 1;
    for (let j = 0; j < dim; ++j) components[c * dim + j] = sign * vectors.get(j, c);
  }
  // Scores as dot products of the centred vectors with the axes (the paper's "change of basis").
  const scores = new Float64Array(count * kk);
  for (let i = 0; i < count; ++i) {
    for (let c = 0; c < kk; ++c) {
      let s = 0;
      for (let j = 0; j < dim; ++j) s += (rows[i * dim + j] - mean[j]) * components[c * dim + j];
      scores[i * kk + c] = s;
    }
  }
  return {scores, components, explained: pca.getExplainedVariance().slice(0, kk), mean};
}
