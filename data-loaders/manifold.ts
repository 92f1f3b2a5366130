// The data manifold of a cait file's events (lib/ml/manifold/manifold.ts), read in chunks: records are
// reduced to their manifold vectors chunk by chunk, so memory holds the vectors
// (events × channels × samples × 8 B: 16 MB for 2,000 two-channel events at 512 samples), never
// the raw records.

import {openCaitFile} from "./io/node.js";
import {manifoldVectors, principalComponents, type Projection} from "../lib/ml/manifold/manifold.js";

export interface Manifold extends Projection {
  events: Int32Array;
  /** Per event, channel-major (channel × event) labels from the file, when it has them. */
  labels?: Int32Array;
  nChannels: number;
  samples: number;
}

export async function fileManifold(path: string, options: {samples?: number; components?: number; chunkEvents?: number} = {}): Promise<Manifold> {
  const {samples = 512, components = 2, chunkEvents = 64} = options;
  const file = await openCaitFile(path);
  try {
    const n = file.count("events");
    const nChannels = file.dataset.channels.length;
    const dim = nChannels * samples;
    const rows = new Float64Array(n * dim);
    const labels = file.dataset.hasLabels ? new Int32Array(nChannels * n) : undefined;
    for (const chunk of file.chunks("events", chunkEvents)) {
      rows.set(manifoldVectors(chunk, samples), chunk.start * dim);
      if (labels && chunk.labels) for (let c = 0; c < nChannels; ++c) labels.set(chunk.labels.subarray(c * chunk.count, (c + 1) * chunk.count), c * n + chunk.start);
    }
    const projection = principalComponents(rows, n, dim, components);
    return {...projection, events: Int32Array.from({length: n}, (_, i) => i), labels, nChannels, samples};
  } finally {
    file.close();
  }
}
