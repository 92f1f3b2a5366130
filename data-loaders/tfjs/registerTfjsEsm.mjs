// `node --import ./data-loaders/tfjs/registerTfjsEsm.mjs …`, or import it first: TensorFlow.js imported
// afterwards comes from its ESM build (see tfjsEsmHooks.mjs).
import {register} from "node:module";

register("./tfjsEsmHooks.mjs", import.meta.url);
