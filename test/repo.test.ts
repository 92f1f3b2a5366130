// The repository's own text files: no merge-conflict markers left behind (they can hide inside
// template strings, docs or JSON, where the compiler does not see them), and no path to data or
// notes beside the repository.
import {describe, expect, it} from "vitest";
import {execFileSync} from "node:child_process";
import {existsSync, readFileSync, statSync} from "node:fs";
import {join} from "node:path";
import {ROOT} from "./support/build.js";

describe("repository hygiene", () => {
  it("no tracked text file holds a merge-conflict marker line", () => {
    const files = execFileSync("git", ["ls-files", "-z"], {cwd: ROOT, encoding: "utf8"}).split("\0").filter((f) => /\.(ts|mts|mjs|js|md|json|yml|yaml|sh|css|html)$/.test(f) || f === ".ci/run");
    expect(files.length).toBeGreaterThan(100);
    const bad: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(ROOT, f), "utf8");
      text.split("\n").forEach((line, i) => {
        if (/^(<{7}|>{7})( |$)/.test(line) || line === "=".repeat(7)) bad.push(`${f}:${i + 1}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it("nothing in src/, lib/, data-loaders/, scripts/ or test/ reaches outside the repository for data or notes", () => {
    // A user clones the repository alone: the team's reference shelf beside it is not there.
    // (Patterns built from parts, so that this file does not match itself.)
    const patterns = [["shared", "reference-data"].join("/"), ["..", "shared"].join("/"), ["", "work", "shared"].join("/")];
    // The one exception: the script that cuts the vendored fixtures from the full reference set (given as an argument).
    const allowed = new Set(["test/fixtures/cait-mock/subset.mjs"]);
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "src", "lib", "data-loaders", "scripts", "test"], {cwd: ROOT, encoding: "utf8"})
      .split("\0").filter((f) => f && !allowed.has(f) && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
    expect(files.length).toBeGreaterThan(200);
    const bad: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(join(ROOT, f));
      if (bytes.includes(0)) continue; // binary (HDF5, raw DAQ files, models)
      const text = bytes.toString("utf8");
      text.split("\n").forEach((line, i) => {
        for (const p of patterns) if (line.includes(p)) bad.push(`${f}:${i + 1}: ${p}`);
      });
    }
    expect(bad).toEqual([]);
  });
});
