// Golden outputs: what Pulsebook's user-facing commands produce on fixed seeds, reduced to
// plain numbers so that a refactor can be checked to change nothing (issue "The house").
// `npx tsx test/golden/outputs.ts --write` captured test/golden/golden.json before the
// refactor; test/golden.test.ts recomputes and compares to 1e-12 (relative).
//
// Runs the CLI in fresh processes (bin/pulsebook.mjs), and reads the outputs with parquet-wasm
// and apache-arrow directly, not through lib/, so the reader cannot move with the code.
import {execFile} from "node:child_process";
import {createHash} from "node:crypto";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {promisify} from "node:util";
import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import h5wasm from "h5wasm/node";

const BIN = fileURLToPath(new URL("../../bin/pulsebook.mjs", import.meta.url));
export const GOLDEN_FILE = fileURLToPath(new URL("./golden.json", import.meta.url));

async function cli(...args: string[]): Promise<string> {
  const {stdout} = await promisify(execFile)(process.execPath, [BIN, ...args], {encoding: "utf8", maxBuffer: 1 << 26});
  return stdout;
}

type Values = number[] | string[];
const MAX_VALUES = 1024;
export type Golden = {[output: string]: {[column: string]: Values | string}};

/** Columns of a Parquet file as plain arrays (numbers; bigint → number; strings kept). */
function parquetColumns(path: string): {[column: string]: Values} {
  const t = arrow.tableFromIPC(pq.readParquet(readFileSync(path)).intoIPCStream());
  const out: {[column: string]: Values} = {};
  for (const f of t.schema.fields) {
    const v = t.getChild(f.name)!.toArray() as ArrayLike<unknown>;
    const all = Array.from(v, (x) => (typeof x === "bigint" ? Number(x) : typeof x === "number" ? x : String(x))) as Values;
    // Spectra and standard events have 8-16k points: every k-th keeps the file small and
    // still catches any change of shape or scale.
    const stride = Math.ceil(all.length / MAX_VALUES);
    out[f.name] = stride > 1 ? (all.filter((_, i) => i % stride === 0) as Values) : all;
    if (stride > 1) out[`${f.name}#length`] = [all.length];
  }
  return out;
}

/** Every number in a JSON value, by path, leaving out provenance (paths, hashes, times, versions). */
function jsonNumbers(value: unknown, skip: RegExp): {[path: string]: number[]} {
  const out: {[path: string]: number[]} = {};
  const walk = (v: unknown, path: string) => {
    if (skip.test(path)) return;
    if (typeof v === "number") (out[path] ??= []).push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, path + "[]"));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(value, "");
  return out;
}

async function sha256Dataset(file: string, dataset: string): Promise<string> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, "r");
  try {
    const d = f.get(dataset) as {value: ArrayBufferView};
    const v = d.value;
    return createHash("sha256").update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest("hex");
  } finally {
    f.close();
  }
}

const PROCESS_CONFIG = `version: 1
input: run.h5
output: out
sev:
  selection: ["label = 1 AND pulse_height_V BETWEEN 0.2 AND 1", "label = 1"]
  maxRecords: 200
nps:
  selection: "abs(baseline_slope_V_per_s) < 0.05"
sevFit: true
calibration:
  amplitude: of_amplitude_V
  line_keV: 5.895
  polyOrder: 2
`;

/** Runs every command on fixed seeds in a temp folder and reduces the outputs to numbers. */
export async function computeGolden(): Promise<Golden> {
  const dir = mkdtempSync(join(tmpdir(), "pulsebook-golden-"));
  const p = (name: string) => join(dir, name);
  try {
    const g: Golden = {};
    await cli("simulate", "--events", "160", "--seed", "11", "--testpulses", "40", "--noise", "40", "--out", p("run.h5"), "--quiet");
    g.simulate = {};
    for (const d of ["events/event", "events/labels", "events/hours", "testpulses/event", "testpulses/testpulseamplitude", "noise/event"]) {
      g.simulate[d] = await sha256Dataset(p("run.h5"), d);
    }
    await cli("features", p("run.h5"), "--group", "events", "--out", p("features.parquet"));
    g.features = parquetColumns(p("features.parquet"));
    writeFileSync(p("run.yaml"), PROCESS_CONFIG);
    await cli("process", p("run.yaml"));
    for (const t of ["events", "testpulses", "noise", "sev", "nps", "optimum-filter"]) g[`process/${t}`] = parquetColumns(p(`out/${t}.parquet`));
    g["process/summary"] = jsonNumbers(JSON.parse(readFileSync(p("out/summary.json"), "utf8")), /(hash|time|seconds|_s$|version|path|created|provenance)/i);
    await cli("classify", p("run.h5"), "--out", p("predictions.parquet"), "--backend", "cpu");
    g.classify = parquetColumns(p("predictions.parquet"));
    await cli("classify-trees", p("features.parquet"), "--out", p("trees.parquet"));
    g["classify-trees"] = parquetColumns(p("trees.parquet"));
    g.cuts = {stdout: (await cli("cuts", p("features.parquet"), ...["01-onset", "02-flat-baseline", "03-no-spike"].map((c) => fileURLToPath(new URL(`../../src/cuts/${c}.cut.json`, import.meta.url))))).replace(dir, "DIR")};
    await cli("anomaly-search", "--exposures", "1,10", "--null", "200", "--signal", "20", "--out", p("sensitivity.json"), "--quiet");
    g["anomaly-search"] = jsonNumbers(JSON.parse(readFileSync(p("sensitivity.json"), "utf8")), /(hash|time|seconds|_s$|version|path|created|date|stamp)/i);
    return g;
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

// `--write --columns a,b` recaptures only columns a and b (of every output that has them) in the
// existing golden.json, and prints how far every column moved, so that a recapture names what moved.
if (process.argv.includes("--write")) {
  const g = await computeGolden();
  const only = process.argv.indexOf("--columns");
  if (only < 0) {
    writeFileSync(GOLDEN_FILE, JSON.stringify(g) + "\n");
    console.error(`wrote ${GOLDEN_FILE}: ${Object.keys(g).join(", ")}`);
  } else {
    const columns = new Set(process.argv[only + 1].split(","));
    const old = JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as Golden;
    for (const [output, cols] of Object.entries(old)) {
      for (const [column, values] of Object.entries(cols)) {
        const now = g[output]?.[column];
        const moved = Array.isArray(values) && Array.isArray(now) && now.length === values.length
          ? Math.max(0, ...values.map((v, i) => (v === now[i] || (Number.isNaN(v) && Number.isNaN(now[i])) ? 0 : Math.abs(+now[i] - +v) / Math.max(Math.abs(+v), 1e-300))))
          : JSON.stringify(now) === JSON.stringify(values) ? 0 : Infinity;
        if (moved > 0) console.error(`${output}: ${column} moved by ${moved.toExponential(2)} (worst relative)${columns.has(column) ? ", recaptured" : ""}`);
        if (columns.has(column)) cols[column] = now as Values;
      }
    }
    writeFileSync(GOLDEN_FILE, JSON.stringify(old) + "\n");
    console.error(`wrote ${GOLDEN_FILE}: columns ${[...columns].join(", ")}`);
  }
}
