// `node --import ./data-loaders/tfjs/registerTfjsEsm.mjs …`, or import it first: TensorFlow.js imported
// afterwards comes from its ESM build (see tfjsEsmHooks.mjs). Registers once per thread, however
// often it is imported (the CLI imports it lazily, a test runner may already have): hooks
// chained twice would prepend their preamble twice.
import {register} from "node:module";

const REGISTERED = Symbol.for("pulsebook.tfjsEsmHooks");
if (!globalThis[REGISTERED]) {
  globalThis[REGISTERED] = true;
  register("./tfjsEsmHooks.mjs", import.meta.url);
}
