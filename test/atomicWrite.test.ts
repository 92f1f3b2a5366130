// The one atomic write (data-loaders/io/atomicWrite.ts) and the one reader (readFile.ts): what
// a failed write leaves behind, stale temporaries of killed writers, model-folder swaps, writes
// through symbolic links, and error messages that name the file.

import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from "vitest";
import {spawn, spawnSync} from "node:child_process";
import * as fs from "node:fs";
import {lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {atomicWrite, atomicWriteDir, atomicWriteJson, atomicWriteWith, removeStaleTemporaries, writeTarget} from "../data-loaders/io/atomicWrite.js";
import {fileSize, readBytes, readJson, readText} from "../data-loaders/io/readFile.js";
import {DataFileError} from "../lib/io/errors.js";

// renameSync passes through, except when a test arms `failRenameTo`: then renaming a
// temporary (`….tmp`) onto that path fails, as a swap would on a full or odd file system.
let failRenameTo: string | undefined;
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return {
    ...real,
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      if (failRenameTo !== undefined && String(to) === failRenameTo && String(from).endsWith(".tmp")) throw Object.assign(new Error(`EXDEV: rename to ${to}`), {code: "EXDEV"});
      return real.renameSync(from, to);
    }
  };
});

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "pulsebook-atomic-")); });
afterAll(() => rmSync(dir, {recursive: true, force: true}));
afterEach(() => { failRenameTo = undefined; });

/** Names in `folder` that look like a temporary of `name`. */
const temporaries = (folder: string, name: string) => readdirSync(folder).filter((f) => f.startsWith(`.${name}.`));

/** A PID that belonged to a process which has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {encoding: "utf8"});
  return Number(r.stdout);
}

describe("atomicWrite", () => {
  it("writes bytes, text and JSON, creating the folder", () => {
    const p = join(dir, "new", "deeper", "a.bin");
    atomicWrite(p, Uint8Array.of(1, 2, 3));
    expect(Array.from(readFileSync(p))).toEqual([1, 2, 3]);
    atomicWrite(p, "text");
    expect(readFileSync(p, "utf8")).toBe("text");
    atomicWriteJson(join(dir, "v.json"), {a: [1, 2]}, 1);
    expect(readFileSync(join(dir, "v.json"), "utf8")).toBe('{\n "a": [\n  1,\n  2\n ]\n}\n');
    expect(temporaries(join(dir, "new", "deeper"), "a.bin")).toEqual([]);
  });

  it("a fill that throws leaves the old file byte-identical and no temporary behind", async () => {
    const p = join(dir, "keep.h5");
    const before = Uint8Array.from({length: 4096}, (_, i) => (i * 37) & 255);
    writeFileSync(p, before);
    let wrote = "";
    await expect(atomicWriteWith(p, (tmp) => {
      wrote = tmp;
      writeFileSync(tmp, "half a file");
      throw new Error("disk on fire");
    })).rejects.toThrow("disk on fire");
    expect(wrote).toMatch(/\/\.keep\.h5\.\d+\.[0-9a-f]+\.tmp$/);
    expect(Buffer.compare(readFileSync(p), before)).toBe(0);
    expect(temporaries(dir, "keep.h5")).toEqual([]);
    // An async fill that rejects after writing behaves the same.
    await expect(atomicWriteWith(p, async (tmp) => {
      writeFileSync(tmp, "x");
      await new Promise((r) => setTimeout(r, 5));
      throw new Error("later");
    })).rejects.toThrow("later");
    expect(Buffer.compare(readFileSync(p), before)).toBe(0);
    expect(temporaries(dir, "keep.h5")).toEqual([]);
    // And a fill that succeeds replaces it and returns its value.
    expect(await atomicWriteWith(p, (tmp) => { writeFileSync(tmp, "new"); return 7; })).toBe(7);
    expect(readFileSync(p, "utf8")).toBe("new");
  });

  it("removes a dead writer's temporary on the next write and keeps a live one's", async () => {
    const p = join(dir, "table.parquet");
    writeFileSync(p, "old");
    const dead = join(dir, `.table.parquet.${deadPid()}.0badc0de.tmp`);
    writeFileSync(dead, "left by a killed writer");
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], {stdio: "ignore"});
    try {
      const live = join(dir, `.table.parquet.${sleeper.pid}.1234abcd.tmp`);
      writeFileSync(live, "still being written");
      // Temporaries of other names are not touched.
      const other = join(dir, `.other.parquet.${deadPid()}.0badc0de.tmp`);
      writeFileSync(other, "not ours");
      atomicWrite(p, "new");
      expect(readFileSync(p, "utf8")).toBe("new");
      expect(fs.existsSync(dead)).toBe(false);
      expect(readFileSync(live, "utf8")).toBe("still being written");
      expect(fs.existsSync(other)).toBe(true);
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it("puts back a model folder moved aside by a swap that died, instead of deleting it", () => {
    const d = join(dir, "orphan");
    const old = join(dir, `.orphan.${deadPid()}.feedbeef.tmp.old`);
    mkdirSync(old);
    writeFileSync(join(old, "model.json"), "the old model");
    expect(removeStaleTemporaries(d)).toEqual([old]);
    expect(readFileSync(join(d, "model.json"), "utf8")).toBe("the old model");
    expect(fs.existsSync(old)).toBe(false);
  });
});

describe("atomicWriteDir", () => {
  const fillModel = (text: string) => (tmp: string) => {
    writeFileSync(join(tmp, "model.json"), text);
    writeFileSync(join(tmp, "weights.bin"), Uint8Array.of(text.length));
  };

  it("swaps a model folder: the new files replace the old folder as a whole", async () => {
    const d = join(dir, "model");
    await atomicWriteDir(d, fillModel("first"));
    mkdirSync(join(d, "extra"));
    await atomicWriteDir(d, fillModel("second!"));
    expect(readdirSync(d).sort()).toEqual(["model.json", "weights.bin"]);
    expect(readFileSync(join(d, "model.json"), "utf8")).toBe("second!");
    expect(Array.from(readFileSync(join(d, "weights.bin")))).toEqual([7]);
    expect(temporaries(dir, "model")).toEqual([]);
  });

  it("restores the old folder when the swap fails, and a failed fill leaves it alone", async () => {
    const d = join(dir, "swap");
    await atomicWriteDir(d, fillModel("old"));
    failRenameTo = d;
    await expect(atomicWriteDir(d, fillModel("new"))).rejects.toThrow(/EXDEV/);
    failRenameTo = undefined;
    expect(readFileSync(join(d, "model.json"), "utf8")).toBe("old");
    expect(temporaries(dir, "swap")).toEqual([]);
    await expect(atomicWriteDir(d, () => { throw new Error("training diverged"); })).rejects.toThrow("training diverged");
    expect(readFileSync(join(d, "model.json"), "utf8")).toBe("old");
    expect(temporaries(dir, "swap")).toEqual([]);
  });
});

describe("writing through a symbolic link", () => {
  it("atomicWrite and atomicWriteWith write the link's target (through a chain, and a dangling link's) and keep the link", async () => {
    const target = join(dir, "linked", "data.txt");
    mkdirSync(join(dir, "linked"));
    writeFileSync(target, "old");
    const link = join(dir, "data-link.txt"), chain = join(dir, "chain-link.txt");
    symlinkSync(target, link);
    symlinkSync("data-link.txt", chain); // relative, to the other link
    atomicWrite(chain, "new");
    expect(lstatSync(link).isSymbolicLink() && lstatSync(chain).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(writeTarget(chain)).toBe(target);
    await atomicWriteWith(link, (tmp) => writeFileSync(tmp, "newer"));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("newer");
    expect(temporaries(dir, "data-link.txt")).toEqual([]);
    const dangling = join(dir, "dangling-link.txt");
    symlinkSync(join(dir, "linked", "later.txt"), dangling);
    atomicWrite(dangling, "first");
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "linked", "later.txt"), "utf8")).toBe("first");
  });

  it("atomicWriteDir swaps the folder a link points to and keeps the link", async () => {
    const real = join(dir, "models", "v1");
    await atomicWriteDir(real, (tmp) => writeFileSync(join(tmp, "model.json"), "one"));
    const link = join(dir, "current-model");
    symlinkSync(real, link);
    await atomicWriteDir(link, (tmp) => writeFileSync(join(tmp, "model.json"), "two"));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(real, "model.json"), "utf8")).toBe("two");
    expect(readdirSync(join(dir, "models"))).toEqual(["v1"]);
  });
});

describe("readFile", () => {
  it("reads bytes, text, JSON and sizes", () => {
    const p = join(dir, "r.json");
    writeFileSync(p, '{"n": 3}');
    expect(readText(p)).toBe('{"n": 3}');
    expect(readBytes(p).length).toBe(8);
    expect(readJson(p)).toEqual({n: 3});
    expect(fileSize(p)).toBe(8);
  });

  it("errors name the file and say what is wrong", () => {
    const missing = join(dir, "nope.h5");
    const error = (f: () => unknown) => {
      try { f(); } catch (e) { return e as DataFileError; }
      throw new Error("expected an error");
    };
    for (const e of [error(() => readBytes(missing)), error(() => fileSize(missing))]) {
      expect(e).toBeInstanceOf(DataFileError);
      expect(e.file).toBe(missing);
      expect(e.message).toBe(`${missing}: file not found (ENOENT)`);
    }
    expect(error(() => readText(missing, "model file")).message).toBe(`${missing}: model file: file not found (ENOENT)`);
    expect(error(() => readBytes(dir)).message).toBe(`${dir}: is a folder, not a file (EISDIR)`);
    expect(error(() => fileSize(dir)).message).toBe(`${dir}: is a folder, not a file`);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{oops");
    expect(error(() => readJson(bad, "manifest")).message).toMatch(new RegExp(`^${bad.replace(/[.]/g, "\\.")}: manifest: not valid JSON \\(`));
  });
});
