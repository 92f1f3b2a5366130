// The data-cleaning report's numbers: the pretrained CNN's manifest (training history,
// held-out metrics, IOR/IOS curves, backend) and a pulse-height spectrum of a held-out
// simulated run (CRESST-like module, a seed never used in training): raw, classical cuts,
// the model, and the simulation's true labels.
export {};
// TensorFlow.js from its ESM build: register the hooks before anything imports it.
await import("../../lib/ml/registerTfjsEsm.mjs");
const {CRESST_LIKE, simulateChunk} = await import("../../lib/sim/index.js");
const {computeFeatures} = await import("../../lib/dsp/features.js");
const {preprocessChunk} = await import("../../lib/ml/preprocess.js");
const {binaryTarget} = await import("../../lib/ml/labels.js");
const {classicalCuts} = await import("../../lib/ml/classicalCuts.js");
const {predictRecords} = await import("../../lib/ml/models.js");
const {selectBackend, backendInfo} = await import("../../lib/ml/backend.js");
const {loadModelDir, DEFAULT_MODEL_DIR} = await import("../../data-loaders/ml.js");

const EVENTS = 2000;
const SEED = 777_001;
await selectBackend(["wasm", "cpu"]);
const {model, manifest} = await loadModelDir(DEFAULT_MODEL_DIR);
const rows: {channel: number; ph_V: number; truth: number; cut: number; prob: number; label: number}[] = [];
for (let start = 0; start < EVENTS; start += 250) {
  const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start, count: 250, seed: SEED});
  const f = computeFeatures(chunk, CRESST_LIKE.layout);
  const cut = classicalCuts(f as never);
  const prob = await predictRecords(model, preprocessChunk(chunk));
  // Feature rows are event-major (event, channel); records are channel-major.
  for (let r = 0; r < f.event.length; r++) {
    const c = f.channel[r], i = f.event[r] - chunk.start;
    const label = chunk.labels![c * chunk.count + i];
    rows.push({channel: c, ph_V: +f.pulse_height_V[r].toFixed(5), truth: binaryTarget(label), cut: cut[r], prob: +prob[c * chunk.count + i].toFixed(4), label});
  }
}
const {weightSpecs: _w, topology: _t, ...about} = manifest;
process.stdout.write(JSON.stringify({model: about, spectrum: {events: EVENTS, seed: SEED, preset: CRESST_LIKE.name, backend: backendInfo(), rows}}));
