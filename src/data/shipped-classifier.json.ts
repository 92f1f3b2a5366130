// The shipped cnn-full (models/cnn-full) for the training page to fine-tune: its manifest and
// weights (base64), read and checked as `pulsebook classify` reads them (data-loaders/ml.ts).
// pulsebook-depends: models/cnn-full
export {};
// data-loaders/ml.ts loads TensorFlow.js: register the ESM hooks before importing it.
await import("../../data-loaders/tfjs/registerTfjsEsm.mjs");
const {readModelDir, SHIPPED_MODEL_DIRS} = await import("../../data-loaders/ml.js");

const {manifest, weights} = readModelDir(SHIPPED_MODEL_DIRS["cnn-full"]);
process.stdout.write(JSON.stringify({dir: "models/cnn-full", manifest, weightsBase64: Buffer.from(weights).toString("base64")}));
