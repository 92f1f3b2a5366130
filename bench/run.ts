// `npm run bench`: throughput and memory of the data path on real-sized data.
//   1. simulate a 20,000-event CRESST-like file (2 channels × 16384 samples, ≈ 2.6 GB)
//   2. features → Parquet, streamed, in a fresh process: records/s, MB/s, peak RSS
//   3. DSP: OF amplitudes (records/s), OF trigger (× real time), SEV fit (records/s), beside
//      the same work in numpy/scipy (bench/python/dsp_numpy.py) when python3 has them
//   4. raw DAQ data (bench/raw.ts → bench/results/raw.json): .rdt conversion, .csmpl trigger
//   5. anomaly search (bench/anomaly.ts → bench/results/anomaly.json): 10⁴ pseudo-experiments
//      in Node and Chromium, classifier/VAE training and inference per tfjs backend; and the
//      three statistics against exposure at full size (bench/anomaly-lr.ts → anomaly-lr.json)
//   6. the labeling page on a 400,000-row feature table (200,000 events × 2 channels) in Chromium:
//      first render, re-render after a selection, a zoom and labelling (bench/labeling-render.ts,
//      also `npm run bench:labeling`)
//   7. ML: the CNN's training and inference records/s on every backend available here (wasm,
//      cpu; webgpu where navigator.gpu gives an adapter, here Dawn on Mesa), and inference on 2
//      worker threads (bench/ml-worker.ts, one fresh process per backend) → bench/results/ml.json
//   8. boosted trees: GBDT training and inference records/s and TreeSHAP records/s on simulated
//      feature rows (bench/trees.ts → bench/results/trees.json)
//   9. FFT-based stages per record length (bench/fft-worker.ts → bench/results/fft.json): rfft+irfft,
//      OF design, OF amplitudes float64 and batch, NPS, aligned SEV, SEV fit, OF trigger, on 2^14,
//      6250, 10000, 3072 and 4099 samples; with --before REV also REV's lib/ (from git) on the same
//      lengths, for before/after figures
//  10. through the CLI: `pulsebook features` and `pulsebook process` as child processes with 1 and 2
//      threads, beside the bare function, h5py's raw read and numpy's main parameters on the same
//      file, on a 20,000-event file (page cache warm) and from the disk on a 100,000-event one
//      (bench/cli-throughput.ts → bench/results/cli-throughput.json)
//  11. a real one-node Slurm cluster: `pulsebook submit --slurm --wait` in 1, 2, 4 shards beside one
//      `pulsebook process` (bench/slurm.ts → bench/results/slurm.json; needs root, slurm-wlm, munge)
//  12. the record store on a 200,000-event run (≈ 26 GB, made once in .pulsebook/bench/records/):
//      store write MB/s, and in Chromium fetch + draw of random events and memory while stepping
//      through 1,000 of them (bench/records.ts → bench/results/records.json)
//  13. adapting the shipped CNN to detectors outside its training family: the active-learning loop
//      (fine-tune on 25…200 chosen labels) on fast-light detectors, labels → BA and recall with
//      intervals (bench/adapt.ts → bench/results/adapt.json)
//   --events N (default 20000)   --keep (keep the simulated file for the next run)
//   --only features|dsp|raw|anomaly|anomaly-lr|labeling|ml|trees|fft|cli|slurm|records|adapt (one section; each writes its own file in bench/results/)
//   --models cnn,cnn-full,tscn,lstm,tst  --backends webgpu,wasm,cpu (ML section only: a subset of models
//      and backends, written to bench/results/ml-MODELS-BACKENDS.json instead of ml.json)
import {execFileSync} from "node:child_process";
import {existsSync, mkdirSync, rmSync, statSync, writeFileSync} from "node:fs";
import {cpus, loadavg, totalmem} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const {values} = parseArgs({options: {events: {type: "string", default: "20000"}, keep: {type: "boolean", default: false}, only: {type: "string"}, models: {type: "string"}, backends: {type: "string"}, before: {type: "string"}}});
const SECTIONS = ["features", "dsp", "raw", "anomaly", "anomaly-lr", "labeling", "ml", "trees", "fft", "cli", "slurm", "records", "adapt"] as const;
if (values.only && !SECTIONS.includes(values.only as never)) throw new Error(`--only must be one of ${SECTIONS.join(", ")}, got "${values.only}"`);
const run = (section: (typeof SECTIONS)[number]) => !values.only || values.only === section;
const events = Number(values.events);
const work = join(ROOT, ".pulsebook", "bench");
mkdirSync(work, {recursive: true});
const h5 = join(work, `bench-${events}.h5`);
const parquet = join(work, `bench-${events}.parquet`);
const tsx = join(ROOT, "node_modules", ".bin", "tsx");

function worker(script: string, args: string[]): {[k: string]: number} {
  const out = execFileSync(tsx, [join(ROOT, "bench", script), ...args], {encoding: "utf8", stdio: ["ignore", "pipe", "inherit"]});
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

const machine = {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_GiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version};
const results: {[k: string]: unknown} = {date: new Date().toISOString(), machine};

if (run("features")) {
  let sim: {[k: string]: number} | undefined;
  if (!existsSync(h5)) {
    console.error(`simulating ${events} events → ${h5}`);
    sim = worker("simulate-worker.ts", [h5, String(events), "12345"]);
  }
  const bytes = statSync(h5).size;
  const recordsPerEvent = 2;
  if (sim) {
    results.simulate = {...sim, records_per_s: (events * recordsPerEvent) / sim.seconds, MB_per_s: bytes / 1e6 / sim.seconds};
  }

  console.error(`features of ${h5} (${(bytes / 1e9).toFixed(2)} GB)`);
  const feat = worker("features-worker.ts", [h5, parquet, "64"]);
  // The same on a file 20× smaller: bounded memory means the same peak RSS.
  const small = join(work, "bench-small.h5");
  const smallEvents = Math.max(1, Math.round(events / 20));
  if (!existsSync(small)) worker("simulate-worker.ts", [small, String(smallEvents), "12345"]);
  const featSmall = worker("features-worker.ts", [small, parquet + ".small", "64"]);
  results.features = {
    file_GB: bytes / 1e9,
    events: feat.events,
    rows: feat.rows,
    seconds: feat.seconds,
    records_per_s: feat.rows / feat.seconds,
    MB_per_s: bytes / 1e6 / feat.seconds,
    peak_RSS_MiB: feat.maxRSS_MiB,
    wasm_baseline_RSS_MiB: feat.baselineRSS_MiB,
    peak_RSS_MiB_on_file_20x_smaller: featSmall.maxRSS_MiB,
    parquet_MB: statSync(parquet).size / 1e6
  };
}

if (run("dsp")) {
  // DSP chain: OF, trigger, SEV fit — and the same work in numpy/scipy where python3 has them.
  console.error("DSP throughput (OF amplitudes, OF trigger, SEV fit)");
  results.dsp = worker("dsp-worker.ts", []);
  try {
    const py = execFileSync("python3", [join(ROOT, "bench", "python", "dsp_numpy.py"), "100"], {encoding: "utf8", stdio: ["ignore", "pipe", "pipe"]});
    const numpy = JSON.parse(py.trim().split("\n").at(-1)!);
    const dsp = results.dsp as {[k: string]: number};
    results.dsp_numpy = numpy;
    results.dsp_speedup_vs_numpy = {
      of: dsp.of_records_per_s / numpy.of_records_per_s,
      trigger: dsp.trigger_samples_per_s / numpy.trigger_samples_per_s,
      sev_fit: dsp.sev_fit_records_per_s / numpy.sev_fit_records_per_s
    };
  } catch (e) {
    results.dsp_numpy = `not measured: python3 with numpy and scipy is not available (${(e as Error).message.split("\n")[0]})`;
  }
}

// raw, anomaly, labeling and ml write their own files (bench/results/raw.json, anomaly.json, labeling-render-*.json, ml.json).
if (run("features") || run("dsp")) {
  mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
  const outFile = join(ROOT, "bench", "results", values.only === "dsp" ? "dsp.json" : `features-${events}.json`);
  writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
  console.log(JSON.stringify(results, null, 2));
  console.error(`wrote ${outFile}`);
}
if (run("features")) {
  if (!values.keep) for (const f of [h5, join(work, "bench-small.h5")]) rmSync(f, {force: true});
  for (const f of [parquet, parquet + ".small"]) rmSync(f, {force: true});
}

// Raw DAQ data: .rdt conversion MB/s and .csmpl trigger speed on ≥ 1 GB made from the reference files.
if (run("raw")) execFileSync(tsx, [join(ROOT, "bench", "raw.ts")], {stdio: "inherit"});

// Anomaly search: pseudo-experiments in Node and Chromium, classifier/VAE records/s per backend.
if (run("anomaly")) execFileSync(tsx, ["--import", join(ROOT, "data-loaders", "tfjs", "registerTfjsEsm.mjs"), join(ROOT, "bench", "anomaly.ts")], {stdio: "inherit"});
// The three anomaly statistics against exposure at full size (bench/anomaly-lr.ts → bench/results/anomaly-lr.json).
if (run("anomaly-lr")) execFileSync(tsx, ["--import", join(ROOT, "data-loaders", "tfjs", "registerTfjsEsm.mjs"), join(ROOT, "bench", "anomaly-lr.ts")], {stdio: "inherit"});

// The labeling page at 200,000 points per channel, in headless Chromium (bench/labeling-render.ts).
if (run("labeling")) execFileSync(tsx, [join(ROOT, "bench", "labeling-render.ts")], {stdio: ["ignore", "ignore", "inherit"]});

if (run("ml")) runMl();

if (run("fft")) runFft();

// Boosted trees: GBDT training / inference and TreeSHAP records/s (bench/trees.ts).
if (run("trees")) execFileSync(tsx, [join(ROOT, "bench", "trees.ts")], {stdio: ["ignore", "ignore", "inherit"]});

// Through the CLI: records/s of `pulsebook features` and `pulsebook process` beside the bare function and the h5py/numpy anchors.
// `--cold`: the same from the disk (page cache dropped), on a 100,000-event file; skipped, and said so, without root.
if (run("cli")) execFileSync(tsx, [join(ROOT, "bench", "cli-throughput.ts"), "--steady", "20000", "--steady-rounds", "3", "--cold", "100000", "--cold-rounds", "3"], {stdio: ["ignore", "ignore", "inherit"]});

// Slurm: wall time of a sharded run on a real one-node cluster (bench/slurm.ts); only where it can run.
if (run("slurm")) execFileSync(tsx, [join(ROOT, "bench", "slurm.ts")], {stdio: ["ignore", "inherit", "inherit"]});

// The record store: 200,000 events written and read event by event in Chromium (bench/records.ts).
if (run("records")) execFileSync(tsx, [join(ROOT, "bench", "records.ts")], {stdio: ["ignore", "ignore", "inherit"]});

if (run("adapt")) execFileSync(tsx, ["--import", join(ROOT, "data-loaders", "tfjs", "registerTfjsEsm.mjs"), join(ROOT, "bench", "adapt.ts")], {stdio: "inherit"});

/** The ML section: one fresh process per backend, with TensorFlow.js from its ESM build. */
function runMl(): void {
  // Load average (1, 5, 15 min) before and after: the machine may be shared.
  const ml: {[k: string]: unknown} = {date: new Date().toISOString(), machine, load_average_before: loadavg()};
  const ALL_MODELS = ["cnn", "cnn-full", "tscn", "lstm", "tst"], ALL_BACKENDS = ["webgpu", "wasm", "cpu"];
  const models = values.models?.split(",") ?? ALL_MODELS;
  const backends = values.backends?.split(",") ?? ALL_BACKENDS;
  for (const m of models) if (!ALL_MODELS.includes(m)) throw new Error(`--models: unknown model "${m}" (${ALL_MODELS.join(", ")})`);
  for (const b of backends) if (!ALL_BACKENDS.includes(b)) throw new Error(`--backends: unknown backend "${b}" (${ALL_BACKENDS.join(", ")})`);
  for (const backend of backends) {
    // tfjs-cpu trains at ~100 records/s: measure it on fewer records.
    // Then TSCN, LSTM and TST (trainRecords, inferRecords): a few hundred on wasm, fewer elsewhere.
    const sizes = backend === "cpu" ? ["320", "2048", "0", "64", "256"] : backend === "webgpu" ? ["640", "4096", "0", "128", "512"] : ["3200", "20480", "2", "320", "2048"];
    console.error(`ML bench: ${models.join(", ")} on ${backend}`);
    const out = execFileSync(tsx, ["--import", join(ROOT, "data-loaders", "tfjs", "registerTfjsEsm.mjs"), join(ROOT, "bench", "ml-worker.ts"), backend, ...sizes, models.join(",")], {encoding: "utf8", stdio: ["ignore", "pipe", "inherit"]});
    ml[backend] = JSON.parse(out.trim().split("\n").at(-1)!);
  }
  ml.load_average_after = loadavg();
  mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
  const subset = values.models || values.backends ? `-${models.join("-")}-${backends.join("-")}` : "";
  const file = join(ROOT, "bench", "results", `ml${subset}.json`);
  writeFileSync(file, JSON.stringify(ml, null, 2) + "\n");
  console.log(JSON.stringify(ml, null, 2));
  console.error(`wrote ${file}`);
}

/** FFT-based stages per record length, this checkout and (--before REV) REV's lib/ extracted from git. */
function runFft(): void {
  const lengths = [16384, 6250, 10000, 3072, 4099];
  const fft: {[k: string]: unknown} = {date: new Date().toISOString(), machine, load_average_before: loadavg()};
  let before: string[] = [];
  if (values.before) {
    // REV's lib/ beside this checkout's node_modules (found upwards from .pulsebook/bench).
    const dir = join(work, `before-${values.before.replace(/[^\w.-]/g, "_")}`);
    rmSync(dir, {recursive: true, force: true});
    mkdirSync(dir, {recursive: true});
    execFileSync("sh", ["-c", `git -C "${ROOT}" archive "${values.before}" lib | tar -x -C "${dir}"`]);
    before = [dir];
    fft.before_revision = values.before;
  }
  for (const n of lengths) {
    console.error(`FFT stages: ${n} samples${before.length ? ", this checkout and " + values.before + " alternately" : ""}`);
    const r = worker("fft-worker.ts", [ROOT, String(n), "200", ...before]) as unknown as {[side: string]: unknown};
    for (const [side, v] of Object.entries(r)) ((fft[side] ??= {}) as {[k: string]: unknown})[n] = v;
  }
  fft.load_average_after = loadavg();
  mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
  const file = join(ROOT, "bench", "results", "fft.json");
  writeFileSync(file, JSON.stringify(fft, null, 2) + "\n");
  console.log(JSON.stringify(fft, null, 2));
  console.error(`wrote ${file}`);
}
