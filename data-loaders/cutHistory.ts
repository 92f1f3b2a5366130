// Who changed a cut and when: cuts are files (src/cuts/*.cut.json), so their history is git's.
// For every cut file: its name and format version (from the file), and the commits that touched
// it, following renames (`git log --follow`): author, date, subject. Outside a git checkout (a
// copy, a tarball, git not installed) the history says so instead of failing.

import {execFileSync} from "node:child_process";
import {readdirSync} from "node:fs";
import {basename, join} from "node:path";
import {parseCut} from "../lib/cuts/cut.js";
import {readText} from "./io/readFile.js";

export interface CutCommit {
  hash: string;
  author: string;
  /** ISO 8601, as git records it (author date). */
  date: string;
  subject: string;
}

export interface CutFileHistory {
  file: string;
  name?: string;
  formatVersion?: number;
  /** The file could not be read as a cut. */
  error?: string;
  /** Newest first; empty when never committed. */
  commits: CutCommit[];
  /** The working file differs from its last commit (or was never committed). */
  changedSinceCommit: boolean;
}

export interface CutHistory {
  /** Whether the folder is inside a git checkout. */
  git: boolean;
  /** Why there is no history (git false). */
  note?: string;
  cuts: CutFileHistory[];
}

const SEP = "\x1f";

function git(dir: string, args: string[]): string {
  return execFileSync("git", args, {cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24});
}

/** The history of every `*.cut.json` in `dir`, in file-name order; `name` calls `dir` in notes (a published page should not show a build machine's paths). */
export function cutHistory(dir: string, {name = dir}: {name?: string} = {}): CutHistory {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cut.json")).sort();
  let note: string | undefined;
  try {
    if (git(dir, ["rev-parse", "--is-inside-work-tree"]).trim() !== "true") note = `${name} is not inside a git work tree`;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & {stderr?: string};
    note = err.code === "ENOENT" ? "git is not installed here" : `${name} is not in a git checkout (${(err.stderr ?? err.message).trim().split("\n")[0]})`;
  }
  const cuts = files.map((f): CutFileHistory => {
    const path = join(dir, f);
    const entry: CutFileHistory = {file: f, commits: [], changedSinceCommit: false};
    try {
      const cut = parseCut(readText(path), path);
      entry.name = cut.name;
      entry.formatVersion = cut.format_version;
    } catch (e) {
      entry.error = (e as Error).message;
    }
    if (note === undefined) {
      const log = git(dir, ["log", "--follow", `--format=%H${SEP}%an${SEP}%aI${SEP}%s`, "--", basename(path)]);
      entry.commits = log.split("\n").filter(Boolean).map((line) => {
        const [hash, author, date, subject] = line.split(SEP);
        return {hash, author, date, subject};
      });
      entry.changedSinceCommit = git(dir, ["status", "--porcelain", "--", basename(path)]).trim() !== "";
    }
    return entry;
  });
  return note === undefined ? {git: true, cuts} : {git: false, note, cuts};
}
