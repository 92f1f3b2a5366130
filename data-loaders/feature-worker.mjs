// Entry of a feature worker thread (see featurePool.ts): the compiled tree the CLI runs from
// when it runs precompiled (hooks/compiledSources.mjs), else TypeScript via tsx with installed
// packages as they are (hooks/dependenciesAsIs.mjs), as in the main thread; then the worker itself.
const compiled = process.env.PULSEBOOK_COMPILED_DIR;
if (compiled) {
  const {compiledUrl} = await import("./hooks/compiledSources.mjs");
  await import(compiledUrl(compiled, "data-loaders/featureWorker.ts"));
} else {
  const {register} = await import("tsx/esm/api");
  register();
  await import("./hooks/registerDependenciesAsIs.mjs");
  await import("./featureWorker.ts");
}
