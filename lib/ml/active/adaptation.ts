// How fast a trained classifier adapts to a detector outside its training family: the
// active-learning loop (lib/ml/active/activeLearning.ts) run on a simulated detector whose labels are
// known, each round fine-tuning from the starting weights on all labels so far
// (lib/ml/nets/fineTune.ts), measured on held-out records of the same detector. Used by
// bench/adapt.ts (the full measurement) and its seeded small version in the tests.
import {tf, type tfl} from "../nets/tf.js";
import {predictRecords} from "../nets/models.js";
import {fineTune, replaySample, type FineTuneOptions} from "../nets/fineTune.js";
import {concatSets, subset, type LabeledSet} from "../data/dataset.js";
import {simulateLoop, type CurvePoint, type LoopOptions} from "./activeLearning.js";
import {classifierMetrics} from "../eval/metrics.js";

export interface AdaptationOptions extends LoopOptions {
  fineTune?: FineTuneOptions;
  /**
   * Records of the training family mixed into each fine-tuning set, as many as `replay` × the
   * labels (0: none). They keep the model from forgetting what the few labels do not show.
   */
  replay?: number;
  replaySet?: LabeledSet;
  /**
   * The channels the fine-tuned model serves (detector % 2: 0 phonon, 1 light); records of the
   * other channels keep the starting model's probabilities, as `train --init --channels` and
   * `classify` do. Omitted: every channel.
   */
  channels?: number[];
}

export interface AdaptationCurvePoint extends CurvePoint {
  /** The light channel's (detector 1) recall on the test records, the figure the shift hurts. */
  lightRecall: number;
}

/**
 * Runs the loop with `model`, restoring `initWeights` before every fine-tuning and before the
 * first measurement, so each point is "the starting model fine-tuned on that many labels".
 * `pool` and `test` hold records of one module, detector 0 the phonon and 1 the light channel.
 */
export async function adaptationCurve(model: tfl.LayersModel, initWeights: tf.Tensor[], pool: LabeledSet, test: LabeledSet, o: AdaptationOptions): Promise<AdaptationCurvePoint[]> {
  model.setWeights(initWeights);
  const lightTest = [...test.detector.keys()].filter((i) => test.detector[i] % 2 === 1);
  const lightY = lightTest.map((i) => test.y[i]);
  const lightRecalls: number[] = [];
  // The starting model's probabilities, for the records of channels the fine-tuned model does not serve.
  const parent = o.channels ? {pool: await predictRecords(model, pool.x), test: await predictRecords(model, test.x)} : null;
  const served = (set: LabeledSet, i: number) => o.channels!.includes(set.detector[i] % 2);
  let tuned = false;
  const curve = await simulateLoop(pool.y, test.y, {
    predict: async (which) => {
      const set = which === "pool" ? pool : test;
      const prob = parent && !tuned ? Float32Array.from(parent[which]) : await predictRecords(model, set.x);
      if (parent && tuned) for (let i = 0; i < prob.length; i++) if (!served(set, i)) prob[i] = parent[which][i];
      if (which === "test") lightRecalls.push(classifierMetrics(lightTest.map((i) => prob[i]), lightY).recall);
      return prob;
    },
    fineTune: async (indices) => {
      model.setWeights(initWeights);
      const own = subset(pool, indices);
      const r = o.replaySet && o.replay ? replaySample(o.replaySet, Math.round(o.replay * indices.length)) : null;
      // The best epoch is chosen on the user's labels alone (there is nothing else to choose on).
      await fineTune(model, r ? concatSets([own, r]) : own, own, {...o.fineTune, seed: o.fineTune?.seed ?? o.seed});
      tuned = true;
    }
  }, o);
  return curve.map((p, k) => ({...p, lightRecall: lightRecalls[k]}));
}

export {replaySample};
