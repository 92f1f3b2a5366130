// The CLI's one error boundary (data-loaders/cli/errorBoundary.ts): file-system errors name
// their path, allocation failures say so, unknown errors are internal errors asking for
// --debug, and --debug prints the original error with its stack and causes.
import {describe, expect, it} from "vitest";
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {debugText, explain} from "../data-loaders/cli/errorBoundary.js";
import {DataFileError} from "../lib/io/errors.js";
import {runMain} from "./support/cli.js";

const fsError = (code: string, syscall: string, path?: string) => Object.assign(new Error(`${code}: raw`), {code, syscall, path});

describe("error boundary", () => {
  it("maps file-system, memory and unknown errors to words", () => {
    expect(explain(fsError("ENOSPC", "write", "/data/out.parquet"))).toEqual({message: "/data/out.parquet: no space left on the device (ENOSPC)", internal: false});
    expect(explain(fsError("EACCES", "open", "/x/y.h5")).message).toBe("/x/y.h5: permission denied (EACCES)");
    expect(explain(fsError("ENOSPC", "write")).internal).toBe(true);
    const oom = explain(new RangeError("Invalid typed array length: 2199023255552"));
    expect(oom.internal).toBe(false);
    expect(oom.message).toMatch(/^not enough memory: .*2199023255552.*--max-old-space-size/);
    expect(explain(new TypeError("Cannot read properties of null (reading 'resize')"))).toEqual({message: "internal error: Cannot read properties of null (reading 'resize')", internal: true});
    const known = new DataFileError("a.h5", "truncated", "events/event");
    expect(explain(known)).toEqual({message: "a.h5 [events/event]: truncated", internal: false});
  });

  it("--debug prints the cause chain; without it no stack trace", async () => {
    const e = new DataFileError("t.parquet", "cut failed", undefined, {cause: new Error("Binder Error: inner")});
    const text = debugText(e);
    expect(text).toMatch(/^DataFileError: t\.parquet: cut failed\n\s+at /);
    expect(text).toMatch(/caused by: Error: Binder Error: inner/);

    const dir = mkdtempSync(join(tmpdir(), "pulsebook-boundary-"));
    try {
      const cut = join(dir, "bad.cut.json");
      writeFileSync(cut, JSON.stringify({format: "pulsebook-cut", format_version: 1, name: "c", kind: "sql", where: "x > 1"}));
      const missing = join(dir, "missing.parquet");
      const plain = await runMain(["cuts", missing, cut]);
      expect(plain.code).toBe(1);
      expect(plain.err).toBe(`pulsebook: ${missing}: file not found (ENOENT)`);
      const debug = await runMain(["cuts", missing, cut, "--debug"]);
      expect(debug.code).toBe(1);
      expect(debug.err.split("\n")[0]).toBe(`pulsebook: ${missing}: file not found (ENOENT)`);
      expect(debug.err).toMatch(/\n\s+at /);
      expect(debug.err).toMatch(/caused by: .*ENOENT/);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
