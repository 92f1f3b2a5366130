// The wall between lib/ (pure, runs in pages) and the Node side: no module of lib/ may reach,
// through any chain of runtime imports, a Node builtin, a Node-only package entry point or
// anything under data-loaders/. The checker itself is tested on a small synthetic tree.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";
import {describeBreaches, findBreaches, nodeOnly, runtimeImports} from "./importWall.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("the wall", () => {
  it("no lib/ module reaches node:, Node builtins, Node-only packages or data-loaders/", () => {
    const breaches = findBreaches(ROOT);
    // The message lists every chain, e.g. "lib/a.ts → lib/b.ts → node:fs (a Node builtin)".
    expect(describeBreaches(breaches)).toBe("");
  });
});

describe("the wall checker", () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), {recursive: true});
    writeFileSync(join(root, path), text);
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "pulsebook-wall-"));
    // A chain through a re-export into data-loaders/.
    write("lib/top.ts", `import {mid} from "./sub/mid.js";\nexport const top = mid;\n`);
    write("lib/sub/mid.ts", `export {edge as mid} from "../../data-loaders/edge.js";\n`);
    write("data-loaders/edge.ts", `import {readFileSync} from "node:fs";\nexport const edge = readFileSync;\n`);
    // Builtins with and without the prefix, a dynamic import, a Node-only package.
    write("lib/dyn.ts", `export async function f() { return import("node:path"); }\n`);
    write("lib/bare.ts", `import * as os from "os";\nimport {x} from "fs/promises";\nexport const o = os;\n`);
    write("lib/h5.ts", `import h5wasm from "h5wasm/node";\nexport default h5wasm;\n`);
    // Allowed: type-only imports, browser packages, relative pure modules, a cycle.
    write("lib/pure.ts", `import type {Stats} from "node:fs";\nimport type * as P from "node:path";\nexport type {Stats as S} from "node:fs";\nimport h5wasm from "h5wasm";\nimport {loop} from "./loop.js";\nexport const pure = [h5wasm, loop];\nexport type Q = typeof P;\n`);
    write("lib/loop.ts", `import {pure} from "./pure.js";\nexport const loop = () => pure;\n`);
    // A computed dynamic import cannot be checked, and an import that resolves nowhere.
    write("lib/computed.ts", `export const g = (m: string) => import(m);\n`);
    write("lib/missing.ts", `export * from "./gone.js";\n`);
  });
  afterAll(() => rmSync(root, {recursive: true, force: true}));

  it("reads static, re-exported and dynamic imports and skips type-only ones", () => {
    expect(runtimeImports("x.ts", `import a from "a";\nimport type {B} from "b";\nimport {type C} from "c";\nexport * from "d";\nexport type {E} from "e";\nconst f = await import("f");\nimport "g";\n`))
      .toEqual(["a", "c", "d", "f", "g"]);
  });

  it("knows Node builtins with and without the prefix", () => {
    expect(nodeOnly("node:fs")).toBe("a Node builtin");
    expect(nodeOnly("worker_threads")).toBe("a Node builtin (without the node: prefix)");
    expect(nodeOnly("fs/promises")).toBe("a Node builtin (without the node: prefix)");
    expect(nodeOnly("h5wasm/node")).toBe("a Node-only package entry point");
    expect(nodeOnly("h5wasm")).toBeUndefined();
    expect(nodeOnly("apache-arrow")).toBeUndefined();
  });

  it("names every chain that crosses the wall, and nothing else", () => {
    const lines = describeBreaches(findBreaches(root)).split("\n").sort();
    expect(lines).toEqual([
      "lib/bare.ts → fs/promises (a Node builtin (without the node: prefix))",
      "lib/bare.ts → os (a Node builtin (without the node: prefix))",
      "lib/computed.ts → <computed import() at line 1> (a dynamic import whose target cannot be checked)",
      "lib/dyn.ts → node:path (a Node builtin)",
      "lib/h5.ts → h5wasm/node (a Node-only package entry point)",
      "lib/missing.ts → ./gone.js (from lib/missing.ts) (an import that resolves to no file)",
      "lib/sub/mid.ts → data-loaders/edge.ts (the Node side (data-loaders/))",
      "lib/top.ts → lib/sub/mid.ts → data-loaders/edge.ts (the Node side (data-loaders/))"
    ]);
  });
});
