// `pulsebook <command>`: batch versions of what the data loaders do for the notebooks.

import {parseArgs} from "node:util";
import {DataFileError} from "../lib/io/errors.js";
import {ConfigError} from "../lib/config/processConfig.js";
// Each command imports its module when it runs: `pulsebook help` should not load tfjs or DuckDB.
import {PULSEBOOK_VERSION} from "./provenance.js";
import type {RecordGroup} from "../lib/types.js";
import {RECORD_GROUPS} from "../lib/types.js";

const USAGE = `pulsebook ${PULSEBOOK_VERSION} — rare-event detector raw data

Usage:
  pulsebook simulate --events N [--seed S] [--testpulses N] [--noise N] --out FILE.h5
      Simulate a CRESST-like module (phonon + light, 25 kHz, 16384 samples) in cait's HDF5
      layout, with ground-truth labels. Defaults: seed 1, testpulses N/5, noise N/5.
  pulsebook features IN.h5 [--group events|testpulses|noise] --out FILE.parquet
      Main pulse parameters, one row per (event, channel), streamed in bounded memory.
  pulsebook process CONFIG.yaml
      The whole DSP chain of a run as the processing config describes it (docs/processing-config.md):
      features, standard event, noise power spectrum, optimum filter, SEV fit, energy calibration.
      Writes tables, spectra and summary.json to the config's output directory.
  pulsebook convert RUN.rdt --channels 0,1 [--par RUN.par] [--con RUN.con | --no-con] [--out FILE.h5]
      CRESST/COSINUS raw records → cait's HDF5 layout (events/testpulses/noise by test-pulse
      amplitude, metainfo from .par, controlpulses from .con), streamed in bounded memory.
      Defaults: .par/.con next to the .rdt; output named as cait does (RUN-P_Ch0-L_Ch1.h5).
  pulsebook trigger RUN_Ch0.csmpl [RUN_Ch1.csmpl …] --of FILTER.h5 --threshold V0[,V1…] --out FILE.h5
                   [--method record-windows|filter-walk] [--float32] [--db RUN.db] [--dig-stamps F] [--test-stamps F]
      Optimum-filter trigger on continuous streams (row i of FILTER.h5's optimumfilter for
      stream i; thresholds in volts), streamed from disk; writes the triggered records, test
      pulses (from the test stamps), noise traces and the trigger list (group stream).
      --float32 filters with PFFFT (several times faster; amplitudes within ≈1e-7 of float64).
  pulsebook train-anomaly [--events N] [--epochs E] [--beta B] [--seed S] [--out DIR]
      Train the DARWIN anomaly-search models on simulated xenon-TPC events: the ER/NR
      classifier and the ER-only VAE, written to DIR/classifier.json and DIR/vae.json
      (default models/anomaly; N = 20000 events per class, E = 30 epochs, β = 1).
  pulsebook anomaly-search [--R R] [--mass GeV] [--sigma cm2] [--exposures 1,10,100]
                           [--null N] [--signal N] [--models DIR] --out FILE.json
      Median sensitivity versus exposure (t·yr) of the anomaly score TS = −ELBO + R·H_B
      (unbinned likelihood) and of the classical binned ER-veto analysis, from pseudo-
      experiments (defaults: R 100, 50 GeV, 1e-47 cm², 10⁴ null / 1000 signal).
  pulsebook labels import LABELS.parquet|LABELS.csv IN.h5
      Write a label table (event, channel, label, author, time, note; exported by the
      labeling page) into IN.h5's events/labels, atomically; other records keep their labels.
  pulsebook cuts FEATURES.parquet CUT.cut.json... [--out FILE.parquet]
      Apply cut files (SQL predicates or polygons) in order; print how many events pass each;
      with --out, write the rows of the events that pass them all.
  pulsebook train --model cnn|cnn-full|tscn|lstm|tst --data sim|A.h5[,B.h5…] [--validation V.h5[,…]] --out DIR
        [--labels LA.csv[,LB.parquet…]] [--validation-labels LV.csv[,…]]
        [--epochs N] [--batch N] [--lr X] [--seed S] [--backend webgpu,wasm,cpu] [--threads N]
        [--modules N] [--validation-modules N] [--test-modules N] [--events-per-module N]
        [--lr-schedule constant|cosine]
      Train a data-cleaning classifier (the CRESST paper's CNN, the same with same padding
      (cnn-full, sees the whole record), TSCN, bidirectional LSTM or time-series transformer;
      default learning rate: the paper's, 5e-4, 5e-4, 5e-5, 1e-4, 1e-5) on labeled cait files
      or on simulated detectors (--data sim: N training modules, held-out validation and test
      modules).
      --labels: one label table per --data file (labeling page export; empty entry = none), whose
      labels replace the file's events/labels record by record; checked to belong to the file.
      Writes DIR/model.json (preprocessing, metrics, backend, format version) and DIR/weights.bin.
      --threads N: share each mini-batch among N threads (default 1: for the paper's small CNN
      at batch 64 the fixed per-step cost dominates, and 2 threads measured slower here).
      --lr-schedule cosine: the rate falls along a half cosine to 2 % of --lr by the last step
      (default constant, as in the paper).
  pulsebook classify IN.h5 [--model DIR] --out FILE.parquet [--backend webgpu,wasm,cpu] [--threads N]
      One probability per (event, channel) of the events group (≥ 0.5 = clean pulse).
      --threads N: N worker threads (default 1; worth it for files of 100k+ records).
      Default model: the pretrained CNN in models/cnn.
  pulsebook evaluate --model DIR [--modules N] [--events-per-module N] [--seed S] [--write]
      Held-out metrics on simulated test modules: balanced accuracy, recall, precision, the
      cutoff sweep, IOR (SNR 3–300) and IOS (pile-up). --write stores them in DIR/model.json.
  pulsebook train-trees --data sim|A.parquet[,B.parquet…] [--features all|four] --out DIR
        [--rounds N] [--depth N] [--lr X] [--seed S] [--modules N] [--test-modules N] [--events-per-module N]
      Gradient-boosted trees on feature-table columns (all 14 main parameters, or four: pulse
      height, rise time, decay time, baseline slope); --data sim: simulated modules with held-out
      test modules; or labelled feature tables. Writes DIR/trees.json (defaults: 200 trees, depth 4).
  pulsebook classify-trees FEATURES.parquet [--model DIR] --out FILE.parquet
      Probability (≥ 0.5 = clean pulse) and the SHAP value of every feature (log-odds) per row.
      Default model: the pretrained 14-feature trees in models/trees-all.
  pulsebook evaluate-trees [--model DIR] [--modules N] [--seed S] [--probes N] [--write]
      IOR and IOS of a tree model on the simulated clean pulses and pile-ups that evaluate scores
      the networks on (the model's held-out modules; features from the raw records). --write
      stores them in DIR/trees.json (metrics.test). Default model: models/trees-all.
  pulsebook help

Options:
  --quiet   no progress output on stderr
`;

/** Thrown for a bad command line: printed with the usage hint, exit code 2. */
class UsageError extends Error {}

function integer(name: string, value: string | undefined, fallback?: number, min = 0): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

function progress(quiet: boolean, what: string) {
  if (quiet || !process.stderr.isTTY) return undefined;
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (now - last < 250 && done < total) return;
    last = now;
    process.stderr.write(`\r${what}: ${done}/${total} events${done === total ? "\n" : ""}`);
  };
}

async function simulate(argv: string[]): Promise<void> {
  const {values} = parseArgs({args: argv, options: {
    events: {type: "string"}, seed: {type: "string"}, testpulses: {type: "string"},
    noise: {type: "string"}, out: {type: "string"}, quiet: {type: "boolean", default: false}
  }, strict: true});
  const events = integer("events", values.events, undefined, 1);
  if (!values.out) throw new UsageError("--out FILE.h5 is required");
  const t0 = performance.now();
  const {writeSimulation} = await import("./simulate.js");
  await writeSimulation(values.out, {
    events,
    seed: integer("seed", values.seed, 1),
    testpulses: integer("testpulses", values.testpulses, Math.ceil(events / 5)),
    noise: integer("noise", values.noise, Math.ceil(events / 5)),
    onProgress: progress(values.quiet!, "simulate")
  });
  if (!values.quiet) console.error(`wrote ${values.out} (${events} events) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function features(argv: string[]): Promise<void> {
  const {values, positionals} = parseArgs({args: argv, allowPositionals: true, options: {
    group: {type: "string", default: "events"}, out: {type: "string"}, quiet: {type: "boolean", default: false}
  }, strict: true});
  if (positionals.length !== 1) throw new UsageError("expected exactly one input file IN.h5");
  if (!values.out) throw new UsageError("--out FILE.parquet is required");
  const group = values.group as RecordGroup;
  if (!RECORD_GROUPS.includes(group)) throw new UsageError(`--group must be one of ${RECORD_GROUPS.join(", ")}, got "${values.group}"`);
  const t0 = performance.now();
  const {writeFeatures} = await import("./features.js");
  const {rows, events} = await writeFeatures(positionals[0], values.out, {
    group,
    command: ["pulsebook", "features", ...argv].join(" "),
    onProgress: progress(values.quiet!, "features")
  });
  const s = (performance.now() - t0) / 1000;
  if (!values.quiet) console.error(`wrote ${values.out}: ${rows} rows from ${events} events in ${s.toFixed(1)} s`);
}

async function process_(argv: string[]): Promise<void> {
  const {values, positionals} = parseArgs({args: argv, allowPositionals: true, options: {quiet: {type: "boolean", default: false}}, strict: true});
  if (positionals.length !== 1) throw new UsageError("expected exactly one config file CONFIG.yaml");
  const log = values.quiet ? undefined : (m: string) => console.error(m);
  const {processFromFile} = await import("./processFile.js");
  const summary = await processFromFile(positionals[0], {log});
  if (!values.quiet) console.error(`wrote ${summary.output} in ${summary.seconds.toFixed(1)} s (config ${summary.config_hash.slice(0, 12)})`);
}

/** "0,1" → [0, 1] (non-negative integers). */
function integerList(name: string, value: string | undefined): number[] {
  if (!value) throw new UsageError(`--${name} is required (e.g. --${name} 0,1)`);
  return value.split(",").map((v) => integer(name, v.trim()));
}

async function convert(argv: string[]): Promise<void> {
  const {values, positionals} = parseArgs({args: argv, allowPositionals: true, options: {
    channels: {type: "string"}, par: {type: "string"}, con: {type: "string"}, "no-con": {type: "boolean", default: false},
    out: {type: "string"}, quiet: {type: "boolean", default: false}
  }, strict: true});
  if (positionals.length !== 1) throw new UsageError("expected exactly one input file RUN.rdt");
  const channels = integerList("channels", values.channels);
  const {caitOutputName, convertRdt} = await import("./convert.js");
  const out = values.out ?? caitOutputName(positionals[0], channels);
  const t0 = performance.now();
  const res = await convertRdt(positionals[0], out, {
    channels, par: values.par, con: values["no-con"] ? null : values.con,
    command: ["pulsebook", "convert", ...argv].join(" "), onProgress: progress(values.quiet!, "convert")
  });
  const c = res.counts;
  if (!values.quiet) {
    console.error(`wrote ${out}: ${c.events} events, ${c.testpulses} test pulses, ${c.noise} noise traces, ${res.controlPulses} control pulses` +
      `${res.skippedEvents ? ` (${res.skippedEvents} events of other TPA skipped)` : ""} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

async function trigger(argv: string[]): Promise<void> {
  const {values, positionals} = parseArgs({args: argv, allowPositionals: true, options: {
    of: {type: "string"}, threshold: {type: "string"}, out: {type: "string"}, method: {type: "string", default: "record-windows"},
    db: {type: "string"}, "dig-stamps": {type: "string"}, "test-stamps": {type: "string"}, float32: {type: "boolean", default: false}, quiet: {type: "boolean", default: false}
  }, strict: true});
  if (positionals.length === 0) throw new UsageError("expected one .csmpl stream per channel");
  if (!values.of) throw new UsageError("--of FILTER.h5 is required (a cait-layout file with optimumfilter/optimumfilter_real|imag)");
  if (!values.out) throw new UsageError("--out FILE.h5 is required");
  if (!values.threshold) throw new UsageError("--threshold is required: one value in volts per stream, e.g. --threshold 0.003,0.0025");
  const thresholds_V = values.threshold.split(",").map((v) => Number(v.trim()));
  if (thresholds_V.some((v) => !(v > 0))) throw new UsageError(`--threshold must be positive numbers (volts), got "${values.threshold}"`);
  if (thresholds_V.length !== positionals.length) throw new UsageError(`--threshold gives ${thresholds_V.length} values for ${positionals.length} streams`);
  const method = values.method as "record-windows" | "filter-walk";
  if (method !== "record-windows" && method !== "filter-walk") throw new UsageError(`--method must be record-windows or filter-walk, got "${values.method}"`);
  const t0 = performance.now();
  const {triggerCsmpl} = await import("./streamTrigger.js");
  const res = await triggerCsmpl(positionals, values.out, {
    of: values.of, thresholds_V, method, precision: values.float32 ? "float32" : "float64", db: values.db, digStamps: values["dig-stamps"], testStamps: values["test-stamps"],
    command: ["pulsebook", "trigger", ...argv].join(" ")
  });
  const s = (performance.now() - t0) / 1000;
  if (!values.quiet) {
    const c = res.counts;
    console.error(`triggers per stream: ${res.triggers.map((t) => t.length).join(", ")}; wrote ${values.out}: ${c.events} events, ${c.testpulses} test pulses, ` +
      `${c.noise} noise traces, ${c.controlpulses} control pulses in ${s.toFixed(1)} s (${(res.streamSamples / res.layout.sampleFrequency_Hz / s).toFixed(0)}× real time)`);
  }
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!(x > 0) || !Number.isFinite(x)) throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return x;
}

async function trainAnomaly(argv: string[]): Promise<void> {
  const {values} = parseArgs({args: argv, options: {
    events: {type: "string"}, epochs: {type: "string"}, beta: {type: "string"}, seed: {type: "string"}, out: {type: "string"}, quiet: {type: "boolean", default: false}
  }, strict: true});
  const {trainAnomalyModels} = await import("./anomaly.js");
  const r = await trainAnomalyModels({
    events: integer("events", values.events, 20000, 10), epochs: integer("epochs", values.epochs, 30, 1),
    beta: positive("beta", values.beta, 1), seed: integer("seed", values.seed, 1), outDir: values.out,
    log: values.quiet ? undefined : (m) => console.error(m)
  });
  if (!values.quiet) console.error(`wrote ${r.classifier} (test accuracy ${(100 * r.testAccuracy).toFixed(2)} %) and ${r.vae} [${r.backend}]`);
}

async function anomalySearchCommand(argv: string[]): Promise<void> {
  const {values} = parseArgs({args: argv, options: {
    R: {type: "string"}, mass: {type: "string"}, sigma: {type: "string"}, exposures: {type: "string"}, null: {type: "string"},
    signal: {type: "string"}, models: {type: "string"}, out: {type: "string"}, quiet: {type: "boolean", default: false}
  }, strict: true});
  if (!values.out) throw new UsageError("--out FILE.json is required");
  const exposures = (values.exposures ?? "1,3,10,30,100,200").split(",").map((v) => positive("exposures", v.trim(), 1));
  const R = values.R === undefined ? 100 : Number(values.R);
  if (!(R >= 0)) throw new UsageError(`--R must be ≥ 0, got "${values.R}"`);
  const {anomalySearch} = await import("./anomaly.js");
  const res = await anomalySearch({
    params: {R, wimpMass_GeV: positive("mass", values.mass, 50), sigma_cm2: positive("sigma", values.sigma, 1e-47)},
    exposures, nNull: integer("null", values.null, 10000, 100), nSignal: integer("signal", values.signal, 1000, 10), modelDir: values.models, out: values.out
  });
  if (!values.quiet) {
    for (const p of res.points) console.error(`${p.exposure_tonne_yr} t·yr: Z = ${p.zUnbinned.toFixed(2)} (TS) vs ${p.zBinned.toFixed(2)} (binned)`);
    console.error(`wrote ${values.out}`);
  }
}

async function labels(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== "import") throw new UsageError(`unknown labels command "${sub ?? ""}" (expected: labels import LABELS IN.h5)`);
  const {values, positionals} = parseArgs({args: rest, allowPositionals: true, options: {quiet: {type: "boolean", default: false}}, strict: true});
  if (positionals.length !== 2) throw new UsageError("expected: labels import LABELS.parquet|LABELS.csv IN.h5");
  const [labelsPath, h5] = positionals;
  const {importLabels, readLabelsFile} = await import("./labels.js");
  const {entries} = readLabelsFile(labelsPath);
  const r = await importLabels(entries, h5, labelsPath);
  if (!values.quiet) console.error(`wrote ${r.written} labels (${r.changed} changed) into ${h5} [events/labels${r.created ? ", created" : ""}]`);
}

async function cuts(argv: string[]): Promise<void> {
  const {values, positionals} = parseArgs({args: argv, allowPositionals: true, options: {out: {type: "string"}}, strict: true});
  if (positionals.length < 2) throw new UsageError("expected: cuts FEATURES.parquet CUT.cut.json... [--out FILE.parquet]");
  const [input, ...cutFiles] = positionals;
  const {cutFeatures} = await import("./cuts.js");
  const {cuts: applied, report, rows} = await cutFeatures(input, cutFiles, values.out);
  const n = report.events.length;
  console.log(`${n} events in ${input}`);
  applied.forEach((cut, k) => console.log(`${k + 1}. ${cut.name}: ${report.survival.passedAlone[k]} pass alone, ${report.survival.passedCumulative[k]} pass with all before (${((100 * report.survival.passedCumulative[k]) / n).toFixed(1)} %)`));
  if (values.out) console.error(`wrote ${values.out}: ${rows} rows`);
}

function backends(value: string | undefined): ("webgpu" | "wasm" | "cpu")[] | undefined {
  if (!value) return undefined;
  const list = value.split(",");
  for (const b of list) if (!["webgpu", "wasm", "cpu"].includes(b)) throw new UsageError(`--backend: unknown backend "${b}" (webgpu, wasm, cpu)`);
  return list as ("webgpu" | "wasm" | "cpu")[];
}

async function train(argv: string[]): Promise<void> {
  const {values} = parseArgs({args: argv, options: {
    model: {type: "string", default: "cnn"}, data: {type: "string"}, validation: {type: "string"}, out: {type: "string"},
    labels: {type: "string"}, "validation-labels": {type: "string"},
    epochs: {type: "string"}, batch: {type: "string"}, lr: {type: "string"}, seed: {type: "string"}, backend: {type: "string"},
    modules: {type: "string"}, "events-per-module": {type: "string"}, threads: {type: "string"}, quiet: {type: "boolean", default: false},
    "lr-schedule": {type: "string", default: "constant"}, "validation-modules": {type: "string"}, "test-modules": {type: "string"}
  }, strict: true});
  if (!values.data) throw new UsageError("--data sim|FILE.h5[,…] is required");
  const scheduleName = values["lr-schedule"];
  if (scheduleName !== "constant" && scheduleName !== "cosine") throw new UsageError(`--lr-schedule: "${scheduleName}" is not constant or cosine`);
  if (!values.out) throw new UsageError("--out DIR is required");
  if (values.data === "sim" && (values.labels || values["validation-labels"])) throw new UsageError("--labels and --validation-labels need --data FILE.h5[,…], not sim");
  const count = (v: string | undefined) => v?.split(",").length;
  if (values.labels && count(values.labels) !== count(values.data)) throw new UsageError(`--labels names ${count(values.labels)} label files for ${count(values.data)} --data files (one per file, in order; leave an entry empty for a file's own events/labels)`);
  if (values["validation-labels"] && count(values["validation-labels"]) !== count(values.validation)) throw new UsageError(`--validation-labels names ${count(values["validation-labels"])} label files for ${count(values.validation) ?? 0} --validation files`);
  const {MODEL_KINDS} = await import("../lib/ml/nets/models.js");
  const kind = MODEL_KINDS.find((k) => k === values.model);
  if (!kind) throw new UsageError(`--model: unknown model "${values.model}" (known: ${MODEL_KINDS.join(", ")})`);
  const lr = values.lr === undefined ? undefined : Number(values.lr);
  if (lr !== undefined && !(lr > 0)) throw new UsageError(`--lr must be a positive number, got "${values.lr}"`);
  const {trainCommand} = await import("./ml.js");
  const modules = integer("modules", values.modules, 12, 1);
  // Ctrl-C stops after the current step and still saves the best epoch so far.
  let stop = false;
  const onInt = () => { stop = true; console.error("stopping after this step…"); };
  process.once("SIGINT", onInt);
  await trainCommand({
    shouldStop: () => stop,
    model: kind,
    data: values.data === "sim" ? "sim" : values.data.split(","),
    validation: values.validation?.split(","),
    // Label files by position; an empty entry keeps that file's own events/labels.
    labels: values.labels?.split(",").map((p) => p || undefined),
    validationLabels: values["validation-labels"]?.split(",").map((p) => p || undefined),
    out: values.out,
    epochs: integer("epochs", values.epochs, 15, 1),
    batchSize: integer("batch", values.batch, 64, 1),
    learningRate: lr,
    seed: integer("seed", values.seed, 1),
    backend: backends(values.backend),
    threads: integer("threads", values.threads, 1, 1),
    schedule: scheduleName === "cosine" ? {kind: "cosine", finalFraction: 0.02} : {kind: "constant"},
    sim: {
      trainModules: modules,
      validationModules: integer("validation-modules", values["validation-modules"], Math.max(1, Math.round(modules / 6)), 1),
      testModules: integer("test-modules", values["test-modules"], Math.max(1, Math.round(modules / 4)), 1),
      eventsPerModule: integer("events-per-module", values["events-per-module"], 1000, 10)},
    log: values.quiet ? undefined : (line) => console.error(line)
  });
  process.off("SIGINT", onInt);
  if (!values.quiet) console.error(`wrote ${values.out}`);
}

async function classify(argv: string[]): Promise<void> {
  const {values, positionals} = parseArgs({args: argv, allowPositionals: true, options: {
    model: {type: "string"}, out: {type: "string"}, backend: {type: "string"}, threads: {type: "string"}, quiet: {type: "boolean", default: false}
  }, strict: true});
  if (positionals.length !== 1) throw new UsageError("expected exactly one input file IN.h5");
  const threads = integer("threads", values.threads, 1, 1);
  if (!values.out) throw new UsageError("--out FILE.parquet is required");
  const {classifyCommand, DEFAULT_MODEL_DIR} = await import("./ml.js");
  const {rows, backend, seconds} = await classifyCommand(positionals[0], values.model ?? DEFAULT_MODEL_DIR, values.out, {
    backend: backends(values.backend), threads, command: ["pulsebook", "classify", ...argv].join(" ")
  });
  if (!values.quiet) console.error(`wrote ${values.out}: ${rows} probabilities on ${backend} in ${seconds.toFixed(1)} s`);
}

async function evaluate(argv: string[]): Promise<void> {
  const {values} = parseArgs({args: argv, options: {
    model: {type: "string"}, modules: {type: "string"}, "events-per-module": {type: "string"}, seed: {type: "string"},
    backend: {type: "string"}, write: {type: "boolean", default: false}
  }, strict: true});
  const {evaluateCommand, DEFAULT_MODEL_DIR} = await import("./ml.js");
  const t = await evaluateCommand(values.model ?? DEFAULT_MODEL_DIR, {
    testModules: integer("modules", values.modules, 10, 1), eventsPerModule: integer("events-per-module", values["events-per-module"], 1500, 10),
    seed: integer("seed", values.seed, 1), backend: backends(values.backend), write: values.write
  });
  const {cutoffSweep: _s, recallBySnr: _r, selectivityByOnset: _o, selectivityByRelativeHeight: _h, selectivityByOnsetWindow: _w, selectivityByRelativeDifference: _d, selectivityGrid: _g, ...summary} = t;
  console.log(JSON.stringify(summary, null, 2));
}

async function trainTrees(argv: string[]): Promise<void> {
  const {values} = parseArgs({args: argv, options: {
    data: {type: "string"}, features: {type: "string", default: "all"}, out: {type: "string"}, rounds: {type: "string"}, depth: {type: "string"},
    lr: {type: "string"}, seed: {type: "string"}, modules: {type: "string"}, "test-modules": {type: "string"}, "events-per-module": {type: "string"},
    quiet: {type: "boolean", default: false}
  }, strict: true});
  if (!values.data) throw new UsageError("--data sim|FEATURES.parquet[,…] is required");
  if (!values.out) throw new UsageError("--out DIR is required");
  if (values.features !== "all" && values.features !== "four") throw new UsageError(`--features must be all or four, got "${values.features}"`);
  const lr = values.lr === undefined ? undefined : Number(values.lr);
  if (lr !== undefined && !(lr > 0 && lr <= 1)) throw new UsageError(`--lr must be in (0, 1], got "${values.lr}"`);
  const {trainTreesCommand} = await import("./trees.js");
  const seed = integer("seed", values.seed, 1);
  const {test} = trainTreesCommand({
    data: values.data === "sim" ? "sim" : values.data.split(","),
    features: values.features,
    out: values.out,
    params: {rounds: integer("rounds", values.rounds, 200, 1), maxDepth: integer("depth", values.depth, 4, 1), seed, ...(lr ? {learningRate: lr} : {})},
    sim: {trainModules: integer("modules", values.modules, 12, 1), testModules: integer("test-modules", values["test-modules"], 3, 1), eventsPerModule: integer("events-per-module", values["events-per-module"], 1000, 10), seed},
    log: values.quiet ? undefined : (line) => console.error(line)
  });
  if (test) console.log(JSON.stringify(test, null, 2));
  if (!values.quiet) console.error(`wrote ${values.out}`);
}

async function classifyTrees(argv: string[]): Promise<void> {
  const {values, positionals} = parseArgs({args: argv, allowPositionals: true, options: {
    model: {type: "string"}, out: {type: "string"}, quiet: {type: "boolean", default: false}
  }, strict: true});
  if (positionals.length !== 1) throw new UsageError("expected exactly one input file FEATURES.parquet");
  if (!values.out) throw new UsageError("--out FILE.parquet is required");
  const {classifyTreesCommand, DEFAULT_TREE_MODEL_DIRS} = await import("./trees.js");
  const {rows, seconds} = classifyTreesCommand(positionals[0], values.model ?? DEFAULT_TREE_MODEL_DIRS.all, values.out, ["pulsebook", "classify-trees", ...argv].join(" "));
  if (!values.quiet) console.error(`wrote ${values.out}: ${rows} probabilities with SHAP values in ${seconds.toFixed(1)} s`);
}

async function evaluateTrees(argv: string[]): Promise<void> {
  const {values} = parseArgs({args: argv, options: {
    model: {type: "string"}, modules: {type: "string"}, probes: {type: "string"}, seed: {type: "string"}, write: {type: "boolean", default: false}
  }, strict: true});
  const {evaluateTreesCommand, DEFAULT_TREE_MODEL_DIRS} = await import("./trees.js");
  const r = await evaluateTreesCommand(values.model ?? DEFAULT_TREE_MODEL_DIRS.all, {
    testModules: values.modules === undefined ? undefined : integer("modules", values.modules, undefined, 1),
    seed: values.seed === undefined ? undefined : integer("seed", values.seed, undefined, 1),
    probes: integer("probes", values.probes, 1000, 1), write: values.write
  });
  const {recallBySnr: _r, selectivityByOnset: _o, selectivityByRelativeHeight: _h, selectivityByOnsetWindow: _w, selectivityByRelativeDifference: _d, selectivityGrid: _g, ...summary} = r;
  console.log(JSON.stringify(summary, null, 2));
}

/** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad command line). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "simulate": await simulate(rest); return 0;
      case "features": await features(rest); return 0;
      case "process": await process_(rest); return 0;
      case "convert": await convert(rest); return 0;
      case "trigger": await trigger(rest); return 0;
      case "train-anomaly": await trainAnomaly(rest); return 0;
      case "anomaly-search": await anomalySearchCommand(rest); return 0;
      case "labels": await labels(rest); return 0;
      case "cuts": await cuts(rest); return 0;
      case "train": await train(rest); return 0;
      case "classify": await classify(rest); return 0;
      case "evaluate": await evaluate(rest); return 0;
      case "train-trees": await trainTrees(rest); return 0;
      case "classify-trees": await classifyTrees(rest); return 0;
      case "evaluate-trees": await evaluateTrees(rest); return 0;
      case undefined: case "help": case "--help": case "-h": console.log(USAGE); return 0;
      case "--version": console.log(PULSEBOOK_VERSION); return 0;
      default: throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as {code?: string}).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`pulsebook: ${(e as Error).message}\nRun "pulsebook help" for usage.`);
      return 2;
    }
    // A bad input file is the user's to fix: say which file and what, without a stack trace.
    console.error(`pulsebook: ${e instanceof DataFileError || e instanceof ConfigError ? e.message : (e as Error).stack ?? e}`);
    return 1;
  }
}
