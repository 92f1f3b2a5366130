// Node module hooks: ES modules of installed packages (node_modules) are loaded as they are,
// past tsx. tsx rewrites every `import(` it finds in plain JavaScript too (for TypeScript
// resolution) and attaches a source map: on h5wasm's 4 MB module (its wasm inlined as base64)
// that took 3 s and 450 MB per process, longer than the feature pass of a 3,000-event file.
// Packages never import our TypeScript, so they need no rewriting. Registered by
// registerDependenciesAsIs.mjs after tsx, so that these hooks run before tsx's.
import {readFile} from "node:fs/promises";

export async function load(url, context, next) {
  if (context.format === "module" && url.startsWith("file://") && url.includes("/node_modules/") && !url.includes("?") && /\.m?js$/.test(url)) {
    return {format: "module", source: await readFile(new URL(url)), shortCircuit: true};
  }
  return next(url, context);
}
