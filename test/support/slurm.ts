// A real Slurm cluster of one node for tests: Debian's slurm-wlm and munge (installed by
// .ci/run), a controller and a node daemon on unused ports in a temporary folder, run as root.
// The recipe is the one verified on these machines (docs/slurm.md).
import {execFileSync, spawnSync} from "node:child_process";
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {cpus, hostname, tmpdir} from "node:os";
import {join} from "node:path";

export interface SlurmCluster {
  /** Environment for sbatch/squeue/scancel: SLURM_CONF set. */
  env: NodeJS.ProcessEnv;
  dir: string;
  stop(): void;
}

const SBIN = "/usr/sbin";

/** Why a cluster cannot start here, or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "Slurm's daemons run as root in this recipe, and this is not root";
  for (const f of [`${SBIN}/slurmctld`, `${SBIN}/slurmd`, `${SBIN}/munged`, "/usr/bin/sbatch"]) {
    if (!existsSync(f)) return `${f} is missing (apt-get install slurm-wlm munge; .ci/run does it)`;
  }
  return undefined;
}

function pidOf(file: string): number | undefined {
  try { return Number(readFileSync(file, "utf8").trim()) || undefined; } catch { return undefined; }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** munged, shared by every test cluster: started once if not running. */
function ensureMunge(): void {
  if (alive(pidOf("/run/munge/munged.pid"))) return;
  if (!existsSync("/etc/munge/munge.key")) execFileSync(`${SBIN}/mungekey`, ["--create"]);
  execFileSync("chown", ["munge:munge", "/etc/munge/munge.key"]);
  execFileSync("chmod", ["400", "/etc/munge/munge.key"]);
  mkdirSync("/run/munge", {recursive: true});
  execFileSync("chown", ["munge:munge", "/run/munge"]);
  execFileSync("su", ["-s", "/bin/sh", "munge", "-c", `${SBIN}/munged`]);
}

/**
 * Starts a controller and a node; resolves when the node is idle. A controller that is gone
 * within seconds of starting (its ports taken by another program: they are drawn at random;
 * once in a CI run it died before writing a line of its log) is started again on other ports,
 * up to three times; its stderr is kept for the error.
 */
export async function startSlurm(): Promise<SlurmCluster> {
  ensureMunge();
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const started = await startOnce();
    if ("cluster" in started) return started.cluster;
    failures.push(`attempt ${attempt}: ${started.failure}`);
    if (!started.retry) break;
  }
  throw new Error(`Slurm did not start: ${failures.join("; ")}`);
}

async function startOnce(): Promise<{cluster: SlurmCluster} | {failure: string; retry: boolean}> {
  const dir = mkdtempSync(join(tmpdir(), "pulsebook-slurm-"));
  for (const d of ["spool", "state", "log"]) mkdirSync(join(dir, d));
  const host = hostname().split(".")[0];
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, "slurm.conf");
  writeFileSync(conf, `ClusterName=pulsebook-test
SlurmctldHost=${host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
SlurmctldLogFile=${dir}/log/ctld.log
SlurmdLogFile=${dir}/log/d.log
SlurmctldPort=${port}
SlurmdPort=${port + 1}
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MinJobAge=3600
NodeName=${host} CPUs=${cpus().length} RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
`);
  const env = {...process.env, SLURM_CONF: conf};
  // The daemons fork and their first process exits; what they say before is kept.
  const said = [`${SBIN}/slurmctld`, `${SBIN}/slurmd`].map((daemon) => {
    const r = spawnSync(daemon, ["-f", conf], {env, encoding: "utf8"});
    return `${daemon.slice(SBIN.length + 1)} exit ${r.status}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ""}`;
  }).join(", ");
  const stop = () => {
    const pids = ["slurmd.pid", "slurmctld.pid"].map((f) => pidOf(join(dir, f))).filter(alive);
    for (const pid of pids) process.kill(pid!, "SIGTERM");
    // The daemons save their state as they stop: wait for them before removing the folder.
    const t0 = Date.now();
    while (pids.some(alive) && Date.now() - t0 < 10_000) spawnSync("sleep", ["0.1"]);
    rmSync(dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 200});
  };
  const log = (f: string) => { try { return readFileSync(join(dir, "log", f), "utf8").slice(-2000); } catch { return ""; } };
  const t0 = Date.now();
  for (;;) {
    const r = spawnSync("sinfo", ["-h", "-o", "%t"], {env, encoding: "utf8"});
    if (r.status === 0 && /^idle/m.test(r.stdout)) return {cluster: {env, dir, stop}};
    const seconds = (Date.now() - t0) / 1000;
    const controllerGone = seconds > 5 && !alive(pidOf(join(dir, "slurmctld.pid")));
    if (controllerGone || seconds > 60) {
      const failure = `${controllerGone ? "the controller is gone" : "node not idle after 60 s"} (ports ${port}, ${port + 1}; ${said}; sinfo: ${r.stdout.trim() || r.stderr.trim()}); ctld log: ${log("ctld.log")}; slurmd log: ${log("d.log")}`;
      stop();
      return {failure, retry: controllerGone};
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
