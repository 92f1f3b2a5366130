// Imports one of our TypeScript modules the way the CLI runs them (bin/pulsebook.mjs, its worker threads):
// from the compiled tree the CLI started from (PULSEBOOK_COMPILED_DIR, see compiledSources.mjs),
// else through tsx with installed packages as they are (dependenciesAsIs.mjs). With `tfjs`,
// TensorFlow.js's ESM hooks are registered last, so that they run first, as `withTfjs` does in
// the main thread.
import {COMPILED_ENV, compiledUrl} from "./compiledSources.mjs";

/** Imports `rel` (a source path such as data-loaders/featureWorker.ts) as the CLI runs it. */
export async function importSource(rel, {tfjs = false} = {}) {
  const compiled = process.env[COMPILED_ENV];
  if (!compiled) {
    const {register} = await import("tsx/esm/api");
    register();
    await import("./registerDependenciesAsIs.mjs");
  }
  if (tfjs) await import("../tfjs/registerTfjsEsm.mjs");
  return import(compiled ? compiledUrl(compiled, rel) : new URL(`../../${rel}`, import.meta.url).href);
}
