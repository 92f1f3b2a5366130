// The run file: which run the notebooks show (docs/runs.md). `pulsebook.yaml` at the project
// root, or `runs/NAME.yaml` for several runs. One versioned YAML mapping: the run's data (a
// cait-layout HDF5 file, or raw `.rdt` + `.par` converted once), how it is processed, the model
// the classifying pages use, metadata the file lacks, and which events a published site
// carries records for. Parsing resolves paths against the run file's folder and rejects
// anything unknown, naming the file and the key (like processConfig.ts), so a typo never
// silently shows the demo or a default.

import {basename, dirname, extname, normalize, resolveAgainst} from "./posixPath.js";
import {parse as parseYaml, YAMLParseError} from "yaml";
import {ConfigError} from "./configError.js";
import {parseUnit, SIGNAL_UNITS, type SignalUnit} from "../math/units.js";
import type {RecordSample} from "../io/recordSample.js";

export const RUN_FILE_VERSION = 1;

/** The run's data: a cait-layout HDF5 file, or an `.rdt` stream (with its `.par`) to convert once. */
export type RunInput =
  | {kind: "hdf5"; path: string}
  | {kind: "rdt"; path: string; par: string | null; channels: number[]};

/** How the run is processed: a processing config file, an inline one, or the default steps. */
export type RunProcess =
  | {kind: "file"; path: string}
  | {kind: "inline"; config: {[key: string]: unknown}}
  | {kind: "default"};

/** Metadata the input may lack (processConfig.ts's keys; null: the file's or cait's default). */
export interface RunMetadata {
  sampleRate_Hz: number | null;
  triggerIndex: number | null;
  unit: SignalUnit | null;
  channelNames: string[] | null;
}

export interface RunFile {
  version: 1;
  /** Absolute path of the run file. */
  source: string;
  /** Short identifier: letters, digits, `-`, `_`, `.` (default: the file name, or the input's for pulsebook.yaml). */
  name: string;
  title: string;
  input: RunInput;
  process: RunProcess;
  /** Classifier model folder (absolute), or null: the shipped one. */
  model: string | null;
  metadata: RunMetadata;
  /** Events a built site carries records for; absent: publishedSample's default (lib/io/recordSample.ts). */
  publish: {records?: RecordSample};
}

type Obj = {[key: string]: unknown};

const TOP_KEYS = ["version", "name", "title", "input", "process", "model", "sampleRate_Hz", "triggerIndex", "unit", "channelNames", "publish"] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const show = (v: unknown): string => (v === undefined ? "nothing" : typeof v === "string" ? JSON.stringify(v) : v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));

/** Validation context: throws ConfigError naming the run file and the key. */
export class Reader {
  constructor(readonly file: string) {}
  fail(path: string, detail: string): never {
    throw new ConfigError(this.file, path, detail);
  }
  object(v: unknown, path: string, known: readonly string[]): Obj {
    if (!v || typeof v !== "object" || Array.isArray(v)) this.fail(path, `must be a mapping, got ${show(v)}`);
    for (const k of Object.keys(v as Obj)) {
      if (known.includes(k)) continue;
      const near = known.find((n) => n.toLowerCase() === k.toLowerCase());
      this.fail(path ? `${path}.${k}` : k, `is not a known key${near ? ` (did you mean ${near}?)` : ""}; known here: ${known.join(", ")}`);
    }
    return v as Obj;
  }
  string(v: unknown, path: string): string {
    if (typeof v !== "string" || v.trim() === "") this.fail(path, `must be a non-empty string, got ${show(v)}`);
    return v.trim();
  }
  integer(v: unknown, path: string, min: number): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) this.fail(path, `must be an integer ≥ ${min}, got ${show(v)}`);
    return v;
  }
}

/**
 * Parses and validates a run file. `file` is its path (absolute, from the Node caller: the base
 * of relative paths, and named in messages). Throws ConfigError on anything invalid.
 */
export function parseRunFile(text: string, file: string): RunFile {
  const r = new Reader(file);
  let raw: unknown;
  try {
    raw = parseYaml(text, {uniqueKeys: true, prettyErrors: true});
  } catch (e) {
    const at = e instanceof YAMLParseError ? e.linePos?.[0] : undefined;
    r.fail("", `is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ""}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (raw === null || raw === undefined) r.fail("", "is empty; a run file needs at least `version: 1` and `input`");
  return validateRunFile(raw, file);
}

/** Validates an already-parsed run file (see parseRunFile). */
export function validateRunFile(raw: unknown, file: string): RunFile {
  const r = new Reader(file);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) r.fail("", `must be a mapping of keys, got ${show(raw)}`);
  const top = raw as Obj;
  if (top.version === undefined) r.fail("version", `is missing; write \`version: ${RUN_FILE_VERSION}\` at the top`);
  if (top.version !== RUN_FILE_VERSION) {
    if (typeof top.version === "number" && Number.isInteger(top.version) && top.version > RUN_FILE_VERSION) {
      r.fail("version", `is ${top.version}, but this Pulsebook reads run file version ${RUN_FILE_VERSION} only; update Pulsebook`);
    }
    r.fail("version", `must be ${RUN_FILE_VERSION}, got ${show(top.version)}`);
  }
  r.object(top, "", TOP_KEYS);
  const source = normalize(file);
  const base = dirname(source);
  const path = (v: unknown, key: string) => resolveAgainst(base, r.string(v, key));

  if (top.input === undefined) r.fail("input", "is missing; name the run's cait HDF5 file (or `{rdt: RUN.rdt, channels: [0, 1]}`)");
  const input = runInput(top.input, r, path);

  const stem = basename(source, extname(source));
  const fallbackName = stem === "pulsebook" ? basename(input.path, extname(input.path)) : stem;
  const name = top.name === undefined ? fallbackName : r.string(top.name, "name");
  if (!NAME.test(name)) r.fail(top.name === undefined ? "name" : "name", `must be letters, digits, ".", "-" or "_" (it names folders), got ${show(name)}${top.name === undefined ? " (taken from the file name; give `name:`)" : ""}`);
  const title = top.title === undefined ? name : r.string(top.title, "title");

  let process: RunProcess = {kind: "default"};
  if (typeof top.process === "string") process = {kind: "file", path: path(top.process, "process")};
  else if (top.process !== undefined && top.process !== null) {
    if (typeof top.process !== "object" || Array.isArray(top.process)) r.fail("process", `must be a processing config file or an inline config (a mapping), got ${show(top.process)}`);
    const inline = top.process as Obj;
    for (const k of ["version", "input", "output"]) {
      if (inline[k] !== undefined) r.fail(`process.${k}`, `is set by the run file (the run's input, its output in .pulsebook/runs/${name}); remove it`);
    }
    process = {kind: "inline", config: inline};
  }

  const model = top.model === undefined || top.model === null ? null : path(top.model, "model");
  const metadata = runMetadata(top, r);
  const declared = top.publish === undefined ? undefined : r.object(top.publish, "publish", ["records"]).records;
  const publish = declared === undefined ? {} : {records: recordSample(declared, r, "publish.records")};
  return {version: 1, source, name, title, input, process, model, metadata, publish};
}

function runInput(v: unknown, r: Reader, path: (v: unknown, key: string) => string): RunInput {
  if (typeof v === "string") {
    const p = path(v, "input");
    const ext = extname(p).toLowerCase();
    if (ext === ".rdt") r.fail("input", `names a raw .rdt file; write it as \`input: {rdt: ${v}, channels: [0, 1]}\` (the detector channels to convert)`);
    if (ext === ".csmpl") r.fail("input", "names a continuous .csmpl stream; trigger it first (`pulsebook trigger`, docs/cli.md) and name the HDF5 file it writes");
    return {kind: "hdf5", path: p};
  }
  const o = r.object(v, "input", ["rdt", "par", "channels"]);
  if (o.rdt === undefined) r.fail("input", `must be the HDF5 file's path or {rdt, par, channels}, got ${show(v)}`);
  const rdt = path(o.rdt, "input.rdt");
  if (extname(rdt).toLowerCase() !== ".rdt") r.fail("input.rdt", `must name an .rdt file, got ${show(o.rdt)}`);
  const par = o.par === undefined ? null : path(o.par, "input.par");
  if (!Array.isArray(o.channels) || o.channels.length === 0) r.fail("input.channels", `must list the detector channels to convert, in output order (e.g. [0, 1]), got ${show(o.channels)}`);
  const channels = o.channels.map((c, i) => r.integer(c, `input.channels[${i}]`, 0));
  return {kind: "rdt", path: rdt, par, channels};
}

function runMetadata(top: Obj, r: Reader): RunMetadata {
  const given = (k: string) => top[k] !== undefined && top[k] !== null;
  let sampleRate_Hz: number | null = null;
  if (given("sampleRate_Hz")) {
    const v = top.sampleRate_Hz;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) r.fail("sampleRate_Hz", `must be a number > 0 (Hz), got ${show(v)}`);
    sampleRate_Hz = v;
  }
  const triggerIndex = given("triggerIndex") ? r.integer(top.triggerIndex, "triggerIndex", 0) : null;
  let unit: SignalUnit | null = null;
  if (given("unit")) {
    const u = typeof top.unit === "string" ? parseUnit(top.unit) : undefined;
    if (!u) r.fail("unit", `must be the unit of the samples, ${SIGNAL_UNITS.map((x) => `"${x}"`).join(", ")}, got ${show(top.unit)}`);
    unit = u;
  }
  let channelNames: string[] | null = null;
  if (given("channelNames")) {
    const v = top.channelNames;
    if (!Array.isArray(v) || v.length === 0) r.fail("channelNames", `must be a non-empty list of names, one per channel, got ${show(v)}`);
    channelNames = v.map((x, i) => r.string(x, `channelNames[${i}]`));
    const dup = channelNames.find((x, i) => channelNames!.indexOf(x) !== i);
    if (dup) r.fail("channelNames", `lists ${JSON.stringify(dup)} twice`);
  }
  return {sampleRate_Hz, triggerIndex, unit, channelNames};
}

/** `all`, `{first: N}`, `{every: K}` or `{random: N, seed: S}` → RecordSample. */
export function recordSample(v: unknown, r: Reader | string, key = "records"): RecordSample {
  const reader: Reader = typeof r === "string" ? new Reader(r) : r;
  if (v === undefined || v === "all") return {rule: "all"};
  const forms = "all, {first: N}, {every: K} or {random: N, seed: S}";
  if (!v || typeof v !== "object" || Array.isArray(v)) reader.fail(key, `must be ${forms}, got ${show(v)}`);
  const o = v as Obj;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === "first") return {rule: "first", events: reader.integer(o.first, `${key}.first`, 1)};
  if (keys.length === 1 && keys[0] === "every") return {rule: "every", step: reader.integer(o.every, `${key}.every`, 1)};
  if (keys.includes("random")) {
    reader.object(o, key, ["random", "seed"]);
    if (o.seed === undefined) reader.fail(`${key}.seed`, "is missing; a random sample needs a seed to be reproducible");
    return {rule: "random", events: reader.integer(o.random, `${key}.random`, 1), seed: reader.integer(o.seed, `${key}.seed`, 0)};
  }
  reader.fail(key, `must be ${forms}, got ${show(v)}`);
}

/** The `--publish-records` text of `pulsebook init`: `all`, `first:N`, `every:K`, `random:N:SEED`. */
export function parseSampleRule(text: string): RecordSample {
  const m = /^(?:(all)|first:(\d+)|every:(\d+)|random:(\d+):(\d+))$/.exec(text.trim());
  const positive = (s: string) => {
    const n = Number(s);
    if (n < 1) throw new RangeError(`record sample "${text}": the count must be ≥ 1`);
    return n;
  };
  if (!m) throw new RangeError(`record sample "${text}" must be all, first:N, every:K or random:N:SEED`);
  if (m[1]) return {rule: "all"};
  if (m[2]) return {rule: "first", events: positive(m[2])};
  if (m[3]) return {rule: "every", step: positive(m[3])};
  return {rule: "random", events: positive(m[4]), seed: Number(m[5])};
}

/** The run file's `publish.records` value for a RecordSample (inverse of recordSample). */
export function sampleYaml(sample: RecordSample): unknown {
  switch (sample.rule) {
    case "all": return "all";
    case "first": return {first: sample.events};
    case "every": return {every: sample.step};
    case "random": return {random: sample.events, seed: sample.seed};
  }
}

/** Where the run files are, as the Node side found them (paths relative to the project root). */
export interface RunFilesFound {
  /** `pulsebook.yaml` exists at the root. */
  rootFile: boolean;
  /** Files in `runs/` ending in .yaml or .yml, sorted. */
  runsDir: string[];
}

export type RunChoice = {kind: "demo"; why: string} | {kind: "file"; path: string; why: string};

/**
 * Which run the pages show (docs/runs.md):
 * 1. `PULSEBOOK_RUN` when set: `demo`, a run name (runs/NAME.yaml, or the root file when its
 *    file name says pulsebook), or a path to a run file (anything with a "/" or a .yaml/.yml ending);
 * 2. else `pulsebook.yaml` at the root;
 * 3. else the only file in runs/;
 * 4. else, with several in runs/ and none chosen, an error listing them;
 * 5. with no run file at all, the demo.
 * Paths in the answer are relative to the project root (a path from PULSEBOOK_RUN as given).
 */
export function chooseRun(env: string | undefined, found: RunFilesFound): RunChoice {
  const chosen = env?.trim();
  if (chosen) {
    if (chosen === "demo") return {kind: "demo", why: "PULSEBOOK_RUN=demo"};
    if (chosen.includes("/") || /\.ya?ml$/i.test(chosen)) return {kind: "file", path: chosen, why: `PULSEBOOK_RUN=${chosen}`};
    const file = found.runsDir.find((f) => basename(f, extname(f)) === chosen);
    if (file) return {kind: "file", path: file, why: `PULSEBOOK_RUN=${chosen}`};
    if (chosen === "pulsebook" && found.rootFile) return {kind: "file", path: "pulsebook.yaml", why: `PULSEBOOK_RUN=${chosen}`};
    const known = [...(found.rootFile ? ["pulsebook"] : []), ...found.runsDir.map((f) => basename(f, extname(f))), "demo"];
    throw new RangeError(`PULSEBOOK_RUN=${chosen}: no run of that name (no runs/${chosen}.yaml); the runs here: ${known.join(", ")}`);
  }
  if (found.rootFile) return {kind: "file", path: "pulsebook.yaml", why: "pulsebook.yaml at the project root"};
  if (found.runsDir.length === 1) return {kind: "file", path: found.runsDir[0], why: `the only run file in runs/`};
  if (found.runsDir.length > 1) {
    const names = found.runsDir.map((f) => basename(f, extname(f)));
    throw new RangeError(`${found.runsDir.length} run files in runs/ (${names.join(", ")}) and none chosen: set PULSEBOOK_RUN=NAME (e.g. PULSEBOOK_RUN=${names[0]} npm run build), or add pulsebook.yaml`);
  }
  return {kind: "demo", why: "no run file (pulsebook.yaml or runs/*.yaml)"};
}
