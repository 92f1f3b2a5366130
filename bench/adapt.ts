// The target measurement of issue 19 part 3: does the shipped CNN, fine-tuned on a few hundred
// labels chosen by active learning, reach recall ≥ 0.98 at balanced accuracy ≥ 0.95 on a
// detector outside its training family? Detectors: lib/ml/data/shiftedDetectors.ts (fast light
// channel). Per detector: a pool of labelled records (the user's run; labels revealed only when
// chosen) and held-out records of the same detector (another simulation seed). The loop
// (lib/ml/active/adaptation.ts): choose records up to 25, 50, 100, 150, 200 labels, fine-tune the
// shipped model on them, measure. Uncertainty sampling (margin, 25 % random share) against
// random choice. Intervals: Clopper–Pearson 95 % on recall and selectivity of the test records
// pooled over the detectors; the BA interval is the mean of those bounds. Figures depend on
// machine load only in their timings. Writes bench/results/adapt.json.
//   npm run bench -- --only adapt        (or: tsx --import data-loaders/tfjs/registerTfjsEsm.mjs bench/adapt.ts [--detectors N])
// --channels 1: the fine-tuned model serves the light channel only, the shipped one the phonon
// channel, as `train --init … --channels 1` and classify do (written to --out, e.g. adapt-channels.json).
// --detector-list 2,1: those modules only.
import {mkdirSync, writeFileSync} from "node:fs";
import {execFileSync} from "node:child_process";
import {cpus, loadavg} from "node:os";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";
import {selectBackend, backendInfo} from "../lib/ml/nets/backend.js";
import {tf} from "../lib/ml/nets/tf.js";
import {simulateLabeledSet} from "../lib/ml/data/simDetectors.js";
import {fastLightDetectorPreset, FAST_LIGHT_DECAY_MS} from "../lib/ml/data/shiftedDetectors.js";
import {adaptationCurve, type AdaptationCurvePoint} from "../lib/ml/active/adaptation.js";
import {FINE_TUNE, familyReplaySet} from "../lib/ml/nets/fineTune.js";
import {clopperPearson} from "../lib/stats/binomialInterval.js";
import {loadModelDir, DEFAULT_MODEL_DIR} from "../data-loaders/ml.js";

const {values} = parseArgs({options: {
  detectors: {type: "string", default: "4"}, pool: {type: "string", default: "800"}, test: {type: "string", default: "1500"},
  schedule: {type: "string", default: "0,25,50,100,150,200"}, replay: {type: "string", default: String(FINE_TUNE.replay)}, strategies: {type: "string", default: "uncertainty,random"},
  channels: {type: "string"}, "detector-list": {type: "string"}, out: {type: "string", default: "adapt.json"}
}});
const D = Number(values.detectors), schedule = values.schedule.split(",").map(Number), replay = Number(values.replay);
const strategies = values.strategies.split(",") as ("uncertainty" | "random")[];
// --channels 1: the fine-tuned model serves the light channel only, the shipped one the phonon (train --init --channels).
const channels = values.channels ? values.channels.split(",").map(Number) : undefined;
const detectorList = values["detector-list"] ? values["detector-list"].split(",").map(Number) : Array.from({length: D}, (_, i) => i + 1);
const uptime = () => execFileSync("uptime", {encoding: "utf8"}).trim();
const loadBefore = uptime();
const t0 = performance.now();

await selectBackend(["wasm"]);
const {model, manifest} = await loadModelDir(DEFAULT_MODEL_DIR);
const init = model.getWeights().map((t) => tf.clone(t));
// Replay records: three modules of the training family, as `train --init` mixes them in.
const replaySet = familyReplaySet();

const perDetector: {[k: string]: unknown}[] = [];
const curves: {[strategy: string]: AdaptationCurvePoint[][]} = {};
for (const d of detectorList) {
  const preset = fastLightDetectorPreset(d);
  const pool = simulateLabeledSet(preset, {events: Number(values.pool), seed: 10 * d + 1, detectorBase: 0});
  const test = simulateLabeledSet(preset, {events: Number(values.test), seed: 10 * d + 2, detectorBase: 0});
  const entry: {[k: string]: unknown} = {detector: preset.name, recordLength: preset.layout.recordLength, lightPulse: preset.channels[1].pulse, poolRecords: pool.y.length, testRecords: test.y.length};
  for (const strategy of strategies) {
    const s0 = performance.now();
    const curve = await adaptationCurve(model, init, pool, test, {schedule, strategy, explore: 0.25, seed: d, replay, replaySet, channels});
    (curves[strategy] ??= []).push(curve);
    entry[strategy] = {curve, seconds: (performance.now() - s0) / 1000};
    console.error(`${preset.name} ${strategy}: ${curve.map((p) => `${p.labels}: BA ${p.balancedAccuracy.toFixed(3)} R ${p.recall.toFixed(3)} light R ${p.lightRecall.toFixed(3)}`).join(" | ")}`);
  }
  perDetector.push(entry);
}

/** Test records of all detectors pooled, per point of the schedule, with 95 % intervals. */
function pooled(cs: AdaptationCurvePoint[][]) {
  return schedule.map((_, k) => {
    const c = cs.reduce((a, curve) => ({tp: a.tp + curve[k].tp, fn: a.fn + curve[k].fn, tn: a.tn + curve[k].tn, fp: a.fp + curve[k].fp}), {tp: 0, fn: 0, tn: 0, fp: 0});
    const r = clopperPearson(c.tp, c.tp + c.fn, 0.95), s = clopperPearson(c.tn, c.tn + c.fp, 0.95);
    const recall = c.tp / (c.tp + c.fn), selectivity = c.tn / (c.tn + c.fp);
    const bas = cs.map((curve) => curve[k].balancedAccuracy).sort((a, b) => a - b);
    const recalls = cs.map((curve) => curve[k].recall);
    return {
      labels: cs[0][k].labels, ...c,
      recall, recall95: [r.lower, r.upper], selectivity, selectivity95: [s.lower, s.upper],
      balancedAccuracy: (recall + selectivity) / 2, balancedAccuracy95: [(r.lower + s.lower) / 2, (r.upper + s.upper) / 2],
      balancedAccuracyPerDetector: {min: bas[0], max: bas.at(-1)},
      detectorsMeetingTarget: cs.filter((curve) => curve[k].recall >= 0.98 && curve[k].balancedAccuracy >= 0.95).length,
      minRecallPerDetector: Math.min(...recalls),
      lightRecallMean: cs.reduce((a, curve) => a + curve[k].lightRecall, 0) / cs.length
    };
  });
}

const summary = Object.fromEntries(strategies.map((s) => {
  const points = pooled(curves[s]);
  const met = points.find((p) => p.recall >= 0.98 && p.balancedAccuracy >= 0.95);
  return [s, {points, targetMetAtLabels: met ? met.labels : null}];
}));
const out = {
  date: new Date().toISOString(), machine: {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version}, backend: backendInfo(),
  loadBefore, loadAfter: uptime(), loadavg: loadavg(), seconds: (performance.now() - t0) / 1000,
  target: "recall ≥ 0.98 at balanced accuracy ≥ 0.95 (cutoff 0.5) after ≤ 200 labels, on the held-out records of detectors outside the training family",
  setup: {
    model: {dir: "models/cnn-full", weightsSha256: manifest.weightsSha256},
    channels: channels ? `the fine-tuned model serves channel(s) ${channels.join(",")} (1 = light), the shipped model the others` : "the fine-tuned model serves every channel",
    detectors: `${detectorList.join(",")}: fastLightDetectorPreset modules (light decay ${FAST_LIGHT_DECAY_MS.join("–")} ms; family ≥ 3 ms, carrier events 0.6–2 ms; decaying tails starting 1 to 1 + 3 light decays before the window, so the light channel shows them)`,
    poolEvents: Number(values.pool), testEvents: Number(values.test), minSnr: 5, schedule,
    fineTune: {...FINE_TUNE, restart: "from the shipped weights at every point", validation: "the labelled records (best epoch)", replay: `${replay} × labels records of 3 training-family modules`},
    activeLearning: {uncertainty: "margin 1 − |2p − 1| (same order as least confidence and entropy for two classes)", explore: 0.25}
  },
  summary, perDetector
};
const dir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(dir, {recursive: true});
writeFileSync(dir + values.out, JSON.stringify(out, null, 1) + "\n");
for (const s of strategies) {
  console.error(`${s}: ${summary[s].points.map((p) => `${p.labels}: BA ${p.balancedAccuracy.toFixed(3)} [${p.balancedAccuracy95.map((x) => x.toFixed(3)).join(", ")}] R ${p.recall.toFixed(3)} [${p.recall95.map((x) => x.toFixed(3)).join(", ")}]`).join(" | ")}; target met at ${summary[s].targetMetAtLabels ?? "no point"}`);
}
console.error(`wrote bench/results/${values.out} in ${out.seconds.toFixed(0)} s (${out.loadAfter})`);
