// Data safety under SIGKILL: each writer killed at seeded random moments of its run leaves its
// inputs byte-identical and its output absent or complete (equal to a finished run's) — never a
// partial file that looks complete. A few trials per writer here; `npm run fuzz:kill` runs
// ≥ 100 per writer (bench/kill.ts → bench/results/kill.json).

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {killTrials, makeFixture, WRITERS, type Fixture} from "./support/killTrials.js";

const TRIALS = 5;
let root: string;
let fx: Fixture;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "pulsebook-killtest-"));
  fx = await makeFixture(join(root, "inputs"));
}, 60_000);
afterAll(() => rmSync(root, {recursive: true, force: true}));

describe("SIGKILL at seeded random moments", () => {
  for (const writer of WRITERS) {
    it(`${writer.name}: inputs unchanged, output absent or complete (${TRIALS} trials)`, async () => {
      const r = await killTrials(writer, fx, TRIALS, 7, root);
      expect(r.problems).toEqual([]);
      expect(r.trials).toBe(TRIALS);
      expect(r.broken).toBe(0);
      expect(r.inputsChanged).toBe(0);
      expect(r.absent + r.complete + r.incompleteFolders).toBe(TRIALS);
    }, 180_000);
  }
});
