// PCA data manifold of the demo run's events (records downsampled to 512 samples, min-max
// scaled, channels concatenated; lib/ml/manifold/manifold.ts), with each event's true labels and whether
// it passes the demo cuts (src/cuts), for the manifold page; and a UMAP embedding of the first
// 20 principal-component scores as the nonlinear alternative.
// The pretrained CNN's probability of every record (models/cnn, `pulsebook classify`) colours
// the manifold by prediction.
export {};
// TensorFlow.js from its ESM build: register the hooks before anything imports it.
await import("../../lib/ml/registerTfjsEsm.mjs");
const {mkdtempSync, readFileSync, rmSync} = await import("node:fs");
const {tmpdir} = await import("node:os");
const {join} = await import("node:path");
const {fileURLToPath} = await import("node:url");
const {ensureDemoFile} = await import("../../data-loaders/demo.js");
const {writeFeatures} = await import("../../data-loaders/features.js");
const {applyCuts, readCutDir} = await import("../../data-loaders/cuts.js");
const {fileManifold} = await import("../../data-loaders/manifold.js");
const {classifyCommand, DEFAULT_MODEL_DIR} = await import("../../data-loaders/ml.js");
const {readParquet} = await import("../../lib/io/parquet.js");
const {umapEmbedding} = await import("../../lib/ml/manifold/embedding.js");

const demo = await ensureDemoFile();
const K = 20; // principal components kept; UMAP runs on their scores
const m = await fileManifold(demo, {samples: 512, components: K});
const dir = mkdtempSync(join(tmpdir(), "pulsebook-manifold-"));
let passes: number[];
let prediction: number[][];
try {
  // The CNN on every record, exactly as `pulsebook classify demo.h5 --out …` does it.
  const predictions = join(dir, "predictions.parquet");
  await classifyCommand(demo, DEFAULT_MODEL_DIR, predictions, {command: "src/data/manifold.json.ts"});
  const t = readParquet(new Uint8Array(readFileSync(predictions)), "predictions.parquet");
  const [ev, ch, p] = ["event", "channel", "probability"].map((c) => t.getChild(c)!.toArray() as ArrayLike<number>);
  const probability = new Map<string, number>();
  for (let r = 0; r < ev.length; r++) probability.set(`${ev[r]}:${ch[r]}`, Math.round(Number(p[r]) * 1e4) / 1e4);
  prediction = Array.from({length: m.nChannels}, (_, c) => Array.from(m.events, (e) => probability.get(`${e}:${c}`) ?? NaN));

  const out = join(dir, "features.parquet");
  await writeFeatures(demo, out, {command: "src/data/manifold.json.ts"});
  const cuts = readCutDir(fileURLToPath(new URL("../cuts/", import.meta.url))).map((c) => c.cut);
  const report = await applyCuts(new Uint8Array(readFileSync(out)), cuts, "features.parquet");
  const at = new Map(Array.from(report.events, (e, i) => [e, i]));
  passes = Array.from(m.events, (e) => (report.passes.every((p) => p[at.get(e)!]) ? 1 : 0));
} finally {
  rmSync(dir, {recursive: true, force: true});
}
const n = m.events.length;
const umap = umapEmbedding(m.scores, n, K, {seed: 20261123, nNeighbors: 15, minDist: 0.1});
const dim = m.nChannels * m.samples;
const round = (x: number) => Math.round(x * 1e6) / 1e6;
process.stdout.write(JSON.stringify({
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
}));
