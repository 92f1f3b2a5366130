// Kill trials: each writer (convert, features --out, process, labels import, train, trigger)
// runs as a `pulsebook` child and is sent SIGKILL at a seeded random moment of its run (drawn
// within a whole run of the command in an already started process: killRunner.mjs). Then:
// every input must be byte-identical, and every output absent or complete and valid — never a
// partial file that looks complete; and the next whole run removes the temporaries a killed one
// left. Shared by test/killSafety.test.ts (a few seeded trials) and
// bench/kill.ts (`npm run fuzz:kill`, ≥ 100 per writer, figures in bench/results/kill.json).

import {spawn, type ChildProcess} from "node:child_process";
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";
import {sha256Hex, stableJson} from "../../lib/hash.js";
import {Rng} from "../../lib/math/random.js";
import {encodeLabelsCsv} from "../../lib/labels/csv.js";
import {weightsProblem} from "../../lib/ml/fileFormat.js";
import {writeSimulation} from "../../data-loaders/simulate.js";
import {openCaitFile} from "../../data-loaders/io/node.js";
import {readParquet} from "../../data-loaders/io/parquet.js";
import {CAIT_MOCK_RAW, CAIT_PROCESSED} from "./caitMock.js";

const RUNNER = fileURLToPath(new URL("./killRunner.mjs", import.meta.url));

/** What a trial left: no output, a complete one, or (must never happen) a broken one. */
export type Outcome = "absent" | "complete" | "broken";

export interface Fixture {
  dir: string;
  h5: string;
  rdt: string;
  config: string;
  labelsCsv: string;
  streams: string[];
  of: string;
}

export interface Writer {
  name: string;
  /** Inputs that must stay byte-identical. */
  inputs(fx: Fixture): string[];
  /** Sets up a trial folder; returns the command line and the output path. */
  prepare(fx: Fixture, trial: string): {argv: string[]; out: string};
  /** The output of a run that finished, as the reference a killed run's output must equal. */
  summarize(out: string, fx: Fixture): Promise<unknown>;
  /** Before the run: the summary of an untouched output (labels import: the file's old labels). */
  before?(out: string, fx: Fixture): Promise<unknown>;
}

const sha = (path: string) => sha256Hex(new Uint8Array(readFileSync(path)));

/** Groups, counts and a hash of every record: what a cait file holds. */
async function caitSummary(path: string): Promise<unknown> {
  const f = await openCaitFile(path);
  try {
    const groups: {[g: string]: unknown} = {};
    for (const [g, n] of Object.entries(f.dataset.groups)) {
      const parts: string[] = [];
      for (const chunk of f.chunks(g as "events", 64)) {
        parts.push(sha256Hex(new Uint8Array(chunk.samples.buffer, chunk.samples.byteOffset, chunk.samples.byteLength)));
        if (chunk.labels) parts.push(sha256Hex(new Uint8Array(chunk.labels.buffer)));
      }
      groups[g] = {n, records: sha256Hex(parts.join())};
    }
    return groups;
  } finally {
    f.close();
  }
}

/** Rows and a hash of every column of a Parquet table. */
function parquetSummary(path: string): unknown {
  const t = readParquet(new Uint8Array(readFileSync(path)), path);
  const cols: {[c: string]: string} = {};
  for (const field of t.schema.fields) {
    const v = t.getChild(field.name)!.toArray() as ArrayLike<unknown>;
    cols[field.name] = sha256Hex(Array.from(v, String).join(","));
  }
  return {rows: t.numRows, cols};
}

/** The labels of events/labels of a cait file (channel × event). */
async function labelsOf(path: string): Promise<string> {
  const f = await openCaitFile(path);
  try {
    const parts: number[] = [];
    for (const chunk of f.chunks("events", 256)) parts.push(...(chunk.labels ?? []));
    return sha256Hex(parts.join(","));
  } finally {
    f.close();
  }
}

export const WRITERS: Writer[] = [
  {
    name: "convert",
    inputs: (fx) => [fx.rdt, fx.rdt.replace(/\.rdt$/, ".par"), fx.rdt.replace(/\.rdt$/, ".con")],
    prepare: (fx, t) => ({argv: ["convert", fx.rdt, "--channels", "0,1", "--out", join(t, "run.h5"), "--quiet"], out: join(t, "run.h5")}),
    summarize: (out) => caitSummary(out)
  },
  {
    name: "features",
    inputs: (fx) => [fx.h5],
    prepare: (fx, t) => ({argv: ["features", fx.h5, "--out", join(t, "f.parquet"), "--quiet"], out: join(t, "f.parquet")}),
    summarize: async (out) => parquetSummary(out)
  },
  {
    name: "process",
    inputs: (fx) => [fx.h5, fx.config],
    prepare: (fx, t) => {
      // The config names its output relative to itself: one config per trial folder, input absolute.
      const config = join(t, "run.yaml");
      writeFileSync(config, readFileSync(fx.config, "utf8").replace("input: run.h5", `input: ${fx.h5}`));
      return {argv: ["process", config, "--quiet"], out: join(t, "out")};
    },
    // A folder of outputs each written atomically, summary.json last: every file present must
    // be whole, and the folder is complete when summary.json is there.
    summarize: async (out) => {
      const files: {[name: string]: unknown} = {};
      for (const f of readdirSync(out).filter((f) => !f.startsWith(".")).sort()) {
        files[f] = f.endsWith(".parquet") ? parquetSummary(join(out, f)) : f === "summary.json" ? Object.keys(JSON.parse(readFileSync(join(out, f), "utf8"))).sort() : sha(join(out, f));
      }
      return {complete: "summary.json" in files, files};
    }
  },
  {
    name: "labels import",
    inputs: (fx) => [fx.labelsCsv],
    prepare: (fx, t) => {
      const target = join(t, "run.h5");
      copyFileSync(fx.h5, target);
      return {argv: ["labels", "import", fx.labelsCsv, target, "--replace", "--quiet"], out: target};
    },
    before: (out) => labelsOf(out),
    summarize: (out) => labelsOf(out)
  },
  {
    name: "train",
    inputs: () => [],
    prepare: (_fx, t) => ({
      argv: ["train", "--data", "sim", "--epochs", "1", "--modules", "1", "--validation-modules", "1", "--test-modules", "1",
        "--events-per-module", "10", "--batch", "8", "--backend", "cpu", "--out", join(t, "model"), "--quiet"],
      out: join(t, "model")
    }),
    // Whole means: manifest and weights agree (hash, exact size, finite values). Training is
    // seeded, but the test metrics are written in a second save: either save is whole.
    summarize: async (out) => {
      // (Not data-loaders/ml.ts readModelDir: that loads TensorFlow.js, which tsx cannot import.)
      const manifest = JSON.parse(readFileSync(join(out, "model.json"), "utf8")) as {weightsFile: string; weightsSha256: string; weightSpecs: unknown; format: string};
      if (manifest.format !== "pulsebook-classifier" || manifest.weightsFile !== "weights.bin") throw new Error("not a model manifest");
      const weights = new Uint8Array(readFileSync(join(out, manifest.weightsFile)));
      if (sha256Hex(weights) !== manifest.weightsSha256) throw new Error("weights do not match the manifest");
      const problem = weightsProblem(manifest.weightSpecs, weights);
      if (problem) throw new Error(problem);
      return {weights: manifest.weightsSha256};
    }
  },
  {
    name: "trigger",
    inputs: (fx) => [...fx.streams, fx.of, ...[".db", ".dig_stamps", ".test_stamps"].map((e) => join(CAIT_MOCK_RAW, `stream_001${e}`))],
    prepare: (fx, t) => ({argv: ["trigger", ...fx.streams, "--of", fx.of, "--threshold", "0.003,0.0025", "--out", join(t, "stream.h5"), "--quiet"], out: join(t, "stream.h5")}),
    summarize: (out) => caitSummary(out)
  }
];

/** Inputs for every writer, in `dir`. */
export async function makeFixture(dir: string): Promise<Fixture> {
  mkdirSync(dir, {recursive: true});
  const h5 = join(dir, "run.h5");
  await writeSimulation(h5, {events: 60, testpulses: 20, noise: 20, seed: 11});
  for (const ext of [".rdt", ".par", ".con"]) copyFileSync(join(CAIT_MOCK_RAW, `mock_001${ext}`), join(dir, `mock_001${ext}`));
  const config = join(dir, "run.yaml");
  writeFileSync(config, `version: 1
input: run.h5
output: out
sev:
  selection: ["label = 1 AND pulse_height_V BETWEEN 0.2 AND 1", "label = 1"]
  maxRecords: 50
nps:
  selection: "abs(baseline_slope_V_per_s) < 0.05"
sevFit: false
`);
  const labelsCsv = join(dir, "labels.csv");
  const T = "2026-12-05T03:00:00.000Z";
  writeFileSync(labelsCsv, encodeLabelsCsv(Array.from({length: 40}, (_, i) => ({event: i, channel: i % 2, label: [1, 3, 4, 5][i % 4], author: "kill", time: T, note: ""}))));
  return {dir, h5, rdt: join(dir, "mock_001.rdt"), config, labelsCsv, streams: [0, 1].map((c) => join(CAIT_MOCK_RAW, `stream_001_Ch${c}.csmpl`)), of: CAIT_PROCESSED};
}

/** A `pulsebook` process, started and loaded, waiting for its command line (killRunner.mjs). */
interface Runner {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<{code: number | null; signal: string | null}>;
  stderr(): string;
}

function startRunner(): Runner {
  const child = spawn(process.execPath, [RUNNER], {stdio: ["ignore", "ignore", "pipe", "ipc"]});
  let stderr = "";
  child.stderr!.on("data", (d) => { stderr += d; });
  const exited = new Promise<{code: number | null; signal: string | null}>((resolve) => child.on("exit", (code, signal) => resolve({code, signal})));
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    void exited.then(({code, signal}) => reject(new Error(`the pulsebook runner exited (${code ?? signal}) before it was ready: ${stderr}`)));
  });
  ready.catch(() => {}); // reported where it is awaited
  return {child, ready, exited, stderr: () => stderr};
}

/**
 * Runs `pulsebook argv` on `runner`, killed with SIGKILL `killAfterMs` after it was sent (never,
 * if undefined). With `writing`, polled every few ms: `firstWriteMs`, when it first held.
 */
async function runOn(runner: Runner, argv: string[], killAfterMs?: number, writing?: () => boolean): Promise<{code: number | null; signal: string | null; ms: number; stderr: string; firstWriteMs?: number}> {
  await runner.ready;
  const t0 = performance.now();
  runner.child.send(argv);
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => runner.child.kill("SIGKILL"), killAfterMs);
  let firstWriteMs: number | undefined;
  const poll = writing && setInterval(() => { if (firstWriteMs === undefined && writing()) firstWriteMs = performance.now() - t0; }, 3);
  const {code, signal} = await runner.exited;
  clearTimeout(timer);
  clearInterval(poll);
  return {code, signal, ms: performance.now() - t0, stderr: runner.stderr(), firstWriteMs};
}

/** Temporaries (`.NAME.PID.….tmp`, `….tmp.old`) and locks (`.NAME.lock`) anywhere under `dir`. */
function temporariesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, {recursive: true}) as string[]).filter((f) => /(^|\/)\.[^/]*\.(tmp|tmp\.old|lock)$/.test(f));
}

export interface WriterFigures {
  writer: string;
  trials: number;
  /** Killed before the output existed (labels import: the file still holds its old labels). */
  absent: number;
  /** Output complete and equal to a finished run's. */
  complete: number;
  /** Output present but not whole (or not equal to a finished run's): must be 0. */
  broken: number;
  /** Trials after which an input was not byte-identical: must be 0. */
  inputsChanged: number;
  /** process: folders left without summary.json, every file in them whole (recognisably incomplete). */
  incompleteFolders: number;
  /** Trials the child finished before its kill. */
  finishedFirst: number;
  /** Trials that left a temporary (`.NAME.PID.….tmp`) behind; the next write removes it. */
  leftTemporaries: number;
  /** Whether a whole run after a killed one that left temporaries removed them all and wrote a
   *  complete output (undefined: no trial left any). */
  nextRunCleans?: boolean;
  /** Duration of a whole run (ms) in a started process. */
  runMs: number;
  /** When that run's first temporary appeared (ms): three kills in four are drawn from [writeMs, runMs]. */
  writeMs: number;
  problems: string[];
}

/**
 * `trials` kill trials of `writer`, kill moments drawn (seeded): one in four from [0, a whole
 * run], three in four from the part of it that writes (from its first temporary on).
 */
export async function killTrials(writer: Writer, fx: Fixture, trials: number, seed: number, root: string): Promise<WriterFigures> {
  const figures: WriterFigures = {writer: writer.name, trials: 0, absent: 0, complete: 0, broken: 0, inputsChanged: 0, incompleteFolders: 0, finishedFirst: 0, leftTemporaries: 0, runMs: 0, writeMs: 0, problems: []};
  const inputs = writer.inputs(fx);
  const hashes = new Map(inputs.map((p) => [p, sha(p)]));
  // A whole run: the reference output and the time span.
  const refDir = join(root, `${writer.name.replace(/\W/g, "-")}-reference`);
  mkdirSync(refDir, {recursive: true});
  const ref = writer.prepare(fx, refDir);
  const untouched = writer.before ? await writer.before(ref.out, fx) : undefined;
  const whole = await runOn(startRunner(), ref.argv, undefined, () => temporariesIn(dirname(ref.out)).length > 0);
  if (whole.code !== 0) throw new Error(`${writer.name}: the reference run failed (${whole.code}): ${whole.stderr}`);
  figures.runMs = Math.round(whole.ms);
  figures.writeMs = Math.round(whole.firstWriteMs ?? 0);
  const reference = stableJson(await writer.summarize(ref.out, fx));
  const rng = new Rng(seed, writer.name.length);
  // Kill moments are drawn from the span of a whole run; a trial that finishes first (the machine
  // got faster) shortens it, so that kills keep landing inside runs.
  let span = whole.ms;
  const writeFrom = Math.min(whole.firstWriteMs ?? 0, span);
  // The next trial's process starts (Node, tsx, the CLI's modules) while this one runs.
  let next = startRunner();
  let littered: {dir: string; argv: string[]; out: string} | undefined;
  for (let k = 0; k < trials; k++) {
    const t = join(root, `${writer.name.replace(/\W/g, "-")}-${k}`);
    mkdirSync(t, {recursive: true});
    const {argv, out} = writer.prepare(fx, t);
    const runner = next;
    next = startRunner();
    const u = rng.uniform();
    const from = rng.uniform() < 0.25 ? 0 : Math.min(writeFrom, span);
    const r = await runOn(runner, argv, from + u * (span - from));
    figures.trials++;
    if (r.signal !== "SIGKILL") {
      figures.finishedFirst++;
      span = Math.min(span, r.ms);
      if (r.code !== 0) figures.problems.push(`trial ${k}: exit ${r.code}: ${r.stderr.trim().split("\n")[0]}`);
    }
    for (const [p, h] of hashes) {
      if (sha(p) !== h) {
        figures.inputsChanged++;
        figures.problems.push(`trial ${k}: input ${p} changed`);
        hashes.set(p, sha(p));
      }
    }
    const left = temporariesIn(dirname(out)).length > 0;
    if (left) figures.leftTemporaries++;
    if (!existsSync(out)) {
      figures.absent++;
    } else {
      let got: string | undefined;
      try {
        got = stableJson(await writer.summarize(out, fx));
      } catch (e) {
        figures.problems.push(`trial ${k}: output unreadable: ${(e as Error).message}`);
      }
      if (got === reference) figures.complete++;
      else if (got !== undefined && writer.name === "process" && Object.keys((JSON.parse(got) as {files: object}).files).length === 0) figures.absent++;
      else if (got !== undefined && untouched !== undefined && got === stableJson(untouched)) figures.absent++;
      else if (got !== undefined && writer.name === "process" && !(JSON.parse(got) as {complete: boolean}).complete) {
        // Incomplete folder (no summary.json): every file in it must be one a finished run wrote, equal to it.
        const refFiles = (JSON.parse(reference) as {files: {[f: string]: unknown}}).files;
        const files = (JSON.parse(got) as {files: {[f: string]: unknown}}).files;
        if (Object.entries(files).every(([f, v]) => stableJson(v) === stableJson(refFiles[f]))) figures.incompleteFolders++;
        else { figures.broken++; figures.problems.push(`trial ${k}: process folder holds ${Object.keys(files).join(", ")}, not as a finished run wrote them`); }
      } else if (writer.name === "train" && got !== undefined) {
        figures.complete++; // a whole model of the first save (before the test metrics): both are whole
      } else {
        figures.broken++;
        if (got !== undefined) figures.problems.push(`trial ${k}: output differs from a finished run's`);
      }
    }
    if (left && !littered) littered = {dir: t, argv, out};
    else rmSync(t, {recursive: true, force: true});
  }
  next.child.kill("SIGKILL");
  if (littered) {
    // The next write into a folder a killed run littered removes what it left, and completes.
    const r = await runOn(startRunner(), littered.argv);
    const leftover = temporariesIn(dirname(littered.out));
    let whole = false;
    try {
      whole = r.code === 0 && stableJson(await writer.summarize(littered.out, fx)) === reference;
    } catch {
      // not whole
    }
    figures.nextRunCleans = whole && leftover.length === 0;
    if (!figures.nextRunCleans) figures.problems.push(`a whole run after a killed one: exit ${r.code}, temporaries left ${leftover.join(", ") || "none"}, output ${whole ? "whole" : "not as a finished run's"}`);
    rmSync(littered.dir, {recursive: true, force: true});
  }
  rmSync(refDir, {recursive: true, force: true});
  return figures;
}
