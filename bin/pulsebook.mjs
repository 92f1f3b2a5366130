#!/usr/bin/env node
// The `pulsebook` command. The library is TypeScript; tsx compiles it on the fly so that the
// CLI, the data loaders and the tests all run the very same source. Installed packages load as
// they are, past tsx (data-loaders/hooks/dependenciesAsIs.mjs: h5wasm through tsx alone cost
// 3 s per run). TensorFlow.js's module hooks are registered only by the commands that use it
// (data-loaders/cli/commands.ts, `withTfjs`).
import {register} from "tsx/esm/api";

register();
await import("../data-loaders/hooks/registerDependenciesAsIs.mjs");
const {main} = await import("../data-loaders/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
