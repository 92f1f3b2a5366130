// OF amplitudes of many records at PFFFT speed (lib/dsp/realConvolver.ts): the batch twin of
// `ofAmplitude`, same preparation (baseline, window), same search, float32 filtering. Around the
// two transforms, float32 records are prepared and searched in WebAssembly (ofPeakKernel.ts, the
// same results to the bit).

import {argmax, prepareRecord, type OfAmplitude, type OptimumFilter} from "./optimumFilter.js";
import {loadPffft, RealConvolver} from "./realConvolver.js";
import {ofPeakKernel} from "./ofPeakKernel.js";

export interface OfBatch {
  /** As `ofAmplitude(of, record, options)`. */
  amplitude(record: ArrayLike<number>, options?: {search?: [number, number]}): OfAmplitude;
  dispose(): void;
}

/** A batch amplitude estimator for `of`; call `dispose()` when done. */
export async function ofBatch(of: OptimumFilter): Promise<OfBatch> {
  const conv = new RealConvolver(await loadPffft(), of.recordLength, of.transfer);
  const kernel = ofPeakKernel(of);
  const n = of.recordLength;
  return {
    amplitude(record, options = {}) {
      // Other element types are rounded by prepareRecord in float64 first: not the kernel's input.
      if (record instanceof Float32Array && record.length === n) kernel.prepare(record, conv.input());
      else prepareRecord(of, record, conv.input());
      const y = conv.run();
      const [lo, hi] = options.search ?? of.search;
      const a = Math.max(0, lo), b = Math.min(n, hi);
      const i = b - a > 1 ? kernel.argmax(y, a, b) : argmax(y, a, b);
      return {amplitude_V: y[i], index: i, time_ms: ((i - of.peakIndex) / of.sampleFrequency_Hz) * 1000};
    },
    dispose() {
      conv.dispose();
      kernel.dispose();
    }
  };
}
