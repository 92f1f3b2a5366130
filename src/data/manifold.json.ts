// PCA data manifold of the run's events (the demo's when no run is configured) with labels, cut decisions, CNN probabilities and a
// UMAP embedding, for the manifold page (data-loaders/manifoldReport.ts).
// pulsebook-depends: src/cuts models/cnn @run
export {};
// TensorFlow.js from its ESM build: register the hooks before anything imports it.
await import("../../data-loaders/tfjs/registerTfjsEsm.mjs");
const {fileURLToPath} = await import("node:url");
const {manifoldReport} = await import("../../data-loaders/manifoldReport.js");

process.stdout.write(JSON.stringify(await manifoldReport(fileURLToPath(new URL("../cuts/", import.meta.url)), "src/data/manifold.json.ts")));
