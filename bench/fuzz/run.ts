// `npm run fuzz [-- --count N --seed S --only features,cuts --work DIR]`: the fuzz suite over
// every reading command (bench/fuzz/suite.ts); writes the table per command, and every input
// that was not handled well, to bench/results/fuzz.json.
import {mkdirSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {fileURLToPath} from "node:url";
import {runSuite, tables, type Outcome} from "./suite.js";
import {DEFAULT_LIMITS} from "./harness.js";

const {values} = parseArgs({options: {
  count: {type: "string", default: "2000"}, jobs: {type: "string", default: "2"}, seed: {type: "string", default: "1"}, only: {type: "string"},
  work: {type: "string", default: join(tmpdir(), "pulsebook-fuzz")}, out: {type: "string", default: fileURLToPath(new URL("../results/fuzz.json", import.meta.url))}
}});
const count = Number(values.count), seed = Number(values.seed);
const t0 = performance.now();
const write = (outcomes: Outcome[], done: boolean) => {
  mkdirSync(join(values.out!, ".."), {recursive: true});
  writeFileSync(values.out!, JSON.stringify({
    seed, count, done, seconds: Math.round((performance.now() - t0) / 1000), limits: DEFAULT_LIMITS,
    tables: tables(outcomes),
    problems: [...outcomes].sort((a, b) => a.k - b.k).filter((o) => o.verdict === "unclear" || o.verdict === "crash" || o.verdict === "silently-wrong")
  }, null, 2) + "\n");
};
const all: Outcome[] = [];
const {outcomes} = await runSuite({
  count, seed, jobs: Number(values.jobs), only: values.only?.split(","), work: values.work!,
  onOutcome(o, done) {
    all.push(o);
    if (o.verdict !== "clear" && o.verdict !== "correct") console.error(`${done}/${count} ${o.command} [${o.input}] ${o.mutation}: ${o.verdict} — ${o.why}\n    ${o.stderr.trim().split("\n").slice(-3).join("\n    ")}`);
    else if (done % 50 === 0) console.error(`${done}/${count}`);
    if (done % 100 === 0) write(all, false);
  }
});
write(outcomes, true);
console.table(tables(outcomes));
