// The data-cleaning report's numbers (data-loaders/dataCleaning.ts): the pretrained networks'
// manifests and a pulse-height spectrum of a held-out simulated run — raw, classical cuts, the
// networks, the boosted trees with SHAP values, and the simulation's true labels.
// pulsebook-depends: models
export {};
// TensorFlow.js from its ESM build: register the hooks before anything imports it.
await import("../../data-loaders/tfjs/registerTfjsEsm.mjs");
const {dataCleaningReport} = await import("../../data-loaders/dataCleaning.js");

process.stdout.write(JSON.stringify(await dataCleaningReport()));
