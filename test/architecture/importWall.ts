// The checker behind wall.test.ts: walks the runtime import graph of every module under a
// `lib/` folder and reports each chain that reaches the Node side. Imports are read with the
// TypeScript parser (static `import`, `export … from`, literal `import()`); type-only imports
// are skipped, since they vanish at compile time. Packages are not followed: a bare specifier
// is judged by its name (Node builtins, with or without `node:`, and Node-only entry points).

import {existsSync, readdirSync, readFileSync, statSync} from "node:fs";
import {builtinModules} from "node:module";
import {dirname, join, relative, resolve, sep} from "node:path";
import ts from "typescript";

/** Package entry points that only work in Node (their browser builds have other names). */
export const NODE_ONLY_PACKAGES = ["h5wasm/node", "@duckdb/duckdb-wasm/blocking", "parquet-wasm/node"];

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|tsx)$/;

/** Runtime module specifiers of one source file, in order. */
export function runtimeImports(path: string, text = readFileSync(path, "utf8")): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.importClause?.isTypeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (!node.isTypeOnly && ts.isStringLiteral(e)) out.push(e.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      // A computed dynamic import cannot be checked: report it as such rather than pass it.
      out.push(arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) ? arg.text : `<computed import() at line ${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}>`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** Why a bare specifier is Node-only, or undefined when it is not. */
export function nodeOnly(specifier: string): string | undefined {
  if (specifier.startsWith("<computed")) return "a dynamic import whose target cannot be checked";
  if (specifier.startsWith("node:")) return "a Node builtin";
  if (BUILTINS.has(specifier) || BUILTINS.has(specifier.split("/")[0])) return "a Node builtin (without the node: prefix)";
  if (NODE_ONLY_PACKAGES.includes(specifier)) return "a Node-only package entry point";
  return undefined;
}

/** The file a relative specifier names (TypeScript's `.js` → `.ts` mapping included). */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m|c)?js$/, "");
  const candidates = [base, `${stem}.ts`, `${stem}.mts`, `${stem}.cts`, `${stem}.tsx`, `${base}.ts`, join(base, "index.ts"), join(base, "index.js")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return SOURCE.test(d.name) && !/\.d\.(m|c)?ts$/.test(d.name) ? [p] : [];
  });
}

export interface Breach {
  /** The module of lib/ the walk started from, then every module on the way, then the target. */
  chain: string[];
  why: string;
}

/**
 * Every chain from a module under `root/lib` to the Node side: a Node builtin, a Node-only
 * package, anything under `root/data-loaders`, or a relative import that resolves nowhere.
 * One chain (the first found, depth-first) per lib module and forbidden target.
 */
export function findBreaches(root: string): Breach[] {
  const lib = join(root, "lib");
  const dataLoaders = join(root, "data-loaders") + sep;
  const rel = (p: string) => relative(root, p).split(sep).join("/");
  const edges = new Map<string, string[]>();
  const importsOf = (file: string) => {
    let e = edges.get(file);
    if (!e) edges.set(file, (e = runtimeImports(file)));
    return e;
  };
  const breaches: Breach[] = [];
  for (const start of sources(lib).sort()) {
    const seen = new Set<string>([start]);
    const reported = new Set<string>();
    const walk = (file: string, chain: string[]): void => {
      for (const spec of importsOf(file)) {
        const report = (target: string, why: string) => {
          if (reported.has(target)) return;
          reported.add(target);
          breaches.push({chain: [...chain, target], why});
        };
        if (!spec.startsWith(".") && !spec.startsWith("/")) {
          const why = nodeOnly(spec);
          if (why) report(spec, why);
          continue;
        }
        const target = resolveRelative(file, spec);
        if (!target) {
          report(`${spec} (from ${rel(file)})`, "an import that resolves to no file");
        } else if (target.startsWith(dataLoaders)) {
          report(rel(target), "the Node side (data-loaders/)");
        } else if (!seen.has(target)) {
          seen.add(target);
          walk(target, [...chain, rel(target)]);
        }
      }
    };
    walk(start, [rel(start)]);
  }
  return breaches;
}

/** One line per breach: `lib/a.ts → lib/b.ts → node:fs (a Node builtin)`. */
export function describeBreaches(breaches: readonly Breach[]): string {
  return breaches.map((b) => `${b.chain.join(" → ")} (${b.why})`).join("\n");
}
