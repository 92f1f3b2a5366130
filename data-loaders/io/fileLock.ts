// An exclusive lock on a file that a user keeps, for writers that read it, change it and put it
// back (labels import: read, copy, write, rename). atomicWrite alone keeps every version whole,
// but two such writers started together would each rename their own copy over the file and the
// later rename would silently drop the earlier one's changes. Holding this lock around the whole
// read-modify-rename makes the second writer wait for the first and then start from its result.
//
// The lock is a sibling file `.NAME.lock`, created with O_EXCL (`wx`: exactly one creator wins,
// also on NFSv3+) and holding the owner's pid, host and start time. A lock whose process is gone
// (same host, pid no longer alive) is stale and is taken over; a lock held by another host can
// only be waited for. Waiting ends after `timeoutMs` with a message naming the holder.

import {closeSync, openSync, readFileSync, rmSync, statSync, writeSync, fsyncSync} from "node:fs";
import {hostname} from "node:os";
import {basename, dirname, join, resolve} from "node:path";
import {randomBytes} from "node:crypto";
import {setTimeout as sleep} from "node:timers/promises";
import {processAlive} from "./atomicWrite.js";
import {DataFileError} from "../../lib/io/errors.js";

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** When the lock was taken, ISO 8601. */
  time: string;
  /** Tells this holder's lock from a later one of the same pid (pids are reused). */
  token: string;
}

export interface LockOptions {
  /** Give up waiting after this long (default 120 s). */
  timeoutMs?: number;
  /** How often to retry while waiting (default 100 ms). */
  pollMs?: number;
  /** Called once, when the lock is found held and this writer starts waiting. */
  onWait?: (owner: LockOwner | undefined, lockPath: string) => void;
}

/** Thrown when the lock stays held past the timeout (a DataFileError: the CLI prints its message). */
export class FileLockTimeout extends DataFileError {
  constructor(path: string, readonly lockPath: string, readonly owner: LockOwner | undefined, waitedMs: number) {
    super(path, `another process is writing this file (${describeOwner(owner)}); gave up after waiting ${(waitedMs / 1000).toFixed(1)} s. ` +
      `If that process is no longer running, remove ${lockPath}`);
    this.name = "FileLockTimeout";
  }
}

/** The lock file of `path`. */
export function lockPathOf(path: string): string {
  const p = resolve(path);
  return join(dirname(p), `.${basename(p)}.lock`);
}

function describeOwner(owner: LockOwner | undefined): string {
  return owner ? `pid ${owner.pid} on ${owner.host}, since ${owner.time}` : "lock file unreadable";
}

/** The owner recorded in a lock file; undefined when it is missing or (still being) written. */
export function readLockOwner(lockPath: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(lockPath, "utf8")) as Partial<LockOwner>;
    return typeof o.pid === "number" && typeof o.host === "string" && typeof o.time === "string" && typeof o.token === "string" ? o as LockOwner : undefined;
  } catch {
    return undefined;
  }
}

const sameOwner = (a: LockOwner | undefined, b: LockOwner | undefined) => a !== undefined && b !== undefined && a.token === b.token;

/** A lock of this host whose process is gone. */
function isStale(owner: LockOwner | undefined): owner is LockOwner {
  return owner !== undefined && owner.host === hostname() && !processAlive(owner.pid);
}

/** Creates `file` with O_EXCL holding `content`; false when it exists already. */
function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(file, {force: true});
    throw e;
  }
  closeSync(fd);
  return true;
}

// Stale locks are removed under a guard, so that two waiters seeing the same dead owner cannot
// remove each other's fresh lock: the lock is removed only if, under the guard, it is still the
// stale one. A guard (or a lock file never filled in) older than this was left by a process
// killed in that instant.
const ABANDONED_MS = 10_000;

const olderThan = (file: string, ms: number) => {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
};

/** Removes the lock if `stillStale` under the guard; false when another process holds the guard. */
function removeLockIf(lockPath: string, stillStale: () => boolean): boolean {
  const guard = `${lockPath}.takeover`;
  if (olderThan(guard, ABANDONED_MS)) rmSync(guard, {force: true});
  if (!createExclusive(guard, String(process.pid))) return false;
  try {
    if (stillStale()) rmSync(lockPath, {force: true});
  } finally {
    rmSync(guard, {force: true});
  }
  return true;
}

/** A held lock; `release` removes the lock file if it is still this holder's. */
export interface HeldLock {
  lockPath: string;
  owner: LockOwner;
  release(): void;
}

/** Takes the exclusive lock of `path`, waiting for (or taking over from) another holder. */
export async function acquireFileLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  const {timeoutMs = 120_000, pollMs = 100, onWait} = options;
  const lockPath = lockPathOf(path);
  const owner: LockOwner = {pid: process.pid, host: hostname(), time: new Date().toISOString(), token: randomBytes(8).toString("hex")};
  const t0 = Date.now();
  let waiting = false;
  for (;;) {
    owner.time = new Date().toISOString();
    let created: boolean;
    try {
      created = createExclusive(lockPath, JSON.stringify(owner));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DataFileError(path, code === "ENOENT" ? `folder ${dirname(lockPath)} does not exist`
        : `cannot create the write lock ${lockPath} (${code ?? (e as Error).message}): the folder must be writable`);
    }
    if (created) {
      return {
        lockPath,
        owner,
        release() {
          if (sameOwner(readLockOwner(lockPath), owner)) rmSync(lockPath, {force: true});
        }
      };
    }
    const holder = readLockOwner(lockPath);
    if (isStale(holder) && removeLockIf(lockPath, () => sameOwner(readLockOwner(lockPath), holder))) continue;
    // A lock file never filled in: its holder was killed between creating and writing it.
    const abandoned = () => readLockOwner(lockPath) === undefined && olderThan(lockPath, ABANDONED_MS);
    if (holder === undefined && abandoned() && removeLockIf(lockPath, abandoned)) continue;
    if (!waiting) {
      waiting = true;
      onWait?.(holder, lockPath);
    }
    if (Date.now() - t0 >= timeoutMs) throw new FileLockTimeout(resolve(path), lockPath, holder, Date.now() - t0);
    await sleep(pollMs);
  }
}

/** Runs `fn` holding the exclusive lock of `path` (see the top of this file). */
export async function withFileLock<T>(path: string, fn: () => T | Promise<T>, options?: LockOptions): Promise<T> {
  const lock = await acquireFileLock(path, options);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
