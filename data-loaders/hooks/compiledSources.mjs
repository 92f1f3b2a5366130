// The CLI and its feature workers run lib/ and data-loaders/ precompiled: each TypeScript file
// transpiled alone by esbuild (the compiler tsx uses, with tsconfig.json's settings), not
// bundled, into a cache folder named by the hash of every source file. Users and tests still run
// the very same source: any edit changes the hash and the next command rebuilds the tree (about
// 1 s, once). What it saves in every process and worker thread: tsx's loader thread, which every
// import waited on, and compiling TypeScript on the fly (`pulsebook --help`: 0.9 → 0.35 CPU-s;
// bench/results/cli-features-*.json). `import.meta.url` is replaced by the source file's own
// URL, so what a module finds next to itself (package.json, the sources it hashes for stage
// versions, worker entries) is that of the tree. Plain .mjs files are copied as they are.
//
// PULSEBOOK_TSX=1 (or a tree without esbuild, or one that cannot be written) runs the sources
// through tsx instead.
//
// The tree also holds a copy of h5wasm's Node build whose WebAssembly is read from a file
// (vendorH5wasm): the package carries it as a 3.5 MB string inside a 4 MB JavaScript file, which
// every process parsed and decoded (≈ 0.15 CPU-s) before compiling the very same bytes.
import {createHash} from "node:crypto";
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync, utimesSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FOLDERS = ["lib", "data-loaders"];
/** The environment variable naming the compiled tree, for worker threads' entries. */
export const COMPILED_ENV = "PULSEBOOK_COMPILED_DIR";
/** A compiled tree no command has started from for this long is removed when another is built. */
const STALE_MS = 24 * 3600_000;

function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(join(root, dir), {withFileTypes: true})) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      // Not declarations, nor AssemblyScript sources (*.as.ts: built into wasm by scripts/build-wasm.mjs).
      else if (/\.(ts|mjs)$/.test(e.name) && !/\.(d|as)\.ts$/.test(e.name)) out.push(rel);
    }
  };
  for (const f of FOLDERS) walk(f);
  return out.sort();
}

/** Where the compiled trees of `root` are kept: its `.cache/compiled/` (ignored by git). */
export const cacheRoot = (root = ROOT) => join(root, ".cache", "compiled");

/**
 * The folder holding the compiled tree of the current sources of `root` (lib/ and
 * data-loaders/), built if missing; null when it cannot be (esbuild absent, a read-only tree,
 * PULSEBOOK_TSX=1): the caller then runs the sources through tsx.
 */
export async function compiledSources(root = ROOT) {
  if (process.env.PULSEBOOK_TSX === "1") return null;
  const files = sourceFiles(root);
  const hash = createHash("sha256");
  // The h5wasm copy is part of the tree: another installed version gives another tree.
  hash.update(h5wasmVersion()).update("\0");
  const sources = new Map();
  for (const rel of files) {
    const text = readFileSync(join(root, rel));
    sources.set(rel, text);
    hash.update(rel).update("\0").update(text).update("\0");
  }
  const dir = join(cacheRoot(root), hash.digest("hex").slice(0, 16));
  try {
    statSync(join(dir, "COMPLETE"));
    // In use: not stale (pruneStale) while commands start from it.
    utimesSync(dir, new Date(), new Date());
    return dir;
  } catch {}
  try {
    await build(root, dir, files, sources);
    return dir;
  } catch (e) {
    if (process.env.PULSEBOOK_DEBUG_COMPILE) console.error(`pulsebook: running through tsx (precompiling failed: ${e.message})`);
    return null;
  }
}

// As tsconfig.json says, which tsx follows: ES2022 class fields, type-only imports dropped.
const TSCONFIG = {compilerOptions: {target: "ES2022", useDefineForClassFields: true, verbatimModuleSyntax: false}};

async function build(root, dir, files, sources) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new Error("esbuild is not installed");
  }
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, {recursive: true});
  try {
    const ts = files.filter((f) => f.endsWith(".ts"));
    const replaced = new Map(ts.map((f) => [f, sources.get(f).toString("utf8").replaceAll("import.meta.url", JSON.stringify(pathToFileURL(join(root, f)).href))]));
    // Every module of the tree imports the one copy (two would be two HDF5 libraries in a process).
    const h5wasm = [...replaced.values()].some((text) => H5WASM_IMPORT.test(text)) ? vendorH5wasm(tmp, dir) : null;
    await Promise.all(ts.map(async (rel) => {
      const source = h5wasm ? replaced.get(rel).replace(H5WASM_IMPORT, (_, lead) => `${lead}${JSON.stringify(h5wasm)}`) : replaced.get(rel);
      const {code} = await esbuild.transform(source, {loader: "ts", format: "esm", target: "node20", sourcefile: rel, tsconfigRaw: TSCONFIG});
      const out = join(tmp, rel.replace(/\.ts$/, ".js"));
      mkdirSync(dirname(out), {recursive: true});
      writeFileSync(out, code);
    }));
    for (const rel of files.filter((f) => f.endsWith(".mjs"))) {
      const out = join(tmp, rel);
      mkdirSync(dirname(out), {recursive: true});
      copyFileSync(join(root, rel), out);
    }
    writeFileSync(join(tmp, "COMPLETE"), "");
    try {
      renameSync(tmp, dir);
    } catch {
      // Another process built the same tree first: keep theirs.
      rmSync(tmp, {recursive: true, force: true});
    }
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true});
    throw e;
  }
  try {
    pruneStale(cacheRoot(root), dir);
  } catch {} // only housekeeping
}

const H5WASM_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*)["']h5wasm\/node["']/g;
const H5WASM_FACTORY = "findWasmBinary(){return binaryDecode(";

/** The installed h5wasm's version ("" when there is none). */
function h5wasmVersion() {
  try {
    return JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.resolve("h5wasm/node"))), "..", "..", "package.json"), "utf8")).version;
  } catch {
    return "";
  }
}

/**
 * Writes into the tree being built (`tmp`, to become `dir`) a copy of h5wasm's Node build whose
 * WebAssembly binary is a file of its own, read when the module starts; returns the URL the
 * tree's modules import it by, or null (the package then runs as it is) when the build is not
 * laid out as expected.
 */
function vendorH5wasm(tmp, dir) {
  try {
    const dist = dirname(fileURLToPath(import.meta.resolve("h5wasm/node")));
    const util = readFileSync(join(dist, "hdf5_util.js"), "utf8");
    const at = util.indexOf(H5WASM_FACTORY);
    if (at < 0 || util.indexOf(H5WASM_FACTORY, at + 1) >= 0) return null;
    const open = at + H5WASM_FACTORY.length, quote = util[open];
    if (quote !== "'" && quote !== '"') return null;
    let end = open + 1;
    while (util[end] !== quote) end += util[end] === "\\" ? 2 : 1;
    if (!util.startsWith(")}", end + 1)) return null;
    // The literal's characters are the bytes (the package's own binaryDecode, which this replaces).
    const text = new Function(`return ${util.slice(open, end + 1)}`)();
    const bytes = new Uint8Array(text.length);
    for (let i = 0, c; i < text.length; ++i) bytes[i] = ~(c = text.charCodeAt(i)) >> 8 & c;
    if (!WebAssembly.validate(bytes)) return null;
    const out = join(tmp, "vendor", "h5wasm");
    mkdirSync(out, {recursive: true});
    writeFileSync(join(out, "hdf5_util.wasm"), bytes);
    writeFileSync(join(out, "hdf5_util.js"), util.slice(0, at) + 'findWasmBinary(){return require("fs").readFileSync(new URL("./hdf5_util.wasm",import.meta.url))}' + util.slice(end + 3));
    copyFileSync(join(dist, "hdf5_hl.js"), join(out, "hdf5_hl.js"));
    return pathToFileURL(join(dir, "vendor", "h5wasm", "hdf5_hl.js")).href;
  } catch {
    return null;
  }
}

function pruneStale(cache, keep) {
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if (path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, {recursive: true, force: true});
    } catch {}
  }
}

/** `file:` URL of `rel` (a source path such as data-loaders/cli/main.ts) in the compiled tree `dir`. */
export const compiledUrl = (dir, rel) => pathToFileURL(join(dir, rel.replace(/\.ts$/, ".js"))).href;
