// UMAP embedding of manifold vectors (umap-js, the PAIR-code implementation of McInnes et al.),
// as the nonlinear alternative to the PC1/PC2 view. It runs on the leading principal-component
// scores rather than on the raw 1024-dimensional vectors: the same neighbourhoods, less noise,
// and much faster. Seeded, so a given input always gives the same picture.

import {UMAP} from "umap-js";
import {Rng} from "../../math/random.js";

export interface UmapOptions {
  nNeighbors?: number;
  minDist?: number;
  seed?: number;
}

/** 2-D UMAP embedding of `rows` (count × dim, row-major); returns count × 2, row-major. */
export function umapEmbedding(rows: Float64Array, count: number, dim: number, options: UmapOptions = {}): Float64Array {
  const {nNeighbors = 15, minDist = 0.1, seed = 1} = options;
  if (rows.length !== count * dim) throw new RangeError(`rows hold ${rows.length} values, expected ${count} × ${dim}`);
  const data = Array.from({length: count}, (_, i) => Array.from(rows.subarray(i * dim, (i + 1) * dim)));
  const rng = new Rng(seed);
  const umap = new UMAP({nComponents: 2, nNeighbors: Math.min(nNeighbors, count - 1), minDist, random: () => rng.uniform()});
  const embedding = umap.fit(data);
  return Float64Array.from(embedding.flat());
}
