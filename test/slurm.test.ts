// `pulsebook submit --slurm` on a real one-node Slurm cluster (test/support/slurm.ts): a run in
// 4 shards, its steps chained by dependencies, one shard of the records array cancelled; the
// submit reports it, the next submit sends that shard alone, and the joined tables equal one
// `pulsebook process` exactly.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {execFile, execFileSync} from "node:child_process";
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {promisify} from "node:util";
import {writeSimulation} from "../data-loaders/simulate.js";
import {processFromFile} from "../data-loaders/processFile.js";
import {PULSEBOOK_BIN} from "./support/cli.js";
import {slurmUnavailable, startSlurm, type SlurmCluster} from "./support/slurm.js";
import {parquetColumns, simulatedRunConfig} from "./support/processRun.js";

const unavailable = slurmUnavailable();
// npm test installs Slurm where it runs as root (scripts/ensure-chromium.mjs), as CI does: there a
// missing cluster is a failure, not a skip.
if (unavailable && process.env.CI) throw new Error(`Slurm test cannot run in CI: ${unavailable}`);

const config = (output: string) => simulatedRunConfig(output, {maxRecords: 60});

const table = parquetColumns;

describe.skipIf(unavailable)(`pulsebook submit --slurm${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let dir: string, cluster: SlurmCluster;
  const submit = async (...extra: string[]) => {
    try {
      const {stdout, stderr} = await promisify(execFile)(process.execPath, [PULSEBOOK_BIN, "submit", join(dir, "sharded.yaml"), "--slurm", "--shards", "4", ...extra], {env: cluster.env, encoding: "utf8"});
      return {code: 0, stdout, stderr};
    } catch (e) {
      const err = e as {code: number; stdout: string; stderr: string};
      return {code: err.code, stdout: err.stdout, stderr: err.stderr};
    }
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-submit-"));
    cluster = await startSlurm();
    await writeSimulation(join(dir, "run.h5"), {events: 100, testpulses: 30, noise: 30, seed: 3});
    writeFileSync(join(dir, "single.yaml"), config("single"));
    writeFileSync(join(dir, "sharded.yaml"), config("sharded"));
    await processFromFile(join(dir, "single.yaml"));
  }, 180_000);
  afterAll(() => { cluster?.stop(); rmSync(dir, {recursive: true, force: true}); });

  it("runs 4 shards after the shared step, resubmits a cancelled shard alone, equals one process", async () => {
    const dry = await submit("--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/#SBATCH --array=0,1,2,3[\s\S]*--step features[\s\S]*--step shared --shards 4[\s\S]*--step records[\s\S]*--step final --shards 4/);
    expect(readdirSync(dir)).not.toContain("sharded"); // a dry run writes nothing

    // Submit, then cancel task 2 of the records array while it waits for the shared step.
    const first = await submit();
    expect(first.code, first.stderr).toBe(0);
    const records = /submitted records \(shards 0,1,2,3\): job (\d+) after (\d+)/.exec(first.stderr);
    const shared = /submitted shared: job (\d+) after (\d+)/.exec(first.stderr);
    expect(records, first.stderr).not.toBeNull();
    expect(records![2]).toBe(shared![1]); // the records array depends on the shared step
    execFileSync("scancel", [`${records![1]}_2`], {env: cluster.env});
    const final = /submitted final: job (\d+)/.exec(first.stderr)![1];
    const ids = [...first.stderr.matchAll(/job (\d+)/g)].map((m) => m[1]);
    // Wait for every job to leave the queue (the final one is cancelled: its dependency failed).
    for (let t = 0; ; t++) {
      const q = execFileSync("squeue", ["-h", "-o", "%i", "-j", ids.join(",")], {env: cluster.env, encoding: "utf8"}).trim();
      if (!q) break;
      if (t > 600) throw new Error(`jobs still queued after 300 s: ${q}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(final).toBeDefined();

    // The next submit finds only shard 2's records (and the final step) missing.
    const second = await submit("--wait");
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/submitted records \(shards 2\)/);
    expect(second.stderr).not.toMatch(/submitted (features|shared)/);
    expect(second.stderr).toMatch(/done: .*summary\.json/);

    for (const f of readdirSync(join(dir, "single")).filter((f) => f.endsWith(".parquet"))) {
      expect(table(join(dir, "sharded", f)), f).toEqual(table(join(dir, "single", f)));
    }
    expect(JSON.parse(readFileSync(join(dir, "sharded", "summary.json"), "utf8")).lineage)
      .toBe(JSON.parse(readFileSync(join(dir, "single", "summary.json"), "utf8")).lineage);
    // Nothing left to do: a third submit submits nothing.
    const third = await submit();
    expect(third.stderr).toMatch(/nothing to submit/);
  }, 600_000);
});
