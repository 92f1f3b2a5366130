// `npm run fuzz:kill [-- --trials N --seed S --only WRITER]`: SIGKILL at seeded random moments of
// each writer's run in an already started process (test/support/killTrials.ts), ≥ 100 trials
// per writer by default. Prints a table and writes bench/results/kill.json. Exit 1 when any
// output was broken, any input changed, or a whole run after a kill left temporaries. Then the
// labeling page's IndexedDB writes on the built site (bench/labelStoreKill.ts, its own results
// file); `--only labeling-page` runs those alone.
import {mkdtempSync, rmSync, writeFileSync, mkdirSync} from "node:fs";
import {tmpdir, cpus, loadavg} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {killTrials, makeFixture, WRITERS, type WriterFigures} from "../test/support/killTrials.js";
import {labelStoreKillBench, type LabelStoreKillFigures} from "./labelStoreKill.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const trials = Number(arg("trials") ?? 100);
const seed = Number(arg("seed") ?? 20);
const only = arg("only");
if (only === "labeling-page") {
  const page = await labelStoreKillBench(trials, seed);
  process.exit(page.broken > 0 ? 1 : 0);
}
const root = mkdtempSync(join(tmpdir(), "pulsebook-kill-"));
const t0 = performance.now();
try {
  const fx = await makeFixture(join(root, "inputs"));
  const results: WriterFigures[] = [];
  const out = fileURLToPath(new URL("results/kill.json", import.meta.url));
  mkdirSync(join(out, ".."), {recursive: true});
  // Written after every writer, so that a long run stopped early keeps what it measured.
  const save = (done: boolean) => writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), seed, trialsPerWriter: trials, complete: done, cpus: cpus().length, seconds: Math.round((performance.now() - t0) / 1000),
    totals: {
      trials: results.reduce((a, r) => a + r.trials, 0), absent: results.reduce((a, r) => a + r.absent, 0), complete: results.reduce((a, r) => a + r.complete, 0),
      incompleteFolders: results.reduce((a, r) => a + r.incompleteFolders, 0), broken: results.reduce((a, r) => a + r.broken, 0), inputsChanged: results.reduce((a, r) => a + r.inputsChanged, 0),
      finishedFirst: results.reduce((a, r) => a + r.finishedFirst, 0), notCleaned: results.filter((r) => r.nextRunCleans === false).length
    },
    load: loadavg().map((x) => Math.round(x * 100) / 100),
    writers: results
  }, null, 2) + "\n");
  for (const w of WRITERS.filter((w) => !only || w.name === only)) {
    const r = await killTrials(w, fx, trials, seed, root);
    results.push(r);
    console.log(`${w.name.padEnd(14)} trials ${r.trials}  absent ${r.absent}  complete ${r.complete}  incomplete folders ${r.incompleteFolders}  broken ${r.broken}  inputs changed ${r.inputsChanged}  ` +
      `finished first ${r.finishedFirst}  left temporaries ${r.leftTemporaries}  next run cleans ${r.nextRunCleans ?? "-"}  (run ${r.runMs} ms, writing from ${r.writeMs} ms)${r.problems.length ? `\n  ${r.problems.slice(0, 5).join("\n  ")}` : ""}`);
    save(false);
  }
  save(true);
  console.log(`wrote ${out} in ${Math.round((performance.now() - t0) / 1000)} s`);
  // The labeling page's IndexedDB writes, with results of their own.
  let page: LabelStoreKillFigures | undefined;
  if (!only) page = await labelStoreKillBench(trials, seed);
  process.exitCode = results.some((r) => r.broken > 0 || r.inputsChanged > 0 || r.nextRunCleans === false) || (page?.broken ?? 0) > 0 ? 1 : 0;
} finally {
  rmSync(root, {recursive: true, force: true});
}
