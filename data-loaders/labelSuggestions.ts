// Data of the labeling page's model section: the classifier's probability for every record of
// the run (so the page can offer the records it is least sure of first), and the curve of
// held-out accuracy against the number of labels from a small run of the active-learning loop
// on a simulated detector outside the training family (bench/adapt.ts is the full measurement).
// TensorFlow.js must be registered (data-loaders/tfjs/registerTfjsEsm.mjs) before this module is imported.
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {basename, join} from "node:path";
import {activeRun, ensureRunInput} from "./run.js";
import {classifyCommand, DEFAULT_MODEL_DIR, loadModelDir} from "./ml.js";
import {readParquet} from "./io/parquet.js";
import {tf} from "../lib/ml/nets/tf.js";
import {selectBackend} from "../lib/ml/nets/backend.js";
import {simulateLabeledSet} from "../lib/ml/data/simDetectors.js";
import {fastLightDetectorPreset} from "../lib/ml/data/shiftedDetectors.js";
import {adaptationCurve} from "../lib/ml/active/adaptation.js";
import {FINE_TUNE, familyReplaySet} from "../lib/ml/nets/fineTune.js";

/** The loop the page shows: one fast-light detector, labels up to 200 (small enough for a site build). */
export const PAGE_LOOP = {detectorSeed: 1, poolEvents: 300, testEvents: 500, schedule: [0, 25, 50, 100, 200], explore: 0.25} as const;

export async function labelSuggestions(command: string): Promise<object> {
  const active = activeRun();
  const input = await ensureRunInput(active);
  const modelDir = active.kind === "run" && active.run.model ? active.run.model : DEFAULT_MODEL_DIR;
  const dir = mkdtempSync(join(tmpdir(), "pulsebook-suggestions-"));
  let records: {event: number[]; channel: number[]; probability: number[]};
  try {
    const predictions = join(dir, "predictions.parquet");
    await classifyCommand(input, modelDir, predictions, {command, backend: ["wasm", "cpu"]});
    const t = readParquet(new Uint8Array(readFileSync(predictions)), "predictions.parquet");
    const [event, channel, p] = ["event", "channel", "probability"].map((c) => Array.from(t.getChild(c)!.toArray() as ArrayLike<number>, Number));
    records = {event, channel, probability: p.map((x) => Math.round(x * 1e4) / 1e4)};
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }

  await selectBackend(["wasm", "cpu"]);
  const {model, manifest} = await loadModelDir(modelDir);
  const init = model.getWeights().map((w) => tf.clone(w));
  const preset = fastLightDetectorPreset(PAGE_LOOP.detectorSeed);
  const pool = simulateLabeledSet(preset, {events: PAGE_LOOP.poolEvents, seed: 11, detectorBase: 0});
  const test = simulateLabeledSet(preset, {events: PAGE_LOOP.testEvents, seed: 12, detectorBase: 0});
  // Fine-tuned as `train --init` does it, training-family records mixed in.
  const curve = await adaptationCurve(model, init, pool, test, {schedule: [...PAGE_LOOP.schedule], strategy: "uncertainty", explore: PAGE_LOOP.explore, seed: 1, replay: FINE_TUNE.replay, replaySet: familyReplaySet()});
  tf.dispose(init);
  model.dispose();
  return {
    model: {name: basename(modelDir), weightsSha256: manifest.weightsSha256},
    records,
    loop: {
      detector: preset.name, lightDecay_ms: preset.channels[1].pulse.tauN_ms, poolRecords: pool.y.length, testRecords: test.y.length,
      uncertainty: "margin 1 − |2p − 1|, 25 % of each batch drawn at random", fineTune: FINE_TUNE, curve
    }
  };
}
