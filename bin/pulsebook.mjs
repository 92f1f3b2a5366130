#!/usr/bin/env node
// The `pulsebook` command. The library is TypeScript; tsx compiles it on the fly so that the
// CLI, the data loaders and the tests all run the very same source.
import {register} from "tsx/esm/api";

register();
// TensorFlow.js (train, classify) from its ESM build, as the page gets it.
await import("../data-loaders/tfjs/registerTfjsEsm.mjs");
const {main} = await import("../data-loaders/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
