// Framework's loader cache is dropped exactly when a loader's lineage changes: an edit in a
// module it imports (not only in the loader file) or in a path it declares.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {refreshLoaderCache} from "../../data-loaders/pipeline/loaderCache.js";

describe("refreshLoaderCache", () => {
  let root: string;
  const put = (path: string, text: string) => { mkdirSync(dirname(join(root, path)), {recursive: true}); writeFileSync(join(root, path), text); };
  const cache = (name: string) => join(root, "src", ".observablehq", "cache", "data", name);
  const fill = () => { put("src/.observablehq/cache/data/a.json", "{}"); put("src/.observablehq/cache/data/b.json", "{}"); };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "pulsebook-loadercache-"));
    put("lib/x.ts", "export const x = 1;\n");
    put("lib/y.ts", "export const y = 1;\n");
    put("data-loaders/a.ts", `import {x} from "../lib/x.js";\nexport const a = () => x;\n`);
    put("src/data/a.json.ts", `import {a} from "../../data-loaders/a.js";\nprocess.stdout.write(JSON.stringify(a()));\n`);
    put("src/data/b.json.ts", `// pulsebook-depends: models/m\nimport {y} from "../../lib/y.js";\nprocess.stdout.write(String(y));\n`);
    put("models/m/w.json", "[1]");
  });
  afterAll(() => rmSync(root, {recursive: true, force: true}));

  it("drops entries of unknown lineage once, then keeps them while nothing changes", () => {
    fill();
    expect(refreshLoaderCache({root}).dropped.sort()).toEqual(["src/.observablehq/cache/data/a.json", "src/.observablehq/cache/data/b.json"]);
    fill();
    expect(refreshLoaderCache({root})).toEqual({dropped: [], loaders: 2});
  });

  it("drops a loader's entry when a module it imports transitively changes, and only that one", () => {
    put("lib/x.ts", "export const x = 2;\n");
    expect(refreshLoaderCache({root}).dropped).toEqual(["src/.observablehq/cache/data/a.json"]);
    expect(existsSync(cache("a.json"))).toBe(false);
    expect(existsSync(cache("b.json"))).toBe(true);
  });

  it("drops it when a declared dependency changes", () => {
    fill();
    refreshLoaderCache({root});
    put("models/m/w.json", "[2]");
    expect(refreshLoaderCache({root}).dropped).toEqual(["src/.observablehq/cache/data/b.json"]);
  });

  it("drops it when a declared environment variable changes: a dev-made output is not served to a build", () => {
    put("src/data/c.bin.ts", "// pulsebook-env: npm_lifecycle_event\nprocess.stdout.write(process.env.npm_lifecycle_event ?? \"\");\n");
    const dev = {npm_lifecycle_event: "predev"};
    refreshLoaderCache({root, env: dev});
    put("src/.observablehq/cache/data/c.bin", "dev");
    // Another preview keeps it; the build's pre-script drops it; a preview after the build drops the build's.
    expect(refreshLoaderCache({root, env: dev}).dropped).toEqual([]);
    expect(refreshLoaderCache({root, env: {npm_lifecycle_event: "prebuild"}}).dropped).toEqual(["src/.observablehq/cache/data/c.bin"]);
    put("src/.observablehq/cache/data/c.bin", "build");
    expect(refreshLoaderCache({root, env: {npm_lifecycle_event: "build"}}).dropped).toEqual([]);
    expect(refreshLoaderCache({root, env: dev}).dropped).toEqual(["src/.observablehq/cache/data/c.bin"]);
  });
});
