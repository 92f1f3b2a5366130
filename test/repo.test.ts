// The repository's own text files: no merge-conflict markers left behind (they can hide inside
// template strings, docs or JSON, where the compiler does not see them).
import {describe, expect, it} from "vitest";
import {execFileSync} from "node:child_process";
import {readFileSync} from "node:fs";
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
});
