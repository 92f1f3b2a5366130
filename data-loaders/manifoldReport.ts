// The manifold page's data: PCA data manifold of the run's events (data-loaders/run.ts: the
// demo's when no run is configured, the first MANIFOLD_MAX_EVENTS of a bigger run; records downsampled to
// 512 samples, min-max scaled, channels concatenated; lib/ml/manifold/manifold.ts), with each event's
// true labels and whether it passes the demo cuts, the pretrained CNN's probability of every
// record (models/cnn, `pulsebook classify`), and a UMAP embedding of the first 20
// principal-component scores as the nonlinear alternative.
// TensorFlow.js must be registered (data-loaders/tfjs/registerTfjsEsm.mjs) before this module is imported.
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {activeRun, ensureRunEventsAtMost, ensureRunFeatures} from "./run.js";
import {applyCuts, readCutDir} from "./cuts.js";
import {fileManifold} from "./manifold.js";
import {classifyCommand, DEFAULT_MODEL_DIR} from "./ml.js";
import {readParquet} from "./io/parquet.js";
import {umapEmbedding} from "../lib/ml/manifold/embedding.js";

/** Events of a run the manifold page projects (the first ones of a bigger run). */
export const MANIFOLD_MAX_EVENTS = 5000;

/** The report for the cuts in `cutsDir` (src/cuts); `command` is stamped on the predictions. */
export async function manifoldReport(cutsDir: string, command: string): Promise<object> {
  const active = activeRun();
  // Memory is events × channels × 512 × 8 B and UMAP grows faster: a big run shows its first events.
  const demo = await ensureRunEventsAtMost(MANIFOLD_MAX_EVENTS, "the manifold page", active);
  const model = active.kind === "run" && active.run.model ? active.run.model : DEFAULT_MODEL_DIR;
  const K = 20; // principal components kept; UMAP runs on their scores
  const m = await fileManifold(demo, {samples: 512, components: K});
  const dir = mkdtempSync(join(tmpdir(), "pulsebook-manifold-"));
  let passes: number[];
  let prediction: number[][];
  try {
    // The CNN on every record, exactly as `pulsebook classify demo.h5 --out …` does it.
    const predictions = join(dir, "predictions.parquet");
    await classifyCommand(demo, model, predictions, {command});
    const t = readParquet(new Uint8Array(readFileSync(predictions)), "predictions.parquet");
    const [ev, ch, p] = ["event", "channel", "probability"].map((c) => t.getChild(c)!.toArray() as ArrayLike<number>);
    const probability = new Map<string, number>();
    for (let r = 0; r < ev.length; r++) probability.set(`${ev[r]}:${ch[r]}`, Math.round(Number(p[r]) * 1e4) / 1e4);
    prediction = Array.from({length: m.nChannels}, (_, c) => Array.from(m.events, (e) => probability.get(`${e}:${c}`) ?? NaN));

    const cuts = readCutDir(cutsDir).map((c) => c.cut);
    const report = await applyCuts(new Uint8Array(readFileSync(await ensureRunFeatures(active))), cuts, "features.parquet");
    const at = new Map(Array.from(report.events, (e, i) => [e, i]));
    passes = Array.from(m.events, (e) => (report.passes.every((p) => p[at.get(e)!]) ? 1 : 0));
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
  const n = m.events.length;
  const umap = umapEmbedding(m.scores, n, K, {seed: 20261123, nNeighbors: 15, minDist: 0.1});
  const dim = m.nChannels * m.samples;
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    method: "PCA of records downsampled to 512 samples, min-max scaled, channels concatenated",
    samples: m.samples,
    nChannels: m.nChannels,
    explained: m.explained.slice(0, 2),
    explainedByUmapInput: m.explained.reduce((a, b) => a + b, 0),
    umapInputComponents: K,
    events: Array.from(m.events),
    pc1: Array.from({length: n}, (_, i) => round(m.scores[i * K])),
    pc2: Array.from({length: n}, (_, i) => round(m.scores[i * K + 1])),
    umap1: Array.from({length: n}, (_, i) => round(umap[i * 2])),
    umap2: Array.from({length: n}, (_, i) => round(umap[i * 2 + 1])),
    labels: m.labels ? Array.from({length: m.nChannels}, (_, c) => Array.from(m.labels!.subarray(c * n, (c + 1) * n))) : null,
    passesCuts: passes,
    prediction,
    components: [0, 1].map((c) => Array.from(m.components.subarray(c * dim, (c + 1) * dim), round))
  };
}
