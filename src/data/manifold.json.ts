// PCA data manifold of the demo run's events (records downsampled to 512 samples, min-max
// scaled, channels concatenated; lib/ml/manifold.ts), with each event's true labels and whether
// it passes the demo cuts (src/cuts), for the manifold page; and a UMAP embedding of the first
// 20 principal-component scores as the nonlinear alternative.
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {ensureDemoFile} from "../../data-loaders/demo.js";
import {writeFeatures} from "../../data-loaders/features.js";
import {applyCuts, readCutDir} from "../../data-loaders/cuts.js";
import {fileManifold} from "../../data-loaders/manifold.js";
import {umapEmbedding} from "../../lib/ml/embedding.js";

const demo = await ensureDemoFile();
const K = 20; // principal components kept; UMAP runs on their scores
const m = await fileManifold(demo, {samples: 512, components: K});
const dir = mkdtempSync(join(tmpdir(), "pulsebook-manifold-"));
let passes: number[];
try {
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
  components: [0, 1].map((c) => Array.from(m.components.subarray(c * dim, (c + 1) * dim), round))
}));
