// `pulsebook <command>`: batch versions of what the data loaders do for the notebooks.

import {parseArgs} from "node:util";
import {DataFileError} from "../lib/io/errors.js";
import {writeFeatures} from "./features.js";
import {writeSimulation} from "./simulate.js";
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
  pulsebook train --model cnn --data sim|A.h5[,B.h5…] [--validation V.h5[,…]] --out DIR
        [--epochs N] [--batch N] [--lr X] [--seed S] [--backend webgpu,wasm,cpu] [--threads N]
        [--modules N] [--events-per-module N]
      Train a data-cleaning classifier (the CRESST paper's CNN) on labeled cait files or on
      simulated detectors (--data sim: N training modules, held-out validation and test modules).
      Writes DIR/model.json (preprocessing, metrics, backend, format version) and DIR/weights.bin.
      --threads N: share each mini-batch among N threads (default 1: for the paper's small CNN
      at batch 64 the fixed per-step cost dominates, and 2 threads measured slower here).
  pulsebook classify IN.h5 [--model DIR] --out FILE.parquet [--backend webgpu,wasm,cpu] [--threads N]
      One probability per (event, channel) of the events group (≥ 0.5 = clean pulse).
      --threads N: N worker threads (default 1; worth it for files of 100k+ records).
      Default model: the pretrained CNN in models/cnn.
  pulsebook evaluate --model DIR [--modules N] [--events-per-module N] [--seed S] [--write]
      Held-out metrics on simulated test modules: balanced accuracy, recall, precision, the
      cutoff sweep, IOR (SNR 3–300) and IOS (pile-up). --write stores them in DIR/model.json.
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
  const {rows, events} = await writeFeatures(positionals[0], values.out, {
    group,
    command: ["pulsebook", "features", ...argv].join(" "),
    onProgress: progress(values.quiet!, "features")
  });
  const s = (performance.now() - t0) / 1000;
  if (!values.quiet) console.error(`wrote ${values.out}: ${rows} rows from ${events} events in ${s.toFixed(1)} s`);
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
    epochs: {type: "string"}, batch: {type: "string"}, lr: {type: "string"}, seed: {type: "string"}, backend: {type: "string"},
    modules: {type: "string"}, "events-per-module": {type: "string"}, threads: {type: "string"}, quiet: {type: "boolean", default: false}
  }, strict: true});
  if (!values.data) throw new UsageError("--data sim|FILE.h5[,…] is required");
  if (!values.out) throw new UsageError("--out DIR is required");
  if (values.model !== "cnn") throw new UsageError(`--model: only "cnn" is implemented, got "${values.model}"`);
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
    model: "cnn",
    data: values.data === "sim" ? "sim" : values.data.split(","),
    validation: values.validation?.split(","),
    out: values.out,
    epochs: integer("epochs", values.epochs, 15, 1),
    batchSize: integer("batch", values.batch, 64, 1),
    learningRate: lr,
    seed: integer("seed", values.seed, 1),
    backend: backends(values.backend),
    threads: integer("threads", values.threads, 1, 1),
    sim: {trainModules: modules, validationModules: Math.max(1, Math.round(modules / 6)), testModules: Math.max(1, Math.round(modules / 4)), eventsPerModule: integer("events-per-module", values["events-per-module"], 1000, 10)},
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
  const {cutoffSweep: _s, recallBySnr: _r, selectivityByOnset: _o, selectivityByRelativeHeight: _h, ...summary} = t;
  console.log(JSON.stringify(summary, null, 2));
}

/** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad command line). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "simulate": await simulate(rest); return 0;
      case "features": await features(rest); return 0;
      case "train": await train(rest); return 0;
      case "classify": await classify(rest); return 0;
      case "evaluate": await evaluate(rest); return 0;
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
    console.error(`pulsebook: ${e instanceof DataFileError ? e.message : (e as Error).stack ?? e}`);
    return 1;
  }
}
