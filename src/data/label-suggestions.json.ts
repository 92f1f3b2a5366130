// The labeling page's model section: the classifier's probability for every record of the run
// the site shows, and the active-learning curve (labels → held-out BA) of a small simulated loop
// (data-loaders/labelSuggestions.ts).
// pulsebook-depends: models/cnn-full @run
export {};
// TensorFlow.js from its ESM build: register the hooks before anything imports it.
await import("../../data-loaders/tfjs/registerTfjsEsm.mjs");
const {labelSuggestions} = await import("../../data-loaders/labelSuggestions.js");

process.stdout.write(JSON.stringify(await labelSuggestions("src/data/label-suggestions.json.ts")));
