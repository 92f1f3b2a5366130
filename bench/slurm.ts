// Wall time of a run submitted to a real one-node Slurm cluster (test/support/slurm.ts) in 1, 2
// and 4 shards, beside one `pulsebook process` of the same config, all through the CLI as a user
// runs them. Needs root, slurm-wlm and munge (docs/slurm.md). → bench/results/slurm.json
import {execFileSync} from "node:child_process";
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {loadavg, tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";
import {writeSimulation} from "../data-loaders/simulate.js";
import {slurmUnavailable, startSlurm} from "../test/support/slurm.js";
import {simulatedRunConfig} from "../test/support/processRun.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "pulsebook.mjs");
const {values} = parseArgs({options: {events: {type: "string", default: "2000"}, shards: {type: "string", default: "1,2,4"}}});
const events = Number(values.events);
const why = slurmUnavailable();
if (why) {
  console.error(`bench slurm: not measured: ${why}`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "pulsebook-bench-slurm-"));
const cluster = await startSlurm();
try {
  await writeSimulation(join(dir, "run.h5"), {events, testpulses: Math.round(events / 5), noise: Math.round(events / 5), seed: 1});
  const records = 2 * (events + 2 * Math.round(events / 5));
  const config = (out: string) => simulatedRunConfig(out, {maxRecords: 500});
  const time = (args: string[]) => {
    const t0 = performance.now();
    execFileSync(process.execPath, [BIN, ...args], {env: cluster.env, stdio: ["ignore", "ignore", "inherit"]});
    return (performance.now() - t0) / 1000;
  };
  writeFileSync(join(dir, "single.yaml"), config("single"));
  const load0 = loadavg();
  const single = time(["process", join(dir, "single.yaml"), "--threads", "1", "--quiet"]);
  const runs = values.shards!.split(",").map(Number).map((n) => {
    writeFileSync(join(dir, `s${n}.yaml`), config(`s${n}`));
    const seconds = time(["submit", join(dir, `s${n}.yaml`), "--slurm", "--shards", String(n), "--wait", "--quiet"]);
    const same = ["events", "testpulses", "noise"].every((g) => readFileSync(join(dir, `s${n}`, `${g}.parquet`)).length > 0);
    return {shards: n, jobs: 2 * n + 2, wall_s: +seconds.toFixed(1), records_per_s: Math.round(records / seconds), outputs_written: same};
  });
  const result = {
    what: "pulsebook process vs pulsebook submit --slurm --wait (features, shared, records, final as chained jobs) on a one-node cluster, 1 CPU per job",
    events, records, node_cpus: (await import("node:os")).cpus().length,
    single_process: {wall_s: +single.toFixed(1), records_per_s: Math.round(records / single)},
    slurm: runs,
    load_average_before: load0, load_average_after: loadavg(),
    when: new Date().toISOString()
  };
  mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
  writeFileSync(join(ROOT, "bench", "results", "slurm.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(JSON.stringify(result, null, 2));
} finally {
  cluster.stop();
  rmSync(dir, {recursive: true, force: true});
}
