#!/usr/bin/env node
// The `pulsebook` command. The library is TypeScript. The CLI runs it precompiled: each source
// file transpiled by esbuild into a cache keyed by the hash of all sources, rebuilt when any
// changes (data-loaders/hooks/compiledSources.mjs), so the CLI, the data loaders and the tests
// still run the very same source, without tsx's loader thread and on-the-fly compiling in every
// process. Where that cannot be (no esbuild, a read-only tree, PULSEBOOK_TSX=1), tsx compiles on
// the fly, with installed packages loaded as they are, past tsx
// (data-loaders/hooks/dependenciesAsIs.mjs). TensorFlow.js's module hooks are registered only by
// the commands that use it (data-loaders/cli/commands.ts, `withTfjs`).
import {COMPILED_ENV, compiledSources, compiledUrl} from "../data-loaders/hooks/compiledSources.mjs";

const compiled = await compiledSources();
let entry;
if (compiled) {
  // Worker threads (the feature pool) start from the same compiled tree.
  process.env[COMPILED_ENV] = compiled;
  entry = compiledUrl(compiled, "data-loaders/cli/main.ts");
} else {
  delete process.env[COMPILED_ENV]; // one inherited from a parent command would send the workers there
  const {register} = await import("tsx/esm/api");
  register();
  await import("../data-loaders/hooks/registerDependenciesAsIs.mjs");
  entry = "../data-loaders/cli/main.ts";
}
const {main} = await import(entry);
process.exitCode = await main(process.argv.slice(2));
