// Framework caches a data loader's output and re-runs the loader only when the loader file
// itself changes. Our loaders are thin: the work is in data-loaders/ and lib/, and in files
// they read (models/, src/cuts/). So before every preview and build (`predev`, `prebuild`),
// each loader's lineage — the source-derived version of the loader and everything it imports
// (lib/, data-loaders/, src/), plus the files named on a `// pulsebook-depends: PATH …` line —
// is compared with the one recorded when its cache entry was last made; a cache entry whose
// lineage changed (or is unknown) is dropped, so Framework runs the loader again. Nobody has
// to delete a cache by hand. Two names on a depends line are not paths: `@run` stands for the
// run the pages show (data-loaders/runChoice.ts: the choice, PULSEBOOK_RUN included, the run
// file, its process file and input), `@runs` for every run file, so a loader showing the run
// runs again when another run is chosen or its file changes.

import {createHash} from "node:crypto";
import {existsSync, readdirSync, readFileSync, rmSync, statSync} from "node:fs";
import {join, relative, sep} from "node:path";
import {atomicWriteJson} from "../io/atomicWrite.js";
import {ROOT, sourceVersion, type SourceReader} from "./sourceVersion.js";
import {activeRunKey, allRunsKey} from "../runChoice.js";

/** Loader file names: `name.ext.ts` / `.js` / `.mjs` (Framework's data loaders in TypeScript/JavaScript). */
const LOADER = /\.[A-Za-z0-9]+\.(ts|js|mjs)$/;

const files = (path: string): string[] => {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path).sort().flatMap((f) => files(join(path, f)));
};

/** Paths on the loader's `// pulsebook-depends:` lines, relative to the repository root. */
export function declaredDependencies(source: string): string[] {
  return [...source.matchAll(/^\s*\/\/\s*pulsebook-depends:\s*(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/));
}

/** Environment variables on the loader's `// pulsebook-env: NAME …` lines (its output depends on them). */
export function declaredEnvironment(source: string): string[] {
  return [...source.matchAll(/^\s*\/\/\s*pulsebook-env:\s*(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/));
}

/**
 * Value of a declared variable as the loader will see it. The refresh runs in npm's pre-script
 * (`predev`, `prebuild`), whose `npm_lifecycle_event` is the script's name with "pre" in front:
 * the loaders then run under `dev` or `build`.
 */
const envValue = (name: string, env: {[k: string]: string | undefined}): string => {
  const value = env[name] ?? "";
  return name === "npm_lifecycle_event" ? value.replace(/^pre/, "") : value;
};

/** Lineage of one loader: its import closure's sources, the content of its declared dependencies and the values of its declared environment variables. */
export function loaderLineage(loader: string, options: {root?: string; read?: SourceReader; env?: {[k: string]: string | undefined}} = {}): string {
  const root = options.root ?? ROOT;
  const read = options.read ?? ((p: string) => readFileSync(p, "utf8"));
  const hash = createHash("sha256").update(sourceVersion(loader, {root, within: ["lib", "data-loaders", "src"], read}));
  for (const dep of declaredDependencies(read(loader))) {
    if (dep === "@run" || dep === "@runs") {
      hash.update(dep).update("\0").update(dep === "@run" ? activeRunKey(root) : allRunsKey(root)).update("\0");
      continue;
    }
    for (const f of files(join(root, dep))) hash.update(relative(root, f)).update("\0").update(readFileSync(f)).update("\0");
  }
  for (const name of declaredEnvironment(read(loader))) hash.update(`env ${name}=`).update(envValue(name, options.env ?? process.env)).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** Every data loader under `src` (skipping Framework's own folder). */
export function findLoaders(src: string): string[] {
  return files(src).filter((f) => LOADER.test(f) && !f.endsWith(".d.ts") && !relative(src, f).split(sep).includes(".observablehq"));
}

export interface RefreshResult {
  /** Cache entries removed (paths relative to the repository root). */
  dropped: string[];
  loaders: number;
}

/**
 * Drops the Framework cache entry of every loader whose lineage changed since the entry was
 * made, and records the current lineages in `.pulsebook/loader-lineage.json`.
 */
export function refreshLoaderCache(options: {root?: string; read?: SourceReader; env?: {[k: string]: string | undefined}} = {}): RefreshResult {
  const root = options.root ?? ROOT;
  const src = join(root, "src");
  const recordPath = join(root, ".pulsebook", "loader-lineage.json");
  const recorded: {[loader: string]: string} = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, "utf8")) : {};
  const current: {[loader: string]: string} = {};
  const dropped: string[] = [];
  const loaders = findLoaders(src);
  for (const loader of loaders) {
    const name = relative(src, loader).split(sep).join("/");
    current[name] = loaderLineage(loader, options);
    const cached = join(src, ".observablehq", "cache", name.replace(/\.(ts|js|mjs)$/, ""));
    if (current[name] !== recorded[name] && existsSync(cached)) {
      rmSync(cached, {force: true});
      dropped.push(relative(root, cached));
    }
  }
  atomicWriteJson(recordPath, current, 2);
  return {dropped, loaders: loaders.length};
}
