// Source-derived versions: a module's version is the hash of its source and of every module it
// imports by a relative path inside the allowed folders (transitively), so that editing
// lib/dsp/mainParameters.ts changes the version of the features stage and of nothing that does
// not import it. `import type` lines are left out: types do not change what runs.

import {createHash} from "node:crypto";
import {readFileSync, statSync} from "node:fs";
import {dirname, relative, resolve, sep} from "node:path";
import {fileURLToPath} from "node:url";
import {sha256Hex} from "../../lib/hash.js";

/** Reads a module's source; tests inject one to edit a stage without touching the tree. */
export type SourceReader = (path: string) => string;

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const readSource: SourceReader = (path) => readFileSync(path, "utf8");

// `from "./x.js"`, `import "./x.js"`, `import("./x.js")`, `export … from "./x.js"` — not `import type`/`export type`.
const IMPORT = /(?:^|[\s;])(import|export)(\s+type\b)?[^"'`;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']|\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|(?:^|[\s;])import\s*["'](\.{1,2}\/[^"']+)["']/g;

/** Relative specifiers a source imports at run time. */
export function relativeImports(source: string): string[] {
  const out: string[] = [];
  // Comments may quote imports (as this file's do): leave them out.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
  for (const m of code.matchAll(IMPORT)) {
    if (m[2]) continue; // import type … / export type …
    out.push(m[3] ?? m[4] ?? m[5]);
  }
  return out;
}

/** The file a specifier names: TypeScript sources are imported as `.js`. */
function resolveSpecifier(from: string, spec: string): string {
  const p = resolve(dirname(from), spec);
  const isFile = (f: string) => { try { return statSync(f).isFile(); } catch { return false; } };
  const found = [p, p.replace(/\.js$/, ".ts"), p.replace(/\.mjs$/, ".mts"), `${p}.ts`, resolve(p, "index.ts")].find(isFile);
  if (!found) throw new Error(`${from}: imports "${spec}", which does not exist`);
  return found;
}

export interface ClosureOptions {
  /** Repository root (default: this checkout). */
  root?: string;
  /** Folders (relative to the repository root) whose modules are followed; default lib/. */
  within?: string[];
  read?: SourceReader;
}

/** Absolute paths of `entry` and every module it reaches by relative imports inside `within`. */
export function moduleClosure(entry: string, options: ClosureOptions = {}): string[] {
  const within = (options.within ?? ["lib"]).map((d) => resolve(options.root ?? ROOT, d) + sep);
  const read = options.read ?? readSource;
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const spec of relativeImports(read(path))) {
      const dep = resolveSpecifier(path, spec);
      if (within.some((d) => dep.startsWith(d))) visit(dep);
    }
  };
  visit(entry.startsWith("file:") ? fileURLToPath(entry) : resolve(entry));
  return [...seen].sort();
}

/** Version of a module: sha256 over the repository-relative path and source of its closure (16 hex digits). */
export function sourceVersion(entry: string, options: ClosureOptions = {}): string {
  const read = options.read ?? readSource;
  const parts = moduleClosure(entry, options).map((p) => `${relative(options.root ?? ROOT, p).split(sep).join("/")}\n${read(p)}`);
  // Node's SHA-256 (the digest lib/hash.ts gives): the JavaScript one cost `features` 0.15 s of start-up.
  return createHash("sha256").update(parts.join("\n\0\n")).digest("hex").slice(0, 16);
}

/** Versions of stages by name, each from its module (plus `extra` modules every stage shares, e.g. the run's I/O). */
export function stageVersions(stages: readonly {name: string; module: string}[], options: ClosureOptions & {extra?: string[]} = {}): {[stage: string]: string} {
  const shared = (options.extra ?? []).map((m) => sourceVersion(m, {...options, within: [...(options.within ?? ["lib"]), "data-loaders"]}));
  return Object.fromEntries(stages.map((s) => [s.name, shared.length ? sha256Hex([sourceVersion(s.module, options), ...shared].join(":")).slice(0, 16) : sourceVersion(s.module, options)]));
}
