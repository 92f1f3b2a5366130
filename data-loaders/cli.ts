// `pulsebook <command>`: batch versions of what the data loaders do for the notebooks.

import {parseArgs} from "node:util";
import {DataFileError} from "../lib/io/errors.js";
import {writeFeatures} from "./features.js";
import {writeSimulation} from "./simulate.js";
import {importLabels, readLabelsFile} from "./labels.js";
import {cutFeatures} from "./cuts.js";
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
  pulsebook labels import LABELS.parquet|LABELS.csv IN.h5
      Write a label table (event, channel, label, author, time, note; exported by the
      labeling page) into IN.h5's events/labels, atomically; other records keep their labels.
  pulsebook cuts FEATURES.parquet CUT.cut.json... [--out FILE.parquet]
      Apply cut files (SQL predicates or polygons) in order; print how many events pass each;
      with --out, write the rows of the events that pass them all.
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

async function labels(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== "import") throw new UsageError(`unknown labels command "${sub ?? ""}" (expected: labels import LABELS IN.h5)`);
  const {values, positionals} = parseArgs({args: rest, allowPositionals: true, options: {quiet: {type: "boolean", default: false}}, strict: true});
  if (positionals.length !== 2) throw new UsageError("expected: labels import LABELS.parquet|LABELS.csv IN.h5");
  const [labelsPath, h5] = positionals;
  const {entries} = readLabelsFile(labelsPath);
  const r = await importLabels(entries, h5, labelsPath);
  if (!values.quiet) console.error(`wrote ${r.written} labels (${r.changed} changed) into ${h5} [events/labels${r.created ? ", created" : ""}]`);
}

async function cuts(argv: string[]): Promise<void> {
  const {values, positionals} = parseArgs({args: argv, allowPositionals: true, options: {out: {type: "string"}}, strict: true});
  if (positionals.length < 2) throw new UsageError("expected: cuts FEATURES.parquet CUT.cut.json... [--out FILE.parquet]");
  const [input, ...cutFiles] = positionals;
  const {cuts: applied, report, rows} = await cutFeatures(input, cutFiles, values.out);
  const n = report.events.length;
  console.log(`${n} events in ${input}`);
  applied.forEach((cut, k) => console.log(`${k + 1}. ${cut.name}: ${report.survival.passedAlone[k]} pass alone, ${report.survival.passedCumulative[k]} pass with all before (${((100 * report.survival.passedCumulative[k]) / n).toFixed(1)} %)`));
  if (values.out) console.error(`wrote ${values.out}: ${rows} rows`);
}

/** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad command line). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "simulate": await simulate(rest); return 0;
      case "features": await features(rest); return 0;
      case "labels": await labels(rest); return 0;
      case "cuts": await cuts(rest); return 0;
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
