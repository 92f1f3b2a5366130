#!/usr/bin/env node
// Drops Framework's cached loader outputs whose lineage changed (data-loaders/pipeline/loaderCache.ts),
// so that a code change in lib/ or data-loaders/ re-runs the loaders that use it.
// Usage: node scripts/refresh-loader-cache.mjs [--quiet]. Runs as part of `predev` / `prebuild`.
import {register} from "tsx/esm/api";

register();
const {refreshLoaderCache} = await import("../data-loaders/pipeline/loaderCache.ts");
const {dropped, loaders} = refreshLoaderCache();
if (!process.argv.includes("--quiet") || dropped.length) {
  console.log(`loader cache: ${loaders} loaders, ${dropped.length ? `re-run: ${dropped.join(", ")}` : "all current"}`);
}
