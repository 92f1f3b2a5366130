// Which run file the pages show, found on disk (the rule is lib/config/runFile.ts chooseRun,
// documented in docs/runs.md), and the keys that tell Framework's loader cache when the chosen
// run or its files changed. Light on purpose: scripts/refresh-loader-cache.mjs imports it
// before every build, so it reads files and stats, never HDF5.

import {createHash} from "node:crypto";
import {existsSync, readdirSync, readFileSync, statSync} from "node:fs";
import {isAbsolute, join, relative} from "node:path";
import {fileURLToPath} from "node:url";
import {chooseRun, parseRunFile, type RunChoice, type RunFile, type RunFilesFound} from "../lib/config/runFile.js";

/** The project root (where pulsebook.yaml and runs/ live). */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** pulsebook.yaml and runs/*.yaml under `root`. */
export function findRunFiles(root = PROJECT_ROOT): RunFilesFound {
  const dir = join(root, "runs");
  const runsDir = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).sort().map((f) => `runs/${f}`) : [];
  return {rootFile: existsSync(join(root, "pulsebook.yaml")), runsDir};
}

/** The chosen run file (absolute path) or the demo; throws when the choice is ambiguous or names nothing. */
export function chosenRunFile(root = PROJECT_ROOT, env = process.env.PULSEBOOK_RUN): RunChoice {
  const choice = chooseRun(env, findRunFiles(root));
  if (choice.kind === "demo") return choice;
  const path = isAbsolute(choice.path) ? choice.path : join(root, choice.path);
  if (!existsSync(path)) throw new Error(`${choice.why}: the run file ${path} does not exist`);
  return {...choice, path};
}

/** Reads and validates a run file (errors name the file and the key). */
export function readRunFile(path: string): RunFile {
  return parseRunFile(readFileSync(path, "utf8"), path);
}

const fileStamp = (path: string): string => {
  const s = statSync(path, {throwIfNoEntry: false});
  return s ? `${s.size}:${s.mtimeMs}` : "missing";
};

/**
 * What a loader showing the chosen run depends on, as a hash: the choice, the run file's
 * content, a process file's content, and the input's size and modification time. A bad or
 * ambiguous choice hashes its message, so the loader runs again and says it.
 */
export function activeRunKey(root = PROJECT_ROOT, env = process.env.PULSEBOOK_RUN): string {
  const hash = createHash("sha256");
  try {
    const choice = chosenRunFile(root, env);
    hash.update(choice.kind).update("\0");
    if (choice.kind === "file") {
      hash.update(relative(root, choice.path)).update("\0").update(readFileSync(choice.path)).update("\0");
      try {
        const run = readRunFile(choice.path);
        if (run.process.kind === "file") hash.update(existsSync(run.process.path) ? readFileSync(run.process.path) : "missing").update("\0");
        hash.update(fileStamp(run.input.path)).update("\0");
        if (run.input.kind === "rdt" && run.input.par) hash.update(fileStamp(run.input.par));
      } catch {
        // The loader reports the bad run file; the key only has to differ from a good one's.
      }
    }
  } catch (e) {
    hash.update(`error\0${(e as Error).message}`);
  }
  return hash.digest("hex").slice(0, 16);
}

/** What a loader summarizing every run depends on: each run file's name, content and input stamp. */
export function allRunsKey(root = PROJECT_ROOT): string {
  const hash = createHash("sha256");
  const found = findRunFiles(root);
  for (const f of [...(found.rootFile ? ["pulsebook.yaml"] : []), ...found.runsDir]) {
    const path = join(root, f);
    hash.update(f).update("\0").update(readFileSync(path)).update("\0");
    try {
      hash.update(fileStamp(readRunFile(path).input.path)).update("\0");
    } catch {
      // reported by the loader
    }
  }
  return hash.digest("hex").slice(0, 16);
}
