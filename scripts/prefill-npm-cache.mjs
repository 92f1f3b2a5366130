#!/usr/bin/env node
// Fill Observable Framework's npm cache from node_modules, so that `observable build` and
// `observable preview` never reach cdn.jsdelivr.net or registry.npmjs.org.
//
// Framework resolves every `npm:<name>` import (including the implicit Plot, d3, htl, Inputs'
// dependencies, DuckDB-wasm, apache-arrow and parquet-wasm) to
// `<root>/.observablehq/cache/_npm/<name>@<version>/_esm.js`, the file jsDelivr serves as
// `/npm/<name>@<version>/+esm`; when that file is missing it downloads it, and when no version
// folder exists it asks the npm registry for one. This script writes each of those files from
// the installed package (esbuild bundle, shared dependencies kept external and rewritten to
// the sibling cache entry, as jsDelivr does), copies raw files (wasm, workers), and creates
// empty `<name>@0.0.0-offline` folders for libraries that Framework's client only references
// lazily, so that no version lookup happens. test/offline.test.ts builds the site with no network.
//
// Usage: node scripts/prefill-npm-cache.mjs [--root src] [--quiet]
// Runs as `prebuild` / `predev`; about 2–4 s.

import {createRequire} from "node:module";
import {existsSync, readdirSync, readFileSync} from "node:fs";
import {cp, mkdir, readdir, readFile, rm, writeFile} from "node:fs/promises";
import {dirname, join, posix, relative, resolve} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const argValue = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const root = resolve(projectRoot, argValue("--root", "src")); // Framework's config.root
const quiet = args.includes("--quiet");
const log = (...a) => quiet || console.log(...a);

/**
 * The packages pages may import as `npm:<name>` (directly or through Framework's client).
 * external: dependencies kept as separate cache modules (they are shared with other packages or
 * imported by pages themselves); files: raw files Framework copies next to the bundle.
 */
export const PACKAGES = {
  "d3": {},
  "d3-dsv": {}, // FileAttachment.csv()/tsv()
  "htl": {}, // html`…`, svg`…`, and Inputs (bundled by Framework) imports it
  "isoformat": {},
  "@observablehq/plot": {external: ["d3", "isoformat"]},
  "apache-arrow": {},
  "parquet-wasm": {files: ["esm/parquet_wasm_bg.wasm"]}, // FileAttachment.parquet()
  "h5wasm": {}, // the record viewer reads HDF5 in the page (wasm is inlined in the ESM build)
  "@duckdb/duckdb-wasm": {
    external: ["apache-arrow"],
    files: [
      "dist/duckdb-mvp.wasm",
      "dist/duckdb-eh.wasm",
      "dist/duckdb-browser-mvp.worker.js",
      "dist/duckdb-browser-eh.worker.js"
    ]
  },
  "fft.js": {}, // used by lib/dsp; lets pages use `npm:fft.js` as well as the bare import
  // ```tex blocks and tex`…` (Framework's stdlib tex.js imports npm:katex); the stylesheet and
  // its fonts are implicit downloads of any page that uses TeX.
  "katex": {files: ["dist/katex.min.css", ...katexFonts()]}
};

function katexFonts() {
  const dir = join(packageDir("katex"), "dist", "fonts");
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.(woff2?|ttf)$/.test(f)).sort().map((f) => `dist/fonts/${f}`) : [];
}

// Specifiers that Framework maps to its own client modules (resolvers.js `builtins`): never cached.
const FRAMEWORK_BUILTINS = new Set([
  "@observablehq/runtime", "@observablehq/stdlib", "@observablehq/dot", "@observablehq/duckdb",
  "@observablehq/inputs", "@observablehq/mermaid", "@observablehq/tex", "@observablehq/sqlite"
]);

/** The installed directory of a package, found without going through its `exports` map. */
function packageDir(name, from = projectRoot) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package not installed: ${name} (run npm ci)`);
  }
}
const packageJson = (name) => JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8"));
const versionOf = (name) => packageJson(name).version;

const frameworkDir = packageDir("@observablehq/framework");
const requireFromFramework = createRequire(join(frameworkDir, "package.json"));
const {build} = requireFromFramework("esbuild");
const {rewriteNpmImports} = await import(pathToFileURL(join(frameworkDir, "dist", "npm.js")).href);
const {DUCKDB_WASM_VERSION} = await import(pathToFileURL(join(frameworkDir, "dist", "duckdb.js")).href);

/** Every `npm:<name>` that Framework's client bundles may import (lazily or not). */
async function frameworkClientPackages() {
  const names = new Set();
  async function visit(dir) {
    for (const entry of await readdir(dir, {withFileTypes: true})) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (/\.(js|ts)$/.test(entry.name)) {
        for (const [, specifier] of (await readFile(path, "utf8")).matchAll(/["'`]npm:([^"'`]+)["'`]/g)) {
          const parts = specifier.split("/");
          names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
        }
      }
    }
  }
  await visit(join(frameworkDir, "dist", "client"));
  return names;
}

async function bundlePackage(cache, name, {external = [], files = []}) {
  const version = versionOf(name);
  const dir = join(cache, `${name}@${version}`);
  await mkdir(dir, {recursive: true});
  const result = await build({
    entryPoints: [name],
    absWorkingDir: projectRoot,
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    external: external.flatMap((e) => [e, `${e}/*`]),
    define: {"process.env.NODE_ENV": '"production"'},
    logLevel: "error"
  });
  const selfPath = posix.join("/_npm", `${name}@${version}`, "_esm.js");
  const resolutions = new Map(external.map((e) => [e, posix.join("/_npm", `${e}@${versionOf(e)}`, "_esm.js")]));
  const bare = new Set();
  const code = rewriteNpmImports(result.outputFiles[0].text, (specifier) => {
    const target = resolutions.get(specifier);
    if (target) return posix.relative(posix.dirname(selfPath), target).replace(/^(?!\.)/, "./");
    if (!/^(\.{0,2}\/|[a-z]+:)/.test(specifier)) bare.add(specifier);
    return specifier;
  });
  // A bare specifier left in the bundle would be requested as-is by the browser and fail.
  if (bare.size) throw new Error(`${name}: unresolved bare imports in bundle: ${[...bare].join(", ")}`);
  await writeFile(join(dir, "_esm.js"), code);
  for (const file of files) {
    await mkdir(dirname(join(dir, file)), {recursive: true});
    await cp(join(packageDir(name), file), join(dir, file));
  }
  return {name, version, kib: code.length / 1024, files: files.length};
}

const t0 = performance.now();
const cache = join(root, ".observablehq", "cache", "_npm");

const duckdbVersion = versionOf("@duckdb/duckdb-wasm");
if (duckdbVersion !== DUCKDB_WASM_VERSION) {
  throw new Error(`@duckdb/duckdb-wasm ${duckdbVersion} is installed but Framework pins ${DUCKDB_WASM_VERSION}; install exactly that version`);
}

// Version folders left by an earlier online run (or an empty one from a failed lookup) would be
// preferred by Framework's resolver; start from a clean _npm cache every time.
await rm(cache, {recursive: true, force: true});
await mkdir(cache, {recursive: true});

const placeholders = [...await frameworkClientPackages()].filter((n) => !(n in PACKAGES) && !FRAMEWORK_BUILTINS.has(n)).sort();
for (const name of placeholders) await mkdir(join(cache, `${name}@0.0.0-offline`), {recursive: true});

const results = await Promise.all(Object.entries(PACKAGES).map(([name, spec]) => bundlePackage(cache, name, spec)));
for (const r of results) {
  log(`  ${relative(projectRoot, join(cache, `${r.name}@${r.version}`, "_esm.js"))} (${r.kib.toFixed(0)} KiB)${r.files ? ` + ${r.files} files` : ""}`);
}
log(`prefill-npm-cache: ${results.length} packages, ${placeholders.length} placeholders (${placeholders.join(", ")}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
