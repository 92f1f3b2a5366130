// The precompiled tree the CLI runs from (data-loaders/hooks/compiledSources.mjs): built from
// the sources, keyed by them (an edit gives a new tree, so the CLI never runs stale code), and
// `import.meta.url` kept as the source file's own.
import {afterAll, describe, expect, it} from "vitest";
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
// @ts-expect-error: plain JavaScript module without types
import {compiledSources, compiledUrl} from "../data-loaders/hooks/compiledSources.mjs";

const root = mkdtempSync(join(tmpdir(), "pulsebook-compiled-"));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function tree(answer: number): void {
  mkdirSync(join(root, "lib"), {recursive: true});
  mkdirSync(join(root, "data-loaders"), {recursive: true});
  writeFileSync(join(root, "lib", "answer.ts"), `export const answer: number = ${answer};\nexport const where: string = import.meta.url;\n`);
  writeFileSync(join(root, "data-loaders", "main.ts"), `import {answer, where} from "../lib/answer.js";\nimport type {Nothing} from "./types.js";\nexport class Box { value = answer; }\nexport const here = import.meta.url;\nexport {where};\n`);
  writeFileSync(join(root, "data-loaders", "types.ts"), `export interface Nothing { x: number }\n`);
}

describe("compiledSources", () => {
  it("transpiles lib/ and data-loaders/, keeps each module's import.meta.url, and rebuilds when a source changes", async () => {
    tree(42);
    const first: string = await compiledSources(root);
    expect(first).toMatch(/\.cache\/compiled\/[0-9a-f]{16}$/);
    const a = await import(compiledUrl(first, "data-loaders/main.ts"));
    expect(new a.Box().value).toBe(42);
    expect(a.here).toBe(pathToFileURL(join(root, "data-loaders", "main.ts")).href);
    expect(a.where).toBe(pathToFileURL(join(root, "lib", "answer.ts")).href);
    // Same sources: the same tree, not rebuilt.
    expect(await compiledSources(root)).toBe(first);
    tree(43);
    const second: string = await compiledSources(root);
    expect(second).not.toBe(first);
    const b = await import(compiledUrl(second, "data-loaders/main.ts"));
    expect(new b.Box().value).toBe(43);
    // No half-built tree is left behind.
    expect(readdirSync(join(root, ".cache", "compiled")).filter((n) => n.includes(".tmp-"))).toEqual([]);
  }, 60_000);

  it("gives its modules one copy of h5wasm whose WebAssembly is a file of its own, and it works", async () => {
    const other = mkdtempSync(join(tmpdir(), "pulsebook-compiled-h5-"));
    try {
      mkdirSync(join(other, "lib"), {recursive: true});
      mkdirSync(join(other, "data-loaders", "io"), {recursive: true});
      writeFileSync(join(other, "lib", "none.ts"), `export const none = 0;\n`);
      writeFileSync(join(other, "data-loaders", "io", "a.ts"), `import h5wasm from "h5wasm/node";\nexport const ready = h5wasm.ready;\nexport {h5wasm};\n`);
      writeFileSync(join(other, "data-loaders", "b.ts"), `import h5wasm from "h5wasm/node";\nexport {h5wasm};\n`);
      const dir: string = await compiledSources(other);
      const util = statSync(join(dir, "vendor", "h5wasm", "hdf5_util.js")).size;
      const wasm = readFileSync(join(dir, "vendor", "h5wasm", "hdf5_util.wasm"));
      expect(util).toBeLessThan(1e6); // the package's is 4.2 MB, nearly all of it the binary as a string
      expect(WebAssembly.validate(wasm)).toBe(true);
      const a = await import(compiledUrl(dir, "data-loaders/io/a.ts"));
      const b = await import(compiledUrl(dir, "data-loaders/b.ts"));
      expect(a.h5wasm).toBe(b.h5wasm);
      const module = await a.ready;
      expect(typeof module._malloc).toBe("function");
      // A file written and read back through the copy.
      const path = join(other, "x.h5");
      const f = new a.h5wasm.File(path, "w");
      f.create_dataset({name: "v", data: new Float32Array([1.5, -2, 3])});
      f.close();
      const g = new a.h5wasm.File(path, "r");
      expect(Array.from(g.get("v").value as Float32Array)).toEqual([1.5, -2, 3]);
      g.close();
    } finally {
      rmSync(other, {recursive: true, force: true});
    }
  }, 60_000);

  it("PULSEBOOK_TSX=1 asks for the sources through tsx", async () => {
    process.env.PULSEBOOK_TSX = "1";
    try {
      expect(await compiledSources(root)).toBeNull();
    } finally {
      delete process.env.PULSEBOOK_TSX;
    }
  });
});
