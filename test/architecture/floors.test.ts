// The floors of lib/: imports only go down (or sideways without cycles), every folder has a floor.
import {describe, expect, it} from "vitest";
import {checkFloors, cycles, importSpecifiers, LIB_DIR, readImportGraph, type ImportGraph} from "./importGraph.js";

const graph = (edges: {[file: string]: string[]}): ImportGraph => new Map(Object.entries(edges));

describe("the import checker", () => {
  it("finds static, re-export, side-effect and dynamic imports, and skips comments and packages", () => {
    const src = [
      `import {a} from "./a.js";`,
      `import type {B} from '../dsp/b.js';`,
      `export * from "./c.js";`,
      `import "./d.js";`,
      `const e = await import("../sim/e.js");`,
      `import {PCA} from "ml-pca";`,
      `// import {x} from "./commented.js";`,
      `/* export {y} from "./block.js"; */`,
      `const url = "https://example.org/x.js";`
    ].join("\n");
    expect(importSpecifiers(src)).toEqual(["./a.js", "../dsp/b.js", "./c.js", "./d.js", "../sim/e.js"]);
  });

  it("reports an upward import with both files and floors", () => {
    const problems = checkFloors(graph({"math/random.ts": ["sim/noise.ts"], "sim/noise.ts": []}));
    expect(problems).toEqual(["upward import: math/random.ts (floor 0) → sim/noise.ts (floor 1)"]);
  });

  it("reports a cycle between folders of one floor, with the file edges that make it", () => {
    const problems = checkFloors(graph({"dsp/fit.ts": ["sim/model.ts"], "sim/model.ts": ["dsp/fft.ts"], "dsp/fft.ts": []}));
    expect(problems).toEqual(["import cycle between folders: dsp → sim → dsp (dsp/fit.ts → sim/model.ts; sim/model.ts → dsp/fft.ts)"]);
  });

  it("reports a cycle between files, and between lib/ml subsystems", () => {
    const problems = checkFloors(graph({
      "ml/nets/a.ts": ["ml/nets/b.ts"], "ml/nets/b.ts": ["ml/nets/a.ts"],
      "ml/trees/t.ts": ["ml/eval/e.ts"], "ml/eval/e.ts": ["ml/trees/u.ts"], "ml/trees/u.ts": []
    }));
    expect(problems).toEqual([
      "import cycle between files: ml/nets/a.ts → ml/nets/b.ts → ml/nets/a.ts",
      "import cycle between folders: ml/eval → ml/trees → ml/eval (ml/eval/e.ts → ml/trees/u.ts; ml/trees/t.ts → ml/eval/e.ts)"
    ]);
  });

  it("reports folders on no floor and imports out of lib/", () => {
    expect(checkFloors(graph({"attic/old.ts": ["math/random.ts"], "math/random.ts": [], "io/x.ts": ["../data-loaders/io/readFile.js"]}))).toEqual([
      "io/x.ts → ../data-loaders/io/readFile.js: imports from outside lib/",
      "lib/attic is on no floor (add it to FLOORS in test/architecture/importGraph.ts)"
    ]);
  });

  it("returns each cycle as a closed path", () => {
    const e = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a", "d"])], ["d", new Set<string>()]]);
    expect(cycles(e)).toEqual([["a", "b", "c", "a"]]);
  });
});

describe("lib/", () => {
  it("keeps its floors: no upward imports, no cycles, every folder on a floor", () => {
    const g = readImportGraph(LIB_DIR);
    expect(g.size).toBeGreaterThan(90);
    expect(g.get("dsp/features.ts")).toContain("types.ts");
    expect(checkFloors(g)).toEqual([]);
  });
});
