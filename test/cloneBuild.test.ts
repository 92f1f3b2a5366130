// A clone with nothing beside it builds. The page tests' one shared build (test/support/build.ts)
// happens in an isolated copy of the repository — a fresh temporary folder with only the files a
// clone holds and a link to node_modules — so this check costs no second build.

import {existsSync, lstatSync, readdirSync, readlinkSync} from "node:fs";
import {rm} from "node:fs/promises";
import {join} from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import config from "../observablehq.config.js";
import {cloneFiles, ensureBuilt, isolatedCopy, ROOT, type BuildStamp} from "./support/build.js";

interface NavPage {
  path?: string;
  pages?: NavPage[];
}
const pagePaths = (pages: NavPage[]): string[] => pages.flatMap((p) => [...(p.path ? [p.path] : []), ...pagePaths(p.pages ?? [])]);

describe("an isolated copy", () => {
  let copy: string;
  const files = cloneFiles();
  beforeAll(async () => {
    copy = await isolatedCopy(files);
  });
  afterAll(() => rm(copy, {recursive: true, force: true}));

  it("holds exactly a clone's files (links kept as links) and node_modules linked, nothing from beside the repository", () => {
    expect(files).toContain("package.json");
    expect(files).toContain("test/fixtures/cait-mock/raw/mock_001.rdt");
    expect(files.some((f) => f.startsWith("node_modules/") || f.startsWith("dist/") || f.startsWith(".pulsebook/"))).toBe(false);
    const listed = (dir: string, prefix = ""): string[] => readdirSync(join(copy, prefix), {withFileTypes: true}).flatMap((e) => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      return e.isDirectory() ? listed(dir, rel) : [rel];
    });
    expect(listed(copy).sort()).toEqual([...files, "node_modules"].sort());
    expect(lstatSync(join(copy, "src", "lib")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(copy, "src", "lib"))).toBe(readlinkSync(join(ROOT, "src", "lib")));
    expect(existsSync(join(copy, "..", "shared"))).toBe(false);
  });
});

describe("the site built from the isolated copy", () => {
  let dist: string, stamp: BuildStamp;
  beforeAll(async () => {
    ({dist, stamp} = await ensureBuilt());
  }, 900_000);

  it("was built in an isolated copy", () => {
    expect(stamp.isolated).toBe(true);
    expect(stamp.files).toBeGreaterThan(200);
  });

  it("has every page of the navigation and the data of tutorial 6", () => {
    const paths = pagePaths(config.pages as NavPage[]);
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.map((p) => (p === "/" ? "index.html" : `${p.slice(1)}.html`)).filter((f) => !existsSync(join(dist, f)));
    expect(missing).toEqual([]);
    expect(readdirSync(join(dist, "_file", "data")).some((f) => /^daq-files\.[0-9a-f]+\.json$/.test(f))).toBe(true);
  });
});
