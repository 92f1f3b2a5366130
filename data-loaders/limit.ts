// `pulsebook limit`: the WIMP cross-section upper limit versus mass from an event table's
// energies (lib/stats/wimpLimit.ts), written as Parquet with provenance and lineage. The
// events' own lineage (when a Pulsebook command wrote them) and the efficiency table's identity
// are the inputs of the limit's lineage.

import {basename, extname} from "node:path";
import {DataFileError} from "../lib/io/errors.js";
import {inputLineage, stageLineage} from "../lib/pipeline/lineage.js";
import {
  checkEfficiency, LIMIT_METHODS, TARGETS, TARGET_NAMES, wimpLimits,
  type EfficiencyCurve, type LimitMethod, type LimitRow, type LimitSetup
} from "../lib/stats/wimpLimit.js";
import {encodeParquet, readParquet, readParquetMetadata} from "./io/parquet.js";
import {atomicWrite} from "./io/atomicWrite.js";
import {readBytes, readText} from "./io/readFile.js";
import {fileIdentity, moduleVersion, parquetProvenance, provenanceStamp} from "./provenance.js";
import type {EfficiencyTable} from "../lib/stats/signalEfficiency.js";

/** "lo:hi" (30 log-spaced), "lo:hi:N" (N log-spaced) or "m1,m2,…" → masses in GeV. */
export function parseMasses(text: string): Float64Array {
  const bad = (why: string) => new RangeError(`--masses ${text}: ${why} (expected lo:hi, lo:hi:N or a comma list, in GeV)`);
  if (text.includes(":")) {
    const parts = text.split(":");
    if (parts.length > 3) throw bad("too many fields");
    const [lo, hi] = parts.slice(0, 2).map(Number);
    const n = parts.length === 3 ? Number(parts[2]) : 30;
    if (!(lo > 0 && hi > lo)) throw bad("need 0 < lo < hi");
    if (!(Number.isInteger(n) && n >= 2)) throw bad("N must be an integer ≥ 2");
    return Float64Array.from({length: n}, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
  }
  const m = text.split(",").map(Number);
  if (m.length === 0 || m.some((x) => !(x > 0))) throw bad("masses must be > 0");
  return Float64Array.from(m);
}

/** "lo:hi" in keV. */
export function parseWindow(text: string): [number, number] {
  const p = text.split(":").map(Number);
  if (p.length !== 2 || !(p[0] > 0 && p[1] > p[0])) throw new RangeError(`--window ${text}: expected lo:hi in keV with 0 < lo < hi`);
  return [p[0], p[1]];
}

/** An efficiency table: CSV with header energy_keV,efficiency; JSON {energy_keV: [], efficiency: []};
 *  or Parquet with those columns. */
export function readEfficiency(path: string): EfficiencyCurve {
  const ext = extname(path).toLowerCase();
  let e: number[], y: number[];
  if (ext === ".parquet") {
    const t = readParquet(readBytes(path, "efficiency table"), path);
    const col = (n: string) => {
      const c = t.getChild(n);
      if (!c) throw new DataFileError(path, `no column ${n} (an efficiency table has energy_keV and efficiency)`);
      return Array.from(c.toArray() as ArrayLike<number>, Number);
    };
    e = col("energy_keV");
    y = col("efficiency");
  } else if (ext === ".json") {
    let j: {energy_keV?: unknown; efficiency?: unknown};
    try {
      j = JSON.parse(readText(path, "efficiency table"));
    } catch (err) {
      if (err instanceof DataFileError) throw err;
      throw new DataFileError(path, `not JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(j.energy_keV) || !Array.isArray(j.efficiency)) throw new DataFileError(path, "expected {\"energy_keV\": [...], \"efficiency\": [...]}");
    e = j.energy_keV.map(Number);
    y = j.efficiency.map(Number);
  } else {
    const lines = readText(path, "efficiency table").split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    const head = lines[0]?.split(",").map((s) => s.trim());
    const ie = head?.indexOf("energy_keV") ?? -1, iy = head?.indexOf("efficiency") ?? -1;
    if (ie < 0 || iy < 0) throw new DataFileError(path, "the CSV header must name energy_keV and efficiency");
    e = [];
    y = [];
    lines.slice(1).forEach((l, i) => {
      const f = l.split(",").map(Number);
      if (!Number.isFinite(f[ie]) || !Number.isFinite(f[iy])) throw new DataFileError(path, `line ${i + 2} is not two numbers: ${l}`);
      e.push(f[ie]);
      y.push(f[iy]);
    });
  }
  try {
    return checkEfficiency({energy_keV: Float64Array.from(e), efficiency: Float64Array.from(y)}, path);
  } catch (err) {
    throw new DataFileError(path, (err as Error).message.replace(`${path}: `, ""));
  }
}

/** The energies of an event table's rows (one channel when it has a channel column). */
export function readEnergies(path: string, column: string, channel: number): {energies: Float64Array; bytes: Uint8Array} {
  const bytes = readBytes(path, "event table");
  const t = readParquet(bytes, path);
  const c = t.getChild(column);
  if (!c) throw new DataFileError(path, `no column ${column} (choose the energy column with --energy-column; columns: ${t.schema.fields.map((f) => f.name).join(", ")})`);
  const values = Array.from(c.toArray() as ArrayLike<number>, Number);
  const ch = t.getChild("channel");
  const keep = ch ? Array.from(ch.toArray() as ArrayLike<number>, Number).map((x) => x === channel) : values.map(() => true);
  const energies = Float64Array.from(values.filter((_, i) => keep[i]));
  const bad = energies.findIndex((x) => Number.isNaN(x));
  if (bad >= 0) throw new DataFileError(path, `row ${bad} of ${column} has no energy (NaN)`);
  return {energies, bytes};
}

export interface LimitCommandOptions {
  /** A processing config (docs/processing-config.md): events, efficiency and exposure come from the run it describes. */
  run?: string;
  /** Without `run`: the event table, its exposure and the window (required then). */
  events?: string;
  energyColumn: string;
  channel: number;
  exposure_kg_day?: number;
  masses: string;
  /** "lo:hi" keV; with `run`, default from the trigger threshold's energy to the highest injected energy. */
  window?: string;
  target: string;
  efficiency?: string;
  method: LimitMethod;
  cl: number;
  background_per_keV_kg_day: number;
  bins: number;
  experiments: number;
  seed: number;
  out: string;
  /** With `run`: the cut files (a folder of *.cut.json), the classifier (a tree-model folder), the efficiency's settings. */
  cuts?: string;
  classifier?: string;
  detectorMass_g?: number;
  injected?: number;
  thresholdSigma?: number;
  /** With `run`: also write the measured efficiency table here (Parquet; `--efficiency` reads it). */
  efficiencyOut?: string;
  command?: string;
  log?: (message: string) => void;
}

/** What the limit was computed from: energies, efficiency, exposure, and their identities for the lineage. */
interface LimitInputs {
  energies: Float64Array;
  efficiency?: EfficiencyCurve;
  exposure_kg_day: number;
  window_keV: [number, number];
  lineage: {[name: string]: string};
  identities: {[name: string]: unknown};
  extra: {[key: string]: string};
  parameters: {[key: string]: unknown};
}

/** Inputs from an event table, an exposure and an efficiency file (the command without a run). */
async function tableInputs(o: LimitCommandOptions): Promise<LimitInputs> {
  if (!o.events || o.exposure_kg_day === undefined || !o.window) throw new RangeError("without a processing config, --events, --exposure-kg-days and --window are required");
  const window_keV = parseWindow(o.window);
  const {energies, bytes} = readEnergies(o.events, o.energyColumn, o.channel);
  const efficiency = o.efficiency ? readEfficiency(o.efficiency) : undefined;
  const {metadata} = await readParquetMetadata(bytes, o.events);
  const eventsIdentity = fileIdentity(o.events);
  const lineage: {[name: string]: string} = {events: metadata["pulsebook.lineage"] ?? inputLineage(eventsIdentity)};
  const identities: {[name: string]: unknown} = {events: eventsIdentity};
  if (o.efficiency) {
    identities.efficiency = fileIdentity(o.efficiency);
    lineage.efficiency = inputLineage(identities.efficiency);
  }
  return {
    energies, efficiency, exposure_kg_day: o.exposure_kg_day, window_keV, lineage, identities, extra: {},
    parameters: {energy_column: o.energyColumn, efficiency: efficiency ? {energy_keV: Array.from(efficiency.energy_keV), efficiency: Array.from(efficiency.efficiency)} : "1"}
  };
}

/**
 * Inputs from a processed run (the processing config): the energies of the events that pass the
 * trigger, cuts and classifier; the efficiency of injected pulses through the same steps; the
 * exposure from the run's live time (data-loaders/runEfficiency.ts).
 */
async function runInputs(o: LimitCommandOptions): Promise<LimitInputs> {
  const {processedConfigAt} = await import("./run.js");
  const {runEfficiency, readTreeClassifier} = await import("./runEfficiency.js");
  const {readCutDir} = await import("./cuts.js");
  const config = await processedConfigAt(o.run!);
  const window = o.window ? parseWindow(o.window) : undefined;
  const r = await runEfficiency(config, {
    channel: o.channel, perEnergy: o.injected, threshold_sigma: o.thresholdSigma, seed: o.seed,
    cuts: o.cuts ? readCutDir(o.cuts) : [],
    classifier: o.classifier ? readTreeClassifier(o.classifier, basename(o.classifier)) : undefined,
    mass_kg: o.detectorMass_g !== undefined ? o.detectorMass_g / 1000 : undefined,
    energiesUpTo_keV: window?.[1], log: o.log
  });
  const steps = Object.values(r.events.pass);
  const energies = Float64Array.from(r.events.energy_keV.filter((e, i) => steps.every((p) => p[i]) && Number.isFinite(e)));
  const efficiency: EfficiencyCurve = {
    energy_keV: Float64Array.from(r.table.rows, (x) => x.energy_keV),
    efficiency: Float64Array.from(r.table.rows, (x) => x.efficiency)
  };
  const window_keV: [number, number] = window ?? [r.threshold_keV, r.table.rows[r.table.rows.length - 1].energy_keV];
  if (o.efficiencyOut) writeEfficiencyTable(o.efficiencyOut, r.table, r.lineage);
  const summary = {
    threshold_keV: r.threshold_keV, threshold: r.threshold_V, resolution: r.resolution_V, steps: r.table.steps, exposure: r.exposure,
    events: r.events.energy_keV.length, passed: energies.length
  };
  return {
    energies, efficiency, exposure_kg_day: r.exposure.kg_day, window_keV,
    lineage: {run: r.lineage}, identities: {run: fileIdentity(o.run!), input: fileIdentity(config.input)},
    extra: {
      "pulsebook.efficiency": JSON.stringify({cl: r.table.cl, steps: r.table.steps, rows: r.table.rows}),
      "pulsebook.run": JSON.stringify(summary)
    },
    parameters: {run: r.parameters}
  };
}

/** The measured efficiency as a table `--efficiency` reads (with its interval and counts), atomically. */
export function writeEfficiencyTable(path: string, table: EfficiencyTable, lineage: string): void {
  atomicWrite(path, encodeParquet({
    energy_keV: Float64Array.from(table.rows, (r) => r.energy_keV),
    efficiency: Float64Array.from(table.rows, (r) => r.efficiency),
    lower: Float64Array.from(table.rows, (r) => r.lower),
    upper: Float64Array.from(table.rows, (r) => r.upper),
    injected: Int32Array.from(table.rows, (r) => r.injected),
    survived: Int32Array.from(table.rows, (r) => r.survived[r.survived.length - 1] ?? r.injected)
  }, {"pulsebook.lineage": lineage, "pulsebook.efficiency": JSON.stringify({cl: table.cl, steps: table.steps})}));
}

/** Runs the limit and writes `out` (Parquet, atomically); returns the rows and events used. */
export async function limitCommand(o: LimitCommandOptions): Promise<{rows: LimitRow[]; events: number; inWindow: number; exposure_kg_day: number; window_keV: [number, number]}> {
  if (!LIMIT_METHODS.includes(o.method)) throw new RangeError(`unknown method ${o.method}`);
  const target = TARGETS[o.target];
  if (!target) throw new RangeError(`unknown target ${o.target} (known: ${TARGET_NAMES.join(", ")})`);
  const masses = parseMasses(o.masses);
  if (o.window) parseWindow(o.window);
  const inputs = o.run ? await runInputs(o) : await tableInputs(o);
  const {energies, efficiency, exposure_kg_day, window_keV} = inputs;
  const setup: LimitSetup = {
    target, exposure_kg_day, window_keV, efficiency,
    background_per_keV_kg_day: o.background_per_keV_kg_day, bins: o.bins
  };
  const rows = wimpLimits(energies, masses, setup, {method: o.method, cl: o.cl, seed: o.seed, experiments: o.experiments});
  const inWindow = energies.filter((E) => E >= window_keV[0] && E <= window_keV[1]).length;

  const parameters = {
    method: o.method, cl: o.cl, target: o.target, exposure_kg_day, window_keV,
    masses_GeV: Array.from(masses), channel: o.channel,
    background_per_keV_kg_day: o.background_per_keV_kg_day, bins: o.bins, experiments: o.experiments, seed: o.seed,
    halo: "SHM_2021 (Baxter et al. 2021)", ...inputs.parameters
  };
  const version = moduleVersion(import.meta.url);
  const lineage = stageLineage("limit", version, parameters, inputs.lineage);
  const stamp = provenanceStamp({
    lineage, stages: {limit: version}, parameters,
    inputs: inputs.identities,
    command: o.command
  });
  const columns = {
    mass_GeV: Float64Array.from(rows, (r) => r.mass_GeV),
    sigma_cm2: Float64Array.from(rows, (r) => r.sigma_cm2),
    mu_limit: Float64Array.from(rows, (r) => r.mu),
    "expected_at_1e-40_cm2": Float64Array.from(rows, (r) => r.expected_at_ref)
  };
  atomicWrite(o.out, encodeParquet(columns, parquetProvenance(stamp, {
    "pulsebook.limit": JSON.stringify({method: o.method, cl: o.cl, target: o.target, exposure_kg_day, window_keV, events_in_window: inWindow}),
    ...inputs.extra
  })));
  return {rows, events: energies.length, inWindow, exposure_kg_day, window_keV};
}
