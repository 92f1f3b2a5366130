// OF amplitudes of many records at PFFFT speed (lib/dsp/realConvolver.ts): the batch twin of
// `ofAmplitude`, same preparation (baseline, window), same search, float32 filtering.

import {prepareRecord, type OfAmplitude, type OptimumFilter} from "./optimumFilter.js";
import {loadPffft, RealConvolver} from "./realConvolver.js";

export interface OfBatch {
  /** As `ofAmplitude(of, record, options)`. */
  amplitude(record: ArrayLike<number>, options?: {search?: [number, number]}): OfAmplitude;
  dispose(): void;
}

/** A batch amplitude estimator for `of`; call `dispose()` when done. */
export async function ofBatch(of: OptimumFilter): Promise<OfBatch> {
  const conv = new RealConvolver(await loadPffft(), of.recordLength, of.transfer);
  const n = of.recordLength;
  return {
    amplitude(record, options = {}) {
      prepareRecord(of, record, conv.input());
      const y = conv.run();
      const [lo, hi] = options.search ?? of.search;
      const i = argmax32(y, Math.max(0, lo), Math.min(n, hi));
      return {amplitude_V: y[i], index: i, time_ms: ((i - of.peakIndex) / of.sampleFrequency_Hz) * 1000};
    },
    dispose: () => conv.dispose()
  };
}

/** optimumFilter.ts `argmax` (the first maximum) for the convolver's float32 output only: one element type, the running maximum in a local. */
function argmax32(y: Float32Array, lo: number, hi: number): number {
  let best = lo, top = y[lo];
  for (let i = lo + 1; i < hi; i++) {
    const v = y[i];
    if (v > top) {
      top = v;
      best = i;
    }
  }
  return best;
}
