#!/usr/bin/env node
// The `pulsebook` command. The library is TypeScript. The CLI runs it precompiled: each source
// file transpiled by esbuild into a cache keyed by the hash of all sources, rebuilt when any
// changes (data-loaders/hooks/compiledSources.mjs), so the CLI, the data loaders and the tests
// still run the very same source, without tsx's loader thread and on-the-fly compiling in every
// process. Where that cannot be (no esbuild, a read-only tree, PULSEBOOK_TSX=1), tsx compiles on
// the fly, with installed packages loaded as they are, past tsx
// (data-loaders/hooks/dependenciesAsIs.mjs). TensorFlow.js's module hooks are registered only by
// the commands that use it (data-loaders/cli/commands.ts, `withTfjs`).
import {COMPILED_ENV, compiledSources} from "../data-loaders/hooks/compiledSources.mjs";
import {importSource} from "../data-loaders/hooks/importSource.mjs";

// Worker threads start from the tree named here, as this thread does (hooks/importSource.mjs);
// one inherited from a parent command is dropped where this one runs through tsx.
const compiled = await compiledSources();
if (compiled) process.env[COMPILED_ENV] = compiled;
else delete process.env[COMPILED_ENV];
const {main} = await importSource("data-loaders/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
