// Records/s as a user gets them: `pulsebook features` and `pulsebook process` run as child
// processes (start-up included) with 1 and 2 threads, beside the bare function in a fresh
// process (bench/features-worker.ts, start-up excluded), the CLI launched as it was before
// packages loaded past tsx (bin/pulsebook.mjs of main: tsx and TensorFlow.js's hooks on every
// module), and the anchors h5py raw read and numpy main parameters (bench/python/features_numpy.py)
// measured in the same run on the same file; `process` with 1 and 2 threads (features, OF
// amplitudes and SEV fits on the worker threads) must give the same tables. Wall and CPU seconds (the machine may be shared:
// CPU seconds are what load does not inflate). → bench/results/cli-throughput.json
//   npx tsx bench/cli-throughput.ts [--events N (3000)] [--keep] [--python PYTHON (python3; needs h5py, numpy)]
// `--features-only` measures `features` alone (no process, no trigger) → bench/results/cli-features-N.json,
// adding start-up alone (`--help`), the sources run through tsx (PULSEBOOK_TSX=1) and, with
// `--baseline DIR` (another checkout, e.g. of main), that checkout's CLI on the same file in the same run;
// `--repeat N` runs every variant N times, interleaved, and keeps the median by CPU seconds.
// `--cold N [--cold-rounds R]` runs `features` (1 and 2 threads) and h5py's raw read on an N-event file
// (e.g. 100000, ≈ 18 GB, kept in .pulsebook/bench/) with the page cache dropped before each (needs root:
// /proc/sys/vm/drop_caches), as a run bigger than memory is read: from the disk → `cold`.
// `--steady N [--steady-rounds R]` also runs `features` and `process` (1 and 2 threads; 2 threads also with this thread reading for the workers, PULSEBOOK_READERS=main) on an N-event file (e.g. 20000;
// simulated once under nice and kept in .pulsebook/bench/, never deleted) → `steady_state`, so that
// the rates without start-up weighing are quoted beside this file's; with R rounds, each
// variant R times interleaved, the median by wall time kept.
import {execFileSync, spawnSync} from "node:child_process";
import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {cpus, loadavg, totalmem} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";
import {readParquet} from "../data-loaders/io/parquet.js";
import {openCaitFile} from "../data-loaders/io/node.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const {values} = parseArgs({options: {events: {type: "string", default: "3000"}, keep: {type: "boolean", default: false}, python: {type: "string", default: process.env.PULSEBOOK_PYTHON ?? "python3"},
  "features-only": {type: "boolean", default: false}, baseline: {type: "string"}, repeat: {type: "string", default: "1"}, steady: {type: "string"}, "steady-rounds": {type: "string", default: "1"},
  cold: {type: "string"}, "cold-rounds": {type: "string", default: "1"}}});
const events = Number(values.events);
const work = join(ROOT, ".pulsebook", "bench");
mkdirSync(work, {recursive: true});
const h5 = join(work, `cli-${events}.h5`);
const BIN = join(ROOT, "bin", "pulsebook.mjs");
const tsx = join(ROOT, "node_modules", ".bin", "tsx");
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
// bin/pulsebook.mjs as it was on main before this bench: every module through tsx, tfjs hooks always.
const OLD_LAUNCHER = `import {register} from "tsx/esm/api"; register();
await import(${JSON.stringify(join(ROOT, "data-loaders", "tfjs", "registerTfjsEsm.mjs"))});
const {main} = await import(${JSON.stringify(join(ROOT, "data-loaders", "cli", "main.ts"))});
process.exitCode = await main(process.argv.slice(1));`;

interface Timed {wall_s: number; cpu_s: number | null; peak_RSS_MiB: number | null}

/** Runs a command; wall seconds, and user+system CPU seconds and peak RSS where /usr/bin/time is there. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed & {stdout: string} {
  const t0 = performance.now();
  const r = TIME ? spawnSync(TIME, ["-f", "TIME %U %S %M", cmd, ...args], {encoding: "utf8", cwd: ROOT, maxBuffer: 1 << 26, env})
    : spawnSync(cmd, args, {encoding: "utf8", cwd: ROOT, maxBuffer: 1 << 26, env});
  const wall_s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  const m = /TIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? "");
  return {wall_s, cpu_s: m ? +m[1] + +m[2] : null, peak_RSS_MiB: m ? +m[3] / 1024 : null, stdout: r.stdout};
}

const rate = (records: number, t: Timed) => ({
  records, wall_s: t.wall_s, records_per_s: records / t.wall_s,
  cpu_s: t.cpu_s, records_per_cpu_s: t.cpu_s ? records / t.cpu_s : null, peak_RSS_MiB: t.peak_RSS_MiB
});

/** The best `features` rate through the CLI (1 or 2 threads) and its ratio to the same run's h5py raw read. */
function featuresSummary(results: {[k: string]: unknown}, features: {[k: string]: unknown}) {
  const raw = results.h5py_raw_read as {records_per_s?: number};
  const best = Math.max(...[1, 2].map((n) => (features[`threads_${n}`] as {records_per_s: number}).records_per_s));
  return {best, summary: {
    cli_features_best_records_per_s: best,
    cli_features_over_h5py_raw_read: raw.records_per_s ? best / raw.records_per_s : null
  }};
}

/** The bench file of `n` events, simulated once (under nice where there is one: others may share the machine). */
function benchFile(n: number): string {
  const path = join(work, `cli-${n}.h5`);
  if (existsSync(path)) return path;
  console.error(`simulating ${n} events (+ ${Math.ceil(n / 5)} test pulses, noise traces) → ${path}`);
  const simulate = [BIN, "simulate", "--events", String(n), "--out", path, "--quiet"];
  if (existsSync("/usr/bin/nice")) execFileSync("/usr/bin/nice", ["-n", "10", process.execPath, ...simulate], {stdio: "inherit"});
  else execFileSync(process.execPath, simulate, {stdio: "inherit"});
  return path;
}
benchFile(events);
const recordsOf = (group: string, n = events) => n * 2 * (group === "events" ? 1 : 0.2);
/** Records `process` computes on a file of n events: its events, test pulses and noise. */
const chainRecords = (n: number) => recordsOf("events", n) + recordsOf("testpulses", n) + recordsOf("noise", n);
const eventRecords = events * 2;
const results: {[k: string]: unknown} = {
  date: new Date().toISOString(),
  machine: {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_GiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version},
  file: {events, records_of_events: eventRecords, channels: 2, samples_per_record: 16384, GB: statSync(h5).size / 1e9},
  load_average_before: loadavg()
};

// The anchors.
const py = (...a: string[]) => JSON.parse(execFileSync(values.python, [join(ROOT, "bench", "python", "features_numpy.py"), ...a], {encoding: "utf8"}).trim().split("\n").at(-1)!);
try {
  console.error("h5py raw read, numpy main parameters");
  results.h5py_raw_read = py("raw", h5);
  results.numpy_main_parameters = py("mainpar", h5, "600");
} catch (e) {
  results.h5py_raw_read = `not measured: ${values.python} with h5py and numpy is not available (${(e as Error).message.split("\n")[0]})`;
}

const out = join(work, "cli-features.parquet");
console.error("bare writeFeatures (in-process, start-up excluded)");
const bare = JSON.parse(execFileSync(tsx, [join(ROOT, "bench", "features-worker.ts"), h5, out, "64"], {encoding: "utf8"}).trim().split("\n").at(-1)!);
results.bare_writeFeatures_1_thread = {records: bare.rows, seconds: bare.seconds, records_per_s: bare.rows / bare.seconds, peak_RSS_MiB: bare.maxRSS_MiB};

const features: {[k: string]: unknown} = {};
console.error("pulsebook features, launched as on main (tsx and tfjs hooks on everything), 1 thread");
features.launcher_as_before_1_thread = rate(eventRecords, timed(process.execPath, ["--input-type=module", "-e", OLD_LAUNCHER, "features", h5, "--out", out, "--force", "--quiet", "--threads", "1"]));
for (const threads of [1, 2]) {
  console.error(`pulsebook features --threads ${threads}`);
  features[`threads_${threads}`] = rate(eventRecords, timed(process.execPath, [BIN, "features", h5, "--out", out, "--force", "--quiet", "--threads", String(threads)]));
}
results.cli_features = features;

if (values["features-only"]) {
  // Start-up alone, the same sources through tsx, and another checkout's CLI, each in this run.
  const startup: {[k: string]: unknown} = {};
  const bins: [string, string, NodeJS.ProcessEnv][] = [["precompiled", BIN, process.env], ["tsx", BIN, {...process.env, PULSEBOOK_TSX: "1"}]];
  if (values.baseline) bins.push(["baseline", join(values.baseline, "bin", "pulsebook.mjs"), process.env]);
  timed(process.execPath, [BIN, "--help"]); // builds the compiled tree if the sources changed
  for (const [name, bin, env] of bins) {
    console.error(`pulsebook --help (${name})`);
    const runs = Array.from({length: 3}, () => timed(process.execPath, [bin, "--help"], env));
    startup[`help_${name}`] = runs.reduce((a, b) => ((a.cpu_s ?? a.wall_s) <= (b.cpu_s ?? b.wall_s) ? a : b));
  }
  // Each variant once per round, rounds interleaved, so that load changes reach all alike; the
  // median round by CPU seconds is kept, with every round's CPU and wall seconds beside it.
  const rounds = Math.max(1, Number(values.repeat));
  const runsOf: {[k: string]: Timed[]} = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, bin, env] of bins) {
      for (const threads of [1, 2]) {
        const key = name === "precompiled" ? `threads_${threads}` : `${name}_threads_${threads}`;
        if (rounds === 1 && name === "precompiled") continue; // measured above
        console.error(`pulsebook features --threads ${threads} (${name}), round ${round + 1} of ${rounds}`);
        const {stdout: _, ...t} = timed(process.execPath, [bin, "features", h5, "--out", out, "--force", "--quiet", "--threads", String(threads)], env);
        (runsOf[key] ??= []).push(t);
      }
    }
  }
  for (const [key, runs] of Object.entries(runsOf)) {
    const sorted = [...runs].sort((a, b) => (a.cpu_s ?? a.wall_s) - (b.cpu_s ?? b.wall_s));
    features[key] = {...rate(eventRecords, sorted[sorted.length >> 1]), rounds: runs.map((r) => ({cpu_s: r.cpu_s, wall_s: +r.wall_s.toFixed(2)}))};
  }
  for (const t of Object.values(startup)) delete (t as {stdout?: string}).stdout;
  results.startup_best_of_3 = startup;
  if (values.baseline) results.baseline = {checkout: values.baseline, commit: execFileSync("git", ["-C", values.baseline, "rev-parse", "--short", "HEAD"], {encoding: "utf8"}).trim()};
  results.commit = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], {encoding: "utf8"}).trim();
  results.load_average_after = loadavg();
  results.summary = {
    ...featuresSummary(results, features).summary,
    target: "features ≥ 80 % of the h5py raw read rate measured in the same run"
  };
  rmSync(out, {force: true});
  if (!values.keep) rmSync(h5, {force: true});
  const file = join(ROOT, "bench", "results", `cli-features-${events}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
  console.log(JSON.stringify(results, null, 2));
  console.error(`wrote ${file}`);
  process.exit(0);
}

// The whole chain: features of every group, SEV, NPS, OF, SEV fit, calibration.
const run = join(work, "cli-run");
const config = join(work, "cli-run.yaml");
const processConfig = (input: string, output: string) => `version: 1\ninput: ${input}\noutput: ${output}\nsev:\n  selection: "label = 1 AND pulse_height_V BETWEEN 0.2 AND 1"\n  maxRecords: 200\nnps:\n  selection: "abs(baseline_slope_V_per_s) < 0.05"\nsevFit: true\ncalibration:\n  amplitude: of_amplitude_V\n  line_keV: 5.895\n`;
writeFileSync(config, processConfig(h5, run));
const processRecords = chainRecords(events);
const processRuns: {[k: string]: unknown} = {};
// Every column of every table, to check that each thread count computes the same values.
const tablesOf = (dir: string) => ["events", "testpulses", "noise"].map((g) => {
  const t = readParquet(readFileSync(join(dir, `${g}.parquet`)), `${g}.parquet`);
  return t.schema.fields.map((f) => Array.from(t.getChild(f.name)!.toArray() as ArrayLike<number>));
});
const tables: number[][][][] = [];
const threadsOption = /--threads/.test(execFileSync(process.execPath, [BIN, "help", "process"], {encoding: "utf8"}));
for (const threads of threadsOption ? [1, 2] : [0]) {
  rmSync(run, {recursive: true, force: true}); // no reuse: every stage computed
  console.error(`pulsebook process${threads ? ` --threads ${threads}` : ""}`);
  const t = timed(process.execPath, [BIN, "process", config, "--quiet", ...(threads ? ["--threads", String(threads)] : [])]);
  const summary = JSON.parse(readFileSync(join(run, "summary.json"), "utf8"));
  processRuns[threads ? `threads_${threads}` : "threads_default"] = {...rate(processRecords, t), stages: summary.ran};
  tables.push(tablesOf(run));
}
// Object.is: NaN equals NaN, and 0 and -0 differ.
processRuns.same_tables_for_each_thread_count = tables.every((t) => t.every((cols, g) => cols.every((col, c) => col.every((v, i) => Object.is(v, tables[0][g][c][i])))));
results.cli_process = processRuns;

// The stream trigger: cait's two reference streams (test/fixtures/cait-mock, 33 s each) tiled
// to 2²⁴⁺ samples, as a long stream would be; `pulsebook trigger` with 1 and 2 threads (one
// stream per thread) must find the same triggers.
const fixtures = join(ROOT, "test", "fixtures", "cait-mock");
const TILES = 24;
const streams = [0, 1].map((c) => {
  const path = join(work, `tiled_Ch${c}.csmpl`);
  writeFileSync(path, Buffer.concat(Array.from({length: TILES}, () => readFileSync(join(fixtures, "raw", `stream_001_Ch${c}.csmpl`)))));
  return path;
});
const streamSeconds = (statSync(streams[0]).size / 2) / 25_000;
const triggerRuns: {[k: string]: unknown} = {stream_seconds: streamSeconds, streams: 2};
const triggerLists: string[] = [];
for (const threads of [1, 2]) {
  const h5Out = join(work, `tiled-trigger-${threads}.h5`);
  console.error(`pulsebook trigger --threads ${threads}`);
  const t = timed(process.execPath, [BIN, "trigger", ...streams, "--of", join(fixtures, "mock_001-P_Ch0-L_Ch1.h5"), "--threshold", "0.0035,0.0035", "--out", h5Out, "--force", "--quiet", "--threads", String(threads)]);
  triggerRuns[`threads_${threads}`] = {...t, times_real_time: streamSeconds / t.wall_s};
  // One digest of the trigger list, heights and every record sample (the files' provenance differs: the command line).
  const f = await openCaitFile(h5Out), digest = createHash("sha256");
  for (const d of ["stream/trigger_sample", "stream/trigger_height"]) digest.update(JSON.stringify(Array.from(f.readArray(d).values, Number)));
  for (const c of f.chunks("events", 64)) digest.update(new Uint8Array(c.samples.buffer, c.samples.byteOffset, c.samples.byteLength));
  triggerLists.push(digest.digest("hex"));
  f.close();
  rmSync(h5Out, {force: true});
}
for (const path of streams) rmSync(path, {force: true});
triggerRuns.same_triggers_and_records_for_each_thread_count = triggerLists.every((h) => h === triggerLists[0]);
results.cli_trigger = triggerRuns;

if (values.steady) {
  // The same commands on a bigger file, where start-up weighs little: the steady state.
  const n = Number(values.steady);
  const big = benchFile(n);
  const steady: {[k: string]: unknown} = {events: n, records_of_events: recordsOf("events", n), GB: statSync(big).size / 1e9, load_average_before: loadavg()};
  // With 2 threads the workers read their chunks here (data-loaders/featurePool.ts readersFor);
  // `…_main_reads` is the same command with this thread reading for them, as on small files.
  const mainReads = {...process.env, PULSEBOOK_READERS: "main"};
  const bigRun = join(work, "cli-run-steady"), bigConfig = join(work, "cli-run-steady.yaml");
  writeFileSync(bigConfig, processConfig(big, bigRun));
  const features = (threads: number, env = process.env) => () => rate(recordsOf("events", n), timed(process.execPath, [BIN, "features", big, "--out", out, "--force", "--quiet", "--threads", String(threads)], env));
  const chain = (threads: number, env = process.env) => () => {
    rmSync(bigRun, {recursive: true, force: true});
    return rate(chainRecords(n), timed(process.execPath, [BIN, "process", bigConfig, "--quiet", ...(threads ? ["--threads", String(threads)] : [])], env));
  };
  const variants: [string, () => ReturnType<typeof rate>][] = [
    ["features_threads_1", features(1)], ["features_threads_2", features(2)], ["features_threads_2_main_reads", features(2, mainReads)],
    ...(threadsOption ? [["process_threads_1", chain(1)], ["process_threads_2", chain(2)], ["process_threads_2_main_reads", chain(2, mainReads)]] as [string, () => ReturnType<typeof rate>][] : [["process_threads_default", chain(0)]] as [string, () => ReturnType<typeof rate>][])
  ];
  // `--steady-rounds N`: each variant once per round, rounds interleaved (this machine's speed
  // drifts by 10–20 % over minutes); the median round by wall time is kept, every round beside it.
  const rounds = Math.max(1, Number(values["steady-rounds"]));
  const runs: {[k: string]: ReturnType<typeof rate>[]} = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of variants) {
      console.error(`steady state (${n} events): ${name}, round ${round + 1} of ${rounds}`);
      (runs[name] ??= []).push(run());
    }
  }
  for (const [name, all] of Object.entries(runs)) {
    const median = [...all].sort((a, b) => a.wall_s - b.wall_s)[all.length >> 1];
    steady[name] = rounds > 1 ? {...median, rounds_wall_s: all.map((r) => +r.wall_s.toFixed(2))} : median;
  }
  // h5py's raw read of this file (its pages as warm as for the commands just run), for the
  // target's ratio where start-up weighs little.
  try {
    console.error(`steady state (${n} events): h5py raw read`);
    const raw = py("raw", big) as {records_per_s: number};
    steady.h5py_raw_read = raw;
    const best = Math.max(...["features_threads_1", "features_threads_2"].map((k) => (steady[k] as {records_per_s: number}).records_per_s));
    steady.features_best_over_h5py_raw_read = best / raw.records_per_s;
  } catch (e) {
    steady.h5py_raw_read = `not measured: ${(e as Error).message.split("\n")[0]}`;
  }
  rmSync(bigRun, {recursive: true, force: true});
  rmSync(bigConfig, {force: true});
  steady.load_average_after = loadavg();
  results.steady_state = steady;
}
if (values.cold) {
  // From the disk: a user's run (20–200 GB) does not fit in the page cache, so every record comes
  // from the disk once. The cache is dropped before each command and before h5py's read (the
  // anchor, the read loop alone as above), each variant once per round, rounds interleaved.
  const n = Number(values.cold);
  const cold: {[k: string]: unknown} = {events: n, records_of_events: recordsOf("events", n)};
  const dropCaches = (): string | undefined => {
    try {
      execFileSync("sync");
      writeFileSync("/proc/sys/vm/drop_caches", "3\n");
      return undefined;
    } catch (e) {
      return `not measured: the page cache cannot be dropped here (${(e as Error).message.split("\n")[0]}; needs root)`;
    }
  };
  // Asked first: without root the big file is not even made.
  const refused = dropCaches();
  if (refused) cold.skipped = refused;
  else {
    const big = benchFile(n);
    Object.assign(cold, {GB: statSync(big).size / 1e9, load_average_before: loadavg()});
    const rounds = Math.max(1, Number(values["cold-rounds"]));
    // h5py's read only where the first anchors could run (python3 with h5py): a failing command fails the bench.
    const h5py = typeof results.h5py_raw_read !== "string";
    const runs: {[k: string]: {records_per_s: number}[]} = {};
    const variants: [string, () => {records_per_s: number}][] = [
      ...(h5py ? [["h5py_raw_read", () => py("raw", big)] as [string, () => {records_per_s: number}]] : []),
      ...[2, 1].map((threads): [string, () => {records_per_s: number}] => [`features_threads_${threads}`,
        () => rate(recordsOf("events", n), timed(process.execPath, [BIN, "features", big, "--out", out, "--force", "--quiet", "--threads", String(threads)]))])
    ];
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of variants) {
        console.error(`cold (${n} events, page cache dropped): ${name}, round ${round + 1} of ${rounds}`);
        dropCaches();
        (runs[name] ??= []).push(run());
      }
    }
    for (const [name, all] of Object.entries(runs)) {
      const median = [...all].sort((a, b) => a.records_per_s - b.records_per_s)[all.length >> 1];
      cold[name] = rounds > 1 ? {...median, rounds_records_per_s: all.map((r) => Math.round(r.records_per_s))} : median;
    }
    if (!h5py) cold.h5py_raw_read = results.h5py_raw_read;
    else {
      const raw = (cold.h5py_raw_read as {records_per_s: number}).records_per_s;
      const best = Math.max(...["features_threads_1", "features_threads_2"].map((k) => (cold[k] as {records_per_s: number}).records_per_s));
      cold.features_best_over_h5py_raw_read = best / raw;
      // Round by round (each round's commands ran minutes apart at most, the disk's speed alike).
      cold.rounds_features_best_over_h5py_raw_read = Array.from({length: rounds}, (_, r) =>
        +(Math.max(runs.features_threads_1[r].records_per_s, runs.features_threads_2[r].records_per_s) / runs.h5py_raw_read[r].records_per_s).toFixed(3));
    }
  }
  cold.load_average_after = loadavg();
  results.cold = cold;
}
results.load_average_after = loadavg();

const {best, summary: featuresFigures} = featuresSummary(results, features);
results.summary = {
  ...featuresFigures,
  cli_features_over_bare_function: best / (results.bare_writeFeatures_1_thread as {records_per_s: number}).records_per_s,
  cli_features_over_launcher_as_before: best / (features.launcher_as_before_1_thread as {records_per_s: number}).records_per_s,
  // The same ratio where start-up weighs little (page cache warm), and from the disk (cache dropped).
  steady_features_over_h5py_raw_read: (results.steady_state as {features_best_over_h5py_raw_read?: number} | undefined)?.features_best_over_h5py_raw_read ?? null,
  from_disk_features_over_h5py_raw_read: (results.cold as {features_best_over_h5py_raw_read?: number} | undefined)?.features_best_over_h5py_raw_read ?? null,
  cli_process_threads_2_over_1: threadsOption ? (processRuns.threads_2 as {records_per_s: number}).records_per_s / (processRuns.threads_1 as {records_per_s: number}).records_per_s : null,
  target: "features ≥ 80 % of the h5py raw read rate measured in the same run"
};

rmSync(out, {force: true});
rmSync(run, {recursive: true, force: true});
rmSync(config, {force: true});
if (!values.keep) rmSync(h5, {force: true});
mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
const file = join(ROOT, "bench", "results", "cli-throughput.json");
writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
console.log(JSON.stringify(results, null, 2));
console.error(`wrote ${file}`);
