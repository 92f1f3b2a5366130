// IOR and IOS (lib/ml/eval/simEval.ts) for the boosted trees: the same simulated clean pulses and
// pile-ups the networks are scored on, but the trees see the feature-table columns computed
// from the full-length raw records (lib/dsp/features.ts), as they do in a real analysis.
import {computeFeatures} from "../../dsp/features.js";
import type {DetectorPreset} from "../../sim/presets.js";
import type {RecordLayout} from "../../types.js";
import {featureMatrix} from "../trees/treeData.js";
import {predictProba, type TreeEnsemble} from "../trees/trees.js";
import {evaluateOnSimulation, type SimulationEvaluation} from "./simEval.js";

/** Records per feature computation: bounds the chunk copied into computeFeatures. */
const BLOCK = 256;

/**
 * Probabilities of the trees for one-channel raw records (n × layout.recordLength): the
 * records' feature columns, then the ensemble.
 */
export function predictTreesOnRecords(model: TreeEnsemble, raw: Float32Array, layout: RecordLayout): Float64Array {
  const L = layout.recordLength;
  const n = raw.length / L;
  if (!Number.isInteger(n)) throw new RangeError(`${raw.length} samples are not a whole number of ${L}-sample records`);
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += BLOCK) {
    const count = Math.min(BLOCK, n - start);
    const chunk = {group: "events" as const, start, count, nChannels: 1, recordLength: L, samples: raw.subarray(start * L, (start + count) * L), hours: new Float64Array(count)};
    const f = computeFeatures(chunk, layout) as unknown as {[name: string]: ArrayLike<number>};
    out.set(predictProba(model, featureMatrix(f, model.features)), start);
  }
  return out;
}

/** IOR and IOS of the trees on the probes evaluateOnSimulation draws for (presets, count, seed). */
export function evaluateTreesOnSimulation(model: TreeEnsemble, presets: DetectorPreset[], count: number, seed: number): Promise<SimulationEvaluation> {
  return evaluateOnSimulation(async (_x, probe, preset) => predictTreesOnRecords(model, probe.raw!, preset.layout), presets, count, seed, {keepRaw: true});
}
