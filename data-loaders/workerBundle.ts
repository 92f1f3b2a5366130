// A Web Worker for the pages, bundled from a TypeScript entry (src/workers/) with esbuild into
// one self-contained classic script: no imports left to resolve, so `new Worker(url)` on the
// file Framework serves works the same in `observable preview` and in the built site, offline.
// esbuild is Framework's own bundler (installed with @observablehq/framework).

import {build} from "esbuild";
import {fileURLToPath} from "node:url";

/** The bundled worker script for `entry` (a path relative to the repository root). */
export async function bundleWorker(entry: string): Promise<string> {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "silent"
  }).catch((e: Error) => {
    throw new Error(`bundling the worker ${entry} failed: ${e.message}`);
  });
  return result.outputFiles[0].text;
}
