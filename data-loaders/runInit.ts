// `pulsebook init --run PATH --input FILE`: writes a run file (docs/runs.md) for a cait HDF5
// file after opening it, and says what it found in it and where each piece came from. The
// file is validated by the same parser the loaders use before it is written (atomically);
// an existing run file is replaced only with --force.

import {existsSync} from "node:fs";
import {basename, dirname, extname, relative, resolve} from "node:path";
import {stringify} from "yaml";
import {ConfigError} from "../lib/config/configError.js";
import {parseRunFile, parseSampleRule, sampleYaml, type RunFile} from "../lib/config/runFile.js";
import {METADATA_KEYS} from "../lib/io/recordMetadata.js";
import {formatSI, UNIT_LABEL} from "../lib/math/units.js";
import type {Dataset, MetadataSources} from "../lib/types.js";
import {atomicWrite} from "./io/atomicWrite.js";
import {openCaitFile} from "./io/node.js";

export interface InitRunOptions {
  /** The run file to write (pulsebook.yaml or runs/NAME.yaml). */
  run: string;
  input: string;
  title?: string;
  name?: string;
  /** A processing config file (docs/processing-config.md). */
  config?: string;
  /** A classifier model folder. */
  model?: string;
  /** all, first:N, every:K or random:N:SEED. */
  publishRecords?: string;
  force?: boolean;
}

export interface InitRunResult {
  path: string;
  run: RunFile;
  /** What the input holds, one line each, with where each piece came from. */
  found: string[];
}

/** Where a piece of metadata came from, in words. */
function from(dataset: Dataset, key: keyof MetadataSources): string {
  return dataset.sources[key] === "file" ? `from the file (${METADATA_KEYS[key].dataset})` : `cait's default, assumed (the file has no ${METADATA_KEYS[key].dataset}; give ${METADATA_KEYS[key].config} in the run file)`;
}

export async function initRun(options: InitRunOptions): Promise<InitRunResult> {
  const path = resolve(options.run);
  // The errors are the user's: ConfigError names the file (or option) and is said as it is.
  const fail = (file: string, detail: string): never => { throw new ConfigError(file, "", detail); };
  if (!/\.ya?ml$/i.test(path)) fail(options.run, "(--run) is not a .yaml file; name the run file pulsebook.yaml or runs/NAME.yaml");
  if (existsSync(path) && !options.force) fail(options.run, "exists; pass --force to replace it");
  const input = resolve(options.input);
  if (!existsSync(input)) fail(options.input, "(--input) does not exist");
  if (/\.(rdt|csmpl)$/i.test(input)) {
    fail(options.input, "(--input) is a raw DAQ file; init opens a cait HDF5 file. Write `input: {rdt: RUN.rdt, channels: [0, 1]}` in the run file by hand (docs/runs.md), or convert first (pulsebook convert)");
  }
  for (const [flag, p] of [["--config", options.config], ["--model", options.model]] as const) {
    if (p !== undefined && !existsSync(resolve(p))) fail(p, `(${flag}) does not exist`);
  }
  if (options.model !== undefined && !existsSync(resolve(options.model, "model.json"))) fail(options.model, "(--model) is not a model folder (no model.json)");
  let records;
  try {
    records = options.publishRecords === undefined ? undefined : parseSampleRule(options.publishRecords);
  } catch (e) {
    return fail("--publish-records", (e as Error).message);
  }

  // Open it as the loaders will: a foreign HDF5 file is refused here, naming it.
  const file = await openCaitFile(input);
  let dataset: Dataset;
  try {
    dataset = file.dataset;
  } finally {
    file.close();
  }
  const {layout, groups, channels, unit} = dataset;
  const found = [
    `${input}: ${Object.entries(groups).map(([g, n]) => `${n} ${g}`).join(", ")}`,
    `channels: ${channels.length} (${channels.map((c) => c.name).join(", ")}), names ${from(dataset, "channelNames")}`,
    `record length: ${layout.recordLength} samples (events/event)`,
    `sample rate: ${formatSI(layout.sampleFrequency_Hz, "Hz")}, ${from(dataset, "sampleFrequency_Hz")}`,
    `trigger index: sample ${layout.triggerIndex}, ${from(dataset, "triggerIndex")}`,
    `unit: ${UNIT_LABEL[unit]}, ${from(dataset, "unit")}`,
    `labels: ${dataset.hasLabels ? "yes (events/labels)" : "none"}`
  ];

  const here = dirname(path);
  const rel = (p: string) => {
    const r = relative(here, resolve(p));
    return r === "" ? "." : r.split("\\").join("/");
  };
  const stem = basename(path, extname(path));
  const name = options.name ?? (stem === "pulsebook" ? basename(input, extname(input)).replace(/[^A-Za-z0-9._-]/g, "_") : stem);
  const doc: {[key: string]: unknown} = {
    version: 1,
    name,
    title: options.title ?? name,
    input: rel(input),
    ...(options.config !== undefined ? {process: rel(options.config)} : {}),
    ...(options.model !== undefined ? {model: rel(options.model)} : {}),
    ...(records ? {publish: {records: sampleYaml(records)}} : {})
  };
  const text = `# Pulsebook run file (docs/runs.md), written by \`pulsebook init\`.\n${stringify(doc)}`;
  const run = parseRunFile(text, path); // the loaders' parser: what is written is what they read
  atomicWrite(path, text);
  return {path, run, found};
}
