// Building the site for the browser tests: once per set of sources, shared by test files.
//
// `ensureBuilt()` runs the same steps as `npm run build` (pre-fill Framework's npm cache from
// node_modules, then `observable build`) unless dist/ already holds a build of exactly the
// current sources, recorded by a stamp file with a hash of them. It builds in an isolated copy:
// a fresh temporary folder holding only what a clone holds (tracked files and untracked ones
// that git does not ignore) plus a link to node_modules, so the build cannot use anything
// beside the repository, nor caches or outputs of earlier builds. A lock directory keeps two
// test files (or workers) from building at the same time.

import {execFileSync, spawn} from "node:child_process";
import {createHash} from "node:crypto";
import {existsSync, lstatSync} from "node:fs";
import {copyFile, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {dirname, join, relative} from "node:path";
import {fileURLToPath} from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const DIST = join(ROOT, "dist");
const STAMP = ".pulsebook-build.json";
const LOCK = join(ROOT, ".pulsebook", "build.lock");
const FRAMEWORK_BIN = join(ROOT, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");

/** What a build depends on (besides node_modules, pinned by package-lock.json). */
const INPUTS = ["src", "lib", "data-loaders", "models", "labels", "observablehq.config.ts", "scripts/prefill-npm-cache.mjs", "scripts/refresh-loader-cache.mjs", "package.json", "package-lock.json"];

async function listFiles(path: string, out: string[]): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return;
  if (info.isFile()) {
    out.push(path);
    return;
  }
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path, {withFileTypes: true})) {
    // src/.observablehq is Framework's cache; src/lib is a symlink to lib/ (hashed as lib).
    if (entry.name === ".observablehq" || entry.isSymbolicLink()) continue;
    await listFiles(join(path, entry.name), out);
  }
}

/** Hash of the build's inputs: file names and contents. */
export async function sourceHash(): Promise<string> {
  const files: string[] = [];
  for (const input of INPUTS) await listFiles(join(ROOT, input), files);
  const hash = createHash("sha256");
  for (const file of files.sort()) hash.update(relative(ROOT, file)).update("\0").update(await readFile(file)).update("\0");
  return hash.digest("hex");
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs `fn` holding the build lock (a directory, so acquiring it is atomic). */
export async function withBuildLock<T>(fn: () => Promise<T>, timeoutMs = 840_000): Promise<T> {
  await mkdir(join(ROOT, ".pulsebook"), {recursive: true});
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // A lock left by a process that died is stale.
      const owner = Number(await readFile(join(LOCK, "pid"), "utf8").catch(() => "NaN"));
      const age = Date.now() - ((await stat(LOCK).catch(() => undefined))?.mtimeMs ?? Date.now());
      if ((Number.isInteger(owner) && !processAlive(owner)) || age > 15 * 60_000) {
        await rm(LOCK, {recursive: true, force: true});
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${LOCK} (held by pid ${owner})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await writeFile(join(LOCK, "pid"), String(process.pid));
  try {
    return await fn();
  } finally {
    await rm(LOCK, {recursive: true, force: true});
  }
}

export interface BuildResult {
  output: string;
  ms: number;
  log: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<{code: number | null; log: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd, env, stdio: ["ignore", "pipe", "pipe"]});
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({code, log}));
  });
}

/** What a clone of the repository holds: tracked files and untracked ones git does not ignore (paths relative to `root`). */
export function cloneFiles(root = ROOT): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {cwd: root, encoding: "utf8", maxBuffer: 1 << 26});
  // Tracked files deleted from the working tree are listed too: a clone of the working tree lacks them.
  return [...new Set(listed.split("\0").filter(Boolean))].filter((f) => lstatSync(join(root, f), {throwIfNoEntry: false}) !== undefined);
}

/**
 * Copies `files` (relative to `root`, symbolic links kept as links) into a fresh temporary folder
 * and links node_modules there; returns the folder. Remove it with `rm(dir, {recursive: true})`.
 */
export async function isolatedCopy(files = cloneFiles(), root = ROOT): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pulsebook-clone-"));
  for (const f of files) {
    const from = join(root, f), to = join(dir, f);
    await mkdir(dirname(to), {recursive: true});
    if ((await lstat(from)).isSymbolicLink()) await symlink(await readlink(from), to);
    else await copyFile(from, to);
  }
  await symlink(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/**
 * Pre-fills the npm cache and builds the site in `cwd` (default the repository) into `output`
 * (default dist/). With `offline: true` both steps run under `unshare -n`, in a network
 * namespace with no network. Call inside `withBuildLock`. Throws with the log when a step fails.
 */
export async function buildSite({output = DIST, offline = false, cwd = ROOT}: {output?: string; offline?: boolean; cwd?: string} = {}): Promise<BuildResult> {
  const t0 = performance.now();
  const env = {...process.env, PULSEBOOK_DIST: output, NO_COLOR: "1", OBSERVABLE_TELEMETRY_DISABLE: "true"};
  const steps: [string, string[]][] = [
    [process.execPath, [join(cwd, "scripts", "prefill-npm-cache.mjs"), "--quiet"]],
    // As `npm run build` does: drop cached loader outputs whose lineage changed (docs/pipeline.md).
    [process.execPath, [join(cwd, "scripts", "refresh-loader-cache.mjs"), "--quiet"]],
    [process.execPath, [join(cwd, relative(ROOT, FRAMEWORK_BIN)), "build"]]
  ];
  let log = "";
  for (const [command, args] of steps) {
    const [cmd, argv] = offline ? ["unshare", ["-n", command, ...args]] : [command, args];
    const result = await run(cmd, argv, env, cwd);
    log += `$ ${[cmd, ...argv].join(" ")}\n${result.log}\n`;
    if (result.code !== 0) throw new Error(`build step failed (exit ${result.code}):\n${log}`);
  }
  return {output, ms: performance.now() - t0, log};
}

/** The stamp of a build in dist/: what it was built from and how. */
export interface BuildStamp {
  hash: string;
  builtAt: string;
  ms: number;
  /** Built in an isolated copy holding only a clone's files (see isolatedCopy). */
  isolated: boolean;
  /** Files in that copy. */
  files: number;
  /** Built inside `unshare -n` (no network), where this machine allows it. */
  offline: boolean;
  /** Lines of the build log that tell of a network access attempt. */
  networkErrors: string[];
}

/**
 * dist/ built from the current sources in an isolated copy, with no network where this machine
 * can take it away (`unshare -n`): reuses it when its stamp matches, else builds.
 */
export async function ensureBuilt(): Promise<{dist: string; built: boolean; ms: number; stamp: BuildStamp}> {
  return withBuildLock(async () => {
    const hash = await sourceHash();
    const offline = await canUnshareNetwork();
    const stampPath = join(DIST, STAMP);
    if (existsSync(stampPath)) {
      const stamp = JSON.parse(await readFile(stampPath, "utf8")) as BuildStamp;
      if (stamp.hash === hash && stamp.isolated && stamp.offline === offline) return {dist: DIST, built: false, ms: 0, stamp};
    }
    const files = cloneFiles();
    const copy = await isolatedCopy(files);
    try {
      await rm(DIST, {recursive: true, force: true});
      const {ms, log} = await buildSite({cwd: copy, offline});
      const networkErrors = log.split("\n").filter((l) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|fetch failed/.test(l));
      const stamp: BuildStamp = {hash, builtAt: new Date().toISOString(), ms: Math.round(ms), isolated: true, files: files.length, offline, networkErrors};
      await writeFile(stampPath, JSON.stringify(stamp, null, 2));
      return {dist: DIST, built: true, ms, stamp};
    } finally {
      await rm(copy, {recursive: true, force: true});
    }
  });
}

/** Can this process create a network namespace (`unshare -n`)? */
export async function canUnshareNetwork(): Promise<boolean> {
  try {
    return (await run("unshare", ["-n", "true"], process.env)).code === 0;
  } catch {
    return false;
  }
}
