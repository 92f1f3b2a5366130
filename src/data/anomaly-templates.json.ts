// Template events for the anomaly-search report: 10,000 simulated ER and NR events each,
// scored by the committed models (models/anomaly/, made by `pulsebook train-anomaly`).
// pulsebook-depends: models/anomaly
export {};
// TensorFlow.js from its ESM build: register the hooks before anything imports it.
await import("../../data-loaders/tfjs/registerTfjsEsm.mjs");
const {scoreTemplates} = await import("../../data-loaders/anomaly.js");

process.stdout.write(JSON.stringify(await scoreTemplates({events: 10000})));
