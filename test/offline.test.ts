// The site needs no internet: the build runs inside a network namespace with no network
// (`unshare -n`; the shared build of the page tests is that build, see test/support/build.ts),
// and the built files reference nothing outside the site that a browser would fetch.
// (test/site.test.ts checks the browser side: every non-loopback request is blocked and must
// not happen.)

import {existsSync, readdirSync, readFileSync, statSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {spawnSync} from "node:child_process";
import {tmpdir} from "node:os";
import {dirname, extname, join, relative, resolve} from "node:path";
import {beforeAll, describe, expect, it} from "vitest";
import {canUnshareNetwork, ensureBuilt, ROOT} from "./support/build.js";
import config from "../observablehq.config.js";

/** Text files a browser may parse; everything else (wasm, parquet, h5) is data. */
const TEXT = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".txt", ".svg", ".webmanifest"]);

/**
 * Absolute URLs that may appear in built files because no browser ever fetches them. Each entry:
 * the files it may occur in, the exact URL text, and why it is harmless.
 */
const ALLOWED: {files: RegExp; url: string; why: string}[] = [
  {files: /./, url: "http://www.w3.org/2000/svg", why: "XML namespace name (createElementNS, xmlns attributes), an identifier, never fetched"},
  {files: /./, url: "http://www.w3.org/1999/xhtml", why: "XML namespace name (d3-selection namespaces)"},
  {files: /./, url: "http://www.w3.org/1999/xlink", why: "XML namespace name (d3-selection, htl)"},
  {files: /./, url: "http://www.w3.org/XML/1998/namespace", why: "XML namespace name (d3-selection)"},
  {files: /./, url: "http://www.w3.org/2000/xmlns/", why: "XML namespace name (d3-selection)"},
  {files: /_npm\/katex@/, url: "http://www.w3.org/1998/Math/MathML", why: "MathML namespace name of KaTeX's output (TeX in tutorials 3–4), never fetched"},
  {files: /_npm\/@duckdb\/duckdb-wasm@[^/]+\/[^/]+\.js$/, url: "https://cdn.jsdelivr.net/npm/",
    why: "duckdb-wasm's getJsDelivrBundles(), which only a caller can invoke; Framework's DuckDBClient uses the self-hosted bundles in _npm/@duckdb (the browser test blocks and fails on any external request)"},
  {files: /_npm\/@duckdb\/duckdb-wasm@[^/]+\//, url: "https://github.com/duckdb/duckdb-wasm.git", why: "the `repository` field of duckdb-wasm's package.json, bundled as data"},
  {files: /_npm\/@duckdb\/duckdb-wasm@[^/]+\//, url: "https://github.com/emn178/js-sha256", why: "a doc comment / package metadata string in duckdb-wasm"},
  {files: /_npm\/@duckdb\/duckdb-wasm@[^/]+\/dist\/duckdb-browser-(mvp|eh)\.worker\.[0-9a-f]+\.js$/, url: "https://",
    why: "the scheme prefix with which duckdb-wasm's worker builds S3 URLs for s3:// paths; the pages open no s3:// file"},
  // TensorFlow.js (lib/ml, the training page), bundled by Framework from node_modules.
  {files: /_node\/@tensorflow\//, url: "http://www.apache.org/licenses/LICENSE-2.0", why: "tfjs licence header comments"},
  {files: /_node\/@tensorflow\//, url: "https://opensource.org/licenses/MIT.", why: "licence comments of bundled dependencies"},
  {files: /_node\/@tensorflow\/tfjs-core@/, url: "https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API", why: "text of an error message of tf.io.http (never called by the pages)"},
  {files: /_node\/@tensorflow\/tfjs-backend-cpu@/, url: "https://github.com/tensorflow/tfjs-node", why: "text of the cpu backend's console advice under Node"},
  {files: /_node\/@tensorflow\/tfjs-backend-wasm@/, url: "https://github.com/tensorflow/tfjs/blob/master/tfjs-backend-wasm/README.md#using-bundlers", why: "text of an error message (the page sets the .wasm paths)"},
  {files: /_node\/@tensorflow\/tfjs-backend-wasm@/, url: "https://emscripten.org/docs/porting/pthreads.html#blocking-on-the-main-browser-thread", why: "text of an Emscripten warning"},
  {files: /_node\/@tensorflow\/tfjs-backend-webgpu@/, url: "https://en.wikipedia.org/wiki/IEEE_754-1985#Representation_of_non-numbers", why: "a comment inside WGSL shader source"},
  {files: /_node\/@tensorflow\/tfjs-backend-webgpu@/, url: "https://www.shadertoy.com/view/4djSRW", why: "a comment inside WGSL shader source"}
];

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Every absolute http(s) URL in the text files of `dist` that is not allow-listed, as "file: url". */
function strayUrls(dist: string): string[] {
  const stray: string[] = [];
  for (const file of walk(dist)) {
    if (!TEXT.has(extname(file).toLowerCase())) continue;
    const rel = relative(dist, file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/\b(?:https?:)?\/\/(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?[^\s"'`()<>\\{}]*|\bhttps?:\/\//gi)) {
      const url = match[0];
      if (url.startsWith("//") && !/^\/\/(?:[a-z0-9-]+\.)+[a-z]{2,}\//i.test(url)) continue; // a `//` comment, not a URL
      const ok = ALLOWED.some((a) => a.files.test(rel) && url === a.url);
      if (!ok) stray.push(`${rel}: ${url} (…${text.slice(Math.max(0, match.index! - 60), match.index! + url.length + 20).replace(/\s+/g, " ")}…)`);
    }
  }
  return stray;
}

/** Local references of a built HTML page (src, href, imports, modulepreload) that point at missing files. */
function missingLocalReferences(dist: string): string[] {
  const missing: string[] = [];
  for (const file of walk(dist).filter((f) => f.endsWith(".html"))) {
    const html = readFileSync(file, "utf8");
    const refs = [
      ...Array.from(html.matchAll(/\b(?:src|href)="([^"#?]+)[^"]*"/g), (m) => m[1]),
      ...Array.from(html.matchAll(/\bimport\s*(?:\(\s*)?["']([^"']+)["']/g), (m) => m[1]),
      ...Array.from(html.matchAll(/\bfrom\s*["']([^"'\n]+)["']/g), (m) => m[1])
    ];
    for (const ref of refs) {
      if (/^[a-z]+:/i.test(ref) || ref.startsWith("//")) {
        if (!/^(data|blob|mailto):/i.test(ref)) missing.push(`${relative(dist, file)}: external reference ${ref}`);
        continue;
      }
      const target = ref.startsWith("/") ? join(dist, ref) : resolve(dirname(file), ref);
      const candidates = [target, `${target}.html`, join(target, "index.html")];
      if (!candidates.some((c) => existsSync(c) && statSync(c).isFile())) missing.push(`${relative(dist, file)}: ${ref}`);
    }
  }
  return missing;
}

describe("the built site references nothing outside itself", () => {
  let dist: string;
  beforeAll(async () => {
    ({dist} = await ensureBuilt());
  }, 900_000);

  it("has no absolute URL that a browser would fetch", () => {
    expect(strayUrls(dist)).toEqual([]);
  });

  it("has every locally referenced file, and no remote stylesheet, script or font", () => {
    expect(missingLocalReferences(dist)).toEqual([]);
    for (const file of walk(dist).filter((f) => /\.(html|css)$/.test(f))) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com|esm\.sh/);
    }
  });

  it("self-hosts the libraries the pages load (no 0.0.0-offline placeholder is used)", () => {
    const npm = join(dist, "_npm");
    const dirs = walk(npm).map((f) => relative(npm, f));
    expect(dirs.some((f) => f.includes("0.0.0-offline"))).toBe(false);
    for (const file of ["duckdb-mvp.wasm", "duckdb-eh.wasm", "parquet_wasm_bg.wasm"]) {
      expect(dirs.some((f) => f.endsWith(file)), file).toBe(true);
    }
    expect(dirs.some((f) => f.startsWith("h5wasm@"))).toBe(true);
  });

  it("flags a remote URL (the check itself works)", async () => {
    const {mkdirSync, writeFileSync} = await import("node:fs");
    const dir = await mkdtemp(join(tmpdir(), "pulsebook-scan-"));
    try {
      mkdirSync(join(dir, "x"));
      writeFileSync(join(dir, "x", "a.js"), `import "https://cdn.jsdelivr.net/npm/d3@7/+esm"; const ns = "http://www.w3.org/2000/svg";`);
      writeFileSync(join(dir, "index.html"), `<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter"><script src="./missing.js"></script>`);
      expect(strayUrls(dir)).toHaveLength(2);
      expect(missingLocalReferences(dir)).toHaveLength(2);
    } finally {
      await rm(dir, {recursive: true, force: true});
    }
  });
});

describe("building with no network", async () => {
  const unshare = await canUnshareNetwork();

  it.skipIf(!unshare)("runs the npm-cache pre-fill and `observable build` inside `unshare -n`", async () => {
    // The namespace really has no network: only the loopback interface exists, and it is down.
    const probe = spawnSync("unshare", ["-n", "cat", "/proc/net/dev"], {encoding: "utf8"});
    expect(probe.status).toBe(0);
    const interfaces = probe.stdout.split("\n").slice(2).map((l) => l.split(":")[0].trim()).filter(Boolean);
    expect(interfaces).toEqual(["lo"]);

    // The shared build (an isolated copy of the repository) ran in such a namespace.
    const {dist: output, stamp} = await ensureBuilt();
    console.log(`offline build: ${(stamp.ms / 1000).toFixed(1)} s`);
    expect(stamp.offline).toBe(true);
    expect(stamp.networkErrors).toEqual([]);
    for (const page of ["index.html", "tutorials/01-first-look.html"]) expect(existsSync(join(output, page)), page).toBe(true);
    const data = readdirSync(join(output, "_file", "data"));
    expect(data.some((f) => /^features\.[0-9a-f]+\.parquet$/.test(f))).toBe(true);
    expect(data.some((f) => /^records\.[0-9a-f]+\.bin$/.test(f))).toBe(true);
    expect(strayUrls(output)).toEqual([]);
    expect(missingLocalReferences(output)).toEqual([]);
  }, 900_000);

  it.skipIf(!unshare)("runs every data loader inside `unshare -n`", async () => {
    // The shared build ran inside `unshare -n` (above): a loader whose output is in it ran
    // offline there. Only the loaders no page reads are run here, each in its own namespace.
    const {dist: output, stamp} = await ensureBuilt();
    expect(stamp.offline).toBe(true);
    const built = new Set(readdirSync(join(output, "_file", "data")).map((f) => f.replace(/\.[0-9a-f]{8}\./, ".")));
    const loaders = readdirSync(join(ROOT, "src", "data")).filter((f) => /\.[a-z0-9]+\.ts$/.test(f));
    const unread = loaders.filter((loader) => !built.has(loader.replace(/\.ts$/, "")));
    console.log(`loaders: ${loaders.length - unread.length} ran in the offline build; run here: ${unread.join(", ") || "none"}`);
    expect(loaders.length - unread.length).toBeGreaterThan(15);
    // Run as the build runs them (the config's interpreter for .ts).
    const [command, ...args] = config.interpreters[".ts"];
    for (const loader of unread) {
      const run = spawnSync("unshare", ["-n", command, ...args, join("src", "data", loader)], {cwd: ROOT, maxBuffer: 1 << 30});
      expect(run.status, `${loader}: ${run.stderr?.toString()}`).toBe(0);
      expect(run.stdout.length, loader).toBeGreaterThan(0);
    }
  }, 900_000);
});
