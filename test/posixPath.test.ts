// lib/config/posixPath.ts against Node's path.posix, which it stands in for in lib/.
import {describe, expect, it} from "vitest";
import {posix} from "node:path";
import {basename, dirname, extname, normalize, resolveAgainst} from "../lib/config/posixPath.js";

const PATHS = ["/data/runs/run.yaml", "/data/runs/", "/", "//a//b/./c/..", "run.yaml", "./a/../../b", "a/b/../../..", "../x.tar.gz", ".hidden", "/d/.profile.yml", "dir.v2/file", "a/", "."];

describe("posixPath", () => {
  it("normalize, dirname, basename and extname agree with path.posix", () => {
    for (const p of PATHS) {
      expect([p, normalize(p)]).toEqual([p, posix.normalize(p).replace(/(.)\/$/, "$1")]);
      expect([p, dirname(p)]).toEqual([p, posix.dirname(posix.normalize(p).replace(/(.)\/$/, "$1"))]);
      expect([p, basename(p)]).toEqual([p, posix.basename(p)]);
      expect([p, basename(p, ".yaml")]).toEqual([p, posix.basename(p, ".yaml")]);
      expect([p, extname(p)]).toEqual([p, posix.extname(p)]);
    }
  });

  it("resolveAgainst agrees with path.posix.resolve for an absolute base", () => {
    for (const base of ["/data/runs", "/", "/a/b/"]) {
      for (const p of ["raw/x.h5", "../out", "/abs/x.h5", "./a/./b/", "../../../../up"]) {
        expect([base, p, resolveAgainst(base, p)]).toEqual([base, p, posix.resolve(base, p)]);
      }
    }
    // A relative base stays relative (the Node caller resolves the config path first).
    expect(resolveAgainst("runs", "../raw/x.h5")).toBe("raw/x.h5");
  });
});
