// The cuts page's history of a cut file: commits that touched it, renames followed, by author,
// date and subject as git recorded them; a working change noticed; outside git, a note.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {execFileSync} from "node:child_process";
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {cutHistory} from "../data-loaders/cutHistory.js";
import {formatCut, makeCut} from "../lib/cuts/cut.js";

let root: string;
const cut = (where: string) => formatCut(makeCut({name: "Fast rise", kind: "sql", where, channel: 0}));

function commit(dir: string, author: string, date: string, subject: string): void {
  execFileSync("git", ["-c", "commit.gpgsign=false", "commit", "-q", "-m", subject], {
    cwd: dir,
    env: {...process.env, GIT_AUTHOR_NAME: author, GIT_AUTHOR_EMAIL: `${author}@lab`, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: author, GIT_COMMITTER_EMAIL: `${author}@lab`, GIT_COMMITTER_DATE: date}
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "pulsebook-cuthistory-"));
});
afterAll(() => rmSync(root, {recursive: true, force: true}));

describe("cut history", () => {
  it("lists who changed a cut file and when, newest first, following a rename", () => {
    const repo = join(root, "repo");
    const cuts = join(repo, "src", "cuts");
    mkdirSync(cuts, {recursive: true});
    execFileSync("git", ["init", "-q"], {cwd: repo});
    writeFileSync(join(cuts, "fast.cut.json"), cut("rise_time_ms < 5"));
    writeFileSync(join(cuts, "other.cut.json"), cut("rise_time_ms < 9"));
    execFileSync("git", ["add", "."], {cwd: repo});
    commit(repo, "Ada", "2026-11-01T10:00:00+00:00", "cuts: fast rise");
    writeFileSync(join(cuts, "fast.cut.json"), cut("rise_time_ms < 4"));
    execFileSync("git", ["add", "."], {cwd: repo});
    commit(repo, "Bo", "2026-11-02T11:30:00+00:00", "tighter rise-time cut");
    execFileSync("git", ["mv", "src/cuts/fast.cut.json", "src/cuts/01-fast.cut.json"], {cwd: repo});
    commit(repo, "Cy", "2026-11-03T09:15:00+00:00", "number the cuts");
    writeFileSync(join(cuts, "other.cut.json"), cut("rise_time_ms < 8"));
    writeFileSync(join(cuts, "broken.cut.json"), "{");

    const h = cutHistory(cuts);
    expect(h.git).toBe(true);
    expect(h.cuts.map((c) => c.file)).toEqual(["01-fast.cut.json", "broken.cut.json", "other.cut.json"]);
    const fast = h.cuts[0];
    expect(fast).toMatchObject({name: "Fast rise", formatVersion: 1, changedSinceCommit: false});
    expect(fast.commits.map(({author, date, subject}) => ({author, date, subject}))).toEqual([
      {author: "Cy", date: "2026-11-03T09:15:00+00:00", subject: "number the cuts"},
      {author: "Bo", date: "2026-11-02T11:30:00+00:00", subject: "tighter rise-time cut"},
      {author: "Ada", date: "2026-11-01T10:00:00+00:00", subject: "cuts: fast rise"}
    ]);
    expect(fast.commits[0].hash).toMatch(/^[0-9a-f]{40}$/);
    expect(h.cuts[1]).toMatchObject({commits: [], changedSinceCommit: true});
    expect(h.cuts[1].error).toMatch(/broken\.cut\.json/);
    expect(h.cuts[2]).toMatchObject({changedSinceCommit: true});
    expect(h.cuts[2].commits.map((c) => c.author)).toEqual(["Ada"]);
  });

  it("outside a git checkout, says so and still lists the cuts with their format version", () => {
    const plain = join(root, "plain");
    mkdirSync(plain);
    writeFileSync(join(plain, "a.cut.json"), cut("rise_time_ms < 5"));
    const h = cutHistory(plain);
    expect(h.git).toBe(false);
    expect(h.note).toMatch(/plain is not in a git checkout \(fatal: not a git repository/);
    expect(h.cuts).toEqual([{file: "a.cut.json", name: "Fast rise", formatVersion: 1, commits: [], changedSinceCommit: false}]);
  });
});
