// The one way Pulsebook writes a file that a user keeps (labels, cuts, models, tables, HDF5):
// nothing half-written is ever seen under the real name, and a crash leaves the old file.
//
//   1. write into a temporary sibling `.NAME.PID.RANDOM.tmp` (same folder: same file system);
//   2. fsync it, so its bytes are on disk before the name points at them;
//   3. rename it over NAME (atomic on POSIX);
//   4. fsync the folder, so the rename itself survives a power cut;
//   5. temporaries of NAME left by a killed process (PID no longer alive) are removed first.
//
// NAME a symbolic link: the write goes to the link's target (followed to its end, even where
// that does not exist yet) and the link stays a link, as a plain write through it would.

import {closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync} from "node:fs";
import {basename, dirname, join, resolve} from "node:path";
import {randomBytes} from "node:crypto";
import {DataFileError} from "../../lib/io/errors.js";
import {fileProblem} from "./readFile.js";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// `.NAME.PID.HEX.tmp`, or `….tmp.old`: a folder atomicWriteDir moved aside during its swap.
const temporaryPattern = (name: string) => new RegExp(`^\\.${escape(name)}\\.(\\d+)\\.[0-9a-f]+\\.tmp(\\.old)?$`);

/** The temporary sibling path of `path` for this process. */
export function temporarySibling(path: string): string {
  const p = resolve(path);
  return join(dirname(p), `.${basename(p)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** The absolute path a write to `path` lands on: `path`, or the end of its chain of links. */
export function writeTarget(path: string): string {
  let p = resolve(path);
  for (let links = 0; links < 40; links++) {
    let link: boolean;
    try {
      link = lstatSync(p).isSymbolicLink();
    } catch {
      return p;
    }
    if (!link) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  throw new DataFileError(path, "too many levels of symbolic links");
}

/**
 * Makes folder `dir` and its missing parents, as mkdir -p. Node's recursive mkdir loops for ever
 * where a parent exists but refuses children with ENOENT (/proc/self/x), so the parents are
 * made one by one here, and the first that cannot be made is named.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new DataFileError(p, "is not a folder, so no output can be written under it");
    break;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && statSync(m).isDirectory()) continue;
      throw new DataFileError(m, `cannot make this folder: ${fileProblem(e)}`, undefined, {cause: e});
    }
  }
}

/** Whether process `pid` of this host exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temporaries of `path` whose writing process no longer exists; returns their paths.
 * A folder moved aside by a swap that died before the new one took its name is the only copy
 * left: it is put back under `path` instead.
 */
export function removeStaleTemporaries(path: string): string[] {
  const p = resolve(path);
  const dir = dirname(p);
  if (!existsSync(dir)) return [];
  const pattern = temporaryPattern(basename(p));
  const stale = readdirSync(dir).flatMap((f) => {
    const m = pattern.exec(f);
    return m && !processAlive(Number(m[1])) ? [{path: join(dir, f), old: m[2] !== undefined}] : [];
  });
  for (const t of stale) if (t.old && !existsSync(p)) renameSync(t.path, p);
  for (const t of stale) rmSync(t.path, {recursive: true, force: true});
  return stale.map((t) => t.path);
}

/**
 * Before anything is written: `p` must not be a folder where a file goes (a file where a
 * folder goes is the CLI's to allow, with --force), and its folder is created; problems are DataFileErrors naming the path, not
 * an EISDIR from the final rename or an EEXIST from mkdir.
 */
function prepareTarget(p: string, kind: "file" | "folder"): void {
  let isDir: boolean | undefined;
  try { isDir = statSync(p).isDirectory(); } catch { /* not there yet */ }
  if (isDir === true && kind === "file") throw new DataFileError(p, "is an existing folder, where a file is to be written: remove it or name a file");
  // Folder by folder: a recursive mkdir loops forever under some paths (/proc/self/…).
  makeFolder(dirname(p));
}

function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

function fsyncDir(dir: string): void {
  // Some file systems refuse fsync on a directory; the rename is then as durable as they allow.
  try { fsyncPath(dir); } catch { /* not supported here */ }
}

/** Writes bytes or text to `path` atomically (see the steps above). Creates the folder. */
export function atomicWrite(path: string, data: Uint8Array | string): void {
  const p = writeTarget(path);
  prepareTarget(p, "file");
  removeStaleTemporaries(p);
  const tmp = temporarySibling(p);
  try {
    writeFileSync(tmp, data);
    fsyncPath(tmp);
    renameSync(tmp, p);
  } catch (e) {
    rmSync(tmp, {force: true});
    throw e;
  }
  fsyncDir(dirname(p));
}

/** atomicWrite of a value as JSON (pretty-printed with `indent`, newline-terminated). */
export function atomicWriteJson(path: string, value: unknown, indent?: number): void {
  atomicWrite(path, JSON.stringify(value, null, indent) + "\n");
}

/**
 * Atomic write for writers that need a path of their own (HDF5, streamed Parquet): `fill`
 * writes the temporary file and must have closed it when it resolves; it is then fsynced and
 * renamed over `path`. On any error the temporary is removed and `path` is untouched.
 */
export async function atomicWriteWith<T>(path: string, fill: (tmp: string) => T | Promise<T>): Promise<T> {
  const p = writeTarget(path);
  prepareTarget(p, "file");
  removeStaleTemporaries(p);
  const tmp = temporarySibling(p);
  try {
    const result = await fill(tmp);
    fsyncPath(tmp);
    renameSync(tmp, p);
    fsyncDir(dirname(p));
    return result;
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true});
    throw e;
  }
}

/**
 * A folder written as one (a model: manifest + weights): `fill` writes into a temporary
 * sibling folder, whose files are fsynced; the old folder is moved aside, the new one renamed
 * into place, and the old one removed only after the swap (restored if the swap fails).
 */
export async function atomicWriteDir<T>(dir: string, fill: (tmpDir: string) => T | Promise<T>): Promise<T> {
  const d = writeTarget(dir);
  prepareTarget(d, "folder");
  removeStaleTemporaries(d);
  const tmp = temporarySibling(d);
  const old = `${tmp}.old`;
  mkdirSync(tmp);
  try {
    const result = await fill(tmp);
    for (const f of readdirSync(tmp)) fsyncPath(join(tmp, f));
    fsyncDir(tmp);
    if (existsSync(d)) renameSync(d, old);
    try {
      renameSync(tmp, d);
    } catch (e) {
      if (existsSync(old)) renameSync(old, d);
      throw e;
    }
    fsyncDir(dirname(d));
    rmSync(old, {recursive: true, force: true});
    return result;
  } catch (e) {
    rmSync(tmp, {recursive: true, force: true});
    throw e;
  }
}
