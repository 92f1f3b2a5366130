// The import graph of lib/ and the house rules it must keep: every folder on a floor, imports
// only down or sideways, no cycles (between files, nor between folders of one floor, where
// lib/ml's subsystems count as folders of their own). Pure over a {file: imports} map, so the
// rules can be tested on small made-up graphs; `readImportGraph` builds the map from disk.
import {readdirSync, readFileSync, statSync} from "node:fs";
import {dirname, join, posix, relative} from "node:path";

/** Floors of lib/, ground up. Keys are top-level folders or ground files of lib/. */
export const FLOORS: {readonly [unit: string]: number} = {
  math: 0, "types.ts": 0, "hash.ts": 0,
  io: 1, dsp: 1, sim: 1, config: 1,
  ml: 2, stats: 2, labels: 2, cuts: 2, plot: 2,
  pipeline: 3
};

/** Folders whose subfolders are checked as separate units (no cycles between them). */
const SPLIT = new Set(["ml"]);

/** file (lib-relative, posix) → lib-relative files it imports. */
export type ImportGraph = Map<string, string[]>;

/** The folder an import rule sees a file in: "dsp", "ml/nets", "ml" (ml's own files), "types.ts". */
export function unitOf(file: string): string {
  const parts = file.split("/");
  if (parts.length === 1) return parts[0];
  if (SPLIT.has(parts[0]) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0];
}

export function floorOf(file: string, floors = FLOORS): number | undefined {
  return floors[file.split("/")[0]];
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\1/g;

/** Relative specifiers of static imports, re-exports and dynamic `import("…")` in source text. */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:\\"'`])\/\/.*$/gm, "$1");
  return [...code.matchAll(SPECIFIER)].map((m) => m[2]).filter((s) => s.startsWith("."));
}

/** Every .ts/.mts/.mjs/.js file under `libDir` with the lib files it imports (relative ones only). */
export function readImportGraph(libDir: string): ImportGraph {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith(".d.ts") && !name.endsWith(".d.mts")) files.push(relative(libDir, path).split("\\").join("/"));
    }
  };
  walk(libDir);
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const targets: string[] = [];
    for (const spec of importSpecifiers(readFileSync(join(libDir, file), "utf8"))) {
      const base = posix.normalize(posix.join(posix.dirname(file), spec));
      const target = [base, base.replace(/\.js$/, ".ts"), base.replace(/\.mjs$/, ".mts")].find((c) => known.has(c));
      if (base.startsWith("..")) targets.push(base); // outside lib/: reported by checkFloors
      else if (target) targets.push(target);
    }
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components of more than one node (Tarjan), each as a cycle through its nodes. */
export function cycles(edges: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) out.push(cycleThrough(scc, edges));
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** A concrete cycle inside one strongly connected component: a path from its first node back to it. */
function cycleThrough(scc: string[], edges: Map<string, Set<string>>): string[] {
  const inside = new Set(scc), start = [...scc].sort()[0];
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0])!);
        return [...path, start];
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return [...scc, scc[0]];
}

/** Every breach of the house rules, in words (empty when the graph keeps them). */
export function checkFloors(graph: ImportGraph, floors = FLOORS): string[] {
  const problems: string[] = [];
  const unassigned = new Set<string>();
  const fileEdges = new Map<string, Set<string>>(), unitEdges = new Map<string, Set<string>>();
  const example = new Map<string, string>();
  for (const [file, targets] of graph) {
    const from = floorOf(file, floors);
    if (from === undefined) unassigned.add(file.split("/")[0]);
    fileEdges.set(file, new Set());
    for (const target of targets) {
      if (target.startsWith("..")) { problems.push(`${file} → ${target}: imports from outside lib/`); continue; }
      fileEdges.get(file)!.add(target);
      const to = floorOf(target, floors);
      if (to === undefined) unassigned.add(target.split("/")[0]);
      if (from !== undefined && to !== undefined && to > from) problems.push(`upward import: ${file} (floor ${from}) → ${target} (floor ${to})`);
      const a = unitOf(file), b = unitOf(target);
      if (a === b) continue;
      if (!unitEdges.has(a)) unitEdges.set(a, new Set());
      unitEdges.get(a)!.add(b);
      if (!example.has(`${a}→${b}`)) example.set(`${a}→${b}`, `${file} → ${target}`);
    }
  }
  for (const u of [...unassigned].sort()) problems.push(`lib/${u} is on no floor (add it to FLOORS in test/architecture/importGraph.ts)`);
  for (const c of cycles(fileEdges)) problems.push(`import cycle between files: ${c.join(" → ")}`);
  for (const c of cycles(unitEdges)) {
    const hops = c.slice(1).map((b, i) => example.get(`${c[i]}→${b}`));
    problems.push(`import cycle between folders: ${c.join(" → ")} (${hops.join("; ")})`);
  }
  return problems;
}

export const LIB_DIR = join(dirname(new URL(import.meta.url).pathname), "..", "..", "lib");
