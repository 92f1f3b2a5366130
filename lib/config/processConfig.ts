// The processing config: one declarative, versioned YAML (or JSON) file that describes how a
// whole run is processed (docs/processing-config.md documents every key). Parsing fills the
// defaults, resolves paths against the config's folder and rejects anything it does not know,
// naming the file and the exact key, so a typo never silently falls back to a default.

import {basename, dirname, extname, normalize, resolveAgainst} from "./posixPath.js";
import {parse as parseYaml, YAMLParseError} from "yaml";
import {RECORD_GROUPS, type RecordGroup} from "../types.js";
import {hashJson} from "../hash.js";
import {checkPredicate} from "../io/sqlPredicate.js";
import {parseUnit, SIGNAL_UNITS, type SignalUnit} from "../math/units.js";

export const PROCESS_CONFIG_VERSION = 1;

import type {PerChannel} from "./perChannel.js";
export {forChannel, type PerChannel} from "./perChannel.js";

export type PolyOrder = 1 | 2 | 3 | "interpolate";

export interface FeaturesConfig {
  enabled: boolean;
}

export interface SevConfig {
  enabled: boolean;
  /** Group the standard event is built from. */
  group: "events" | "testpulses";
  /** SQL WHERE predicate over the feature table selecting the records averaged, per channel. */
  selection: PerChannel<string>;
  /** Align records on their onset before averaging. */
  align: boolean;
  /** At most this many records per channel (null: all selected). */
  maxRecords: number | null;
}

export interface NpsConfig {
  enabled: boolean;
  group: RecordGroup;
  /** SQL WHERE predicate selecting clean baselines, per channel. */
  selection: PerChannel<string>;
  window: "tukey" | "none";
}

export interface OptimumFilterConfig {
  enabled: boolean;
  /** Tukey taper on records before filtering (cait does). */
  window: boolean;
  /** Where the amplitude maximum is searched, ms relative to the trigger; null: cait's [L/8, L−L/8). */
  search_ms: [number, number] | null;
}

export interface SevFitConfig {
  enabled: boolean;
  /** Order of the baseline polynomial fitted with the SEV, 0–3. */
  baselineOrder: 0 | 1 | 2 | 3;
  /** Samples above this level (V above baseline) are left out of the fit (saturation); null: none. */
  truncationLevel_V: PerChannel<number | null>;
  /** Largest onset shift searched, ms. */
  maxShift_ms: number;
}

export interface CalibrationConfig {
  enabled: boolean;
  /** Where each test pulse's TPA comes from: the `testpulses/testpulseamplitude` dataset. */
  tpaSource: "testpulseamplitude";
  /**
   * Feature column used as the amplitude of events and test pulses: `pulse_height`,
   * `of_amplitude` or `fit_height` in the data's unit, or with the unit written
   * (`of_amplitude_V`, `pulse_height_A`), which must then be the data's.
   */
  amplitude: string;
  polyOrder: PolyOrder;
  /** Energy of the calibration line, keV (e.g. 5.895 for ⁵⁵Fe Kα); never null when enabled. */
  line_keV: number | null;
  /** SQL WHERE predicate choosing the candidate line events, per channel. */
  lineSelection: PerChannel<string>;
  /** Time interpolation of the test-pulse response ("none": one global TPA relation). */
  interpolation: "linear" | "none";
  /** Running median over this many test pulses of one TPA (odd). */
  medianWindow: number;
  /** Longer gaps between test pulses mark unstable intervals, h. */
  maxGap_h: number;
}

export interface TriggerConfig {
  enabled: boolean;
  /** Threshold in units of the filtered baseline resolution… */
  threshold_sigma: number | null;
  /** …or chosen so that noise alone triggers at this rate (exactly one of the two). */
  noise_rate_Hz: number | null;
  deadTime_ms: number;
}

export interface ProcessConfig {
  version: 1;
  /** Absolute path of the config file. */
  source: string;
  /** Absolute path of the input HDF5 file. */
  input: string;
  /** Absolute path of the output directory. */
  output: string;
  groups: RecordGroup[];
  /** Channel indices processed, or "all". */
  channels: number[] | "all";
  /**
   * What the input file should say about its records and may not (null: the file's, or cait's
   * default, announced): sample rate, trigger index (samples before the trigger), unit of the
   * samples, one name per channel. A value the file contradicts is an error.
   */
  sampleRate_Hz: number | null;
  triggerIndex: number | null;
  unit: SignalUnit | null;
  channelNames: string[] | null;
  /** false: metadata neither the file nor the config gives is an error, not cait's default. */
  assumeDefaults: boolean;
  features: FeaturesConfig;
  sev: SevConfig;
  nps: NpsConfig;
  optimumFilter: OptimumFilterConfig;
  sevFit: SevFitConfig;
  calibration: CalibrationConfig;
  trigger: TriggerConfig;
}

import {ConfigError} from "./configError.js";
export {ConfigError} from "./configError.js";

type Obj = {[key: string]: unknown};

const show = (v: unknown): string => (v === undefined ? "nothing" : typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) || (v && typeof v === "object") ? JSON.stringify(v) : String(v));

/** Validation context: the file's name as the user wrote it, and helpers that throw ConfigError. */
class Reader {
  constructor(readonly file: string) {}
  fail(path: string, detail: string): never {
    throw new ConfigError(this.file, path, detail);
  }
  object(v: unknown, path: string, known: readonly string[]): Obj {
    if (!v || typeof v !== "object" || Array.isArray(v)) this.fail(path, `must be a mapping, got ${show(v)}`);
    const o = v as Obj;
    for (const k of Object.keys(o)) {
      if (known.includes(k)) continue;
      const near = known.find((n) => n.toLowerCase() === k.toLowerCase());
      const at = path ? `${path}.${k}` : k;
      this.fail(at, `is not a known key${near ? ` (did you mean ${near}?)` : ""}; known here: ${known.join(", ")}`);
    }
    return o;
  }
  /** A section: `true`/`false` shorthand, or a mapping (present without `enabled` means enabled). */
  section(v: unknown, path: string, known: readonly string[], enabledByDefault: boolean): {o: Obj; enabled: boolean} {
    if (v === undefined || v === null) return {o: {}, enabled: enabledByDefault};
    if (typeof v === "boolean") return {o: {}, enabled: v};
    const o = this.object(v, path, ["enabled", ...known]);
    return {o, enabled: this.bool(o.enabled, `${path}.enabled`, true)};
  }
  bool(v: unknown, path: string, fallback: boolean): boolean {
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") this.fail(path, `must be true or false, got ${show(v)}`);
    return v;
  }
  number(v: unknown, path: string, fallback: number | undefined, {min = -Infinity, max = Infinity, exclusiveMin = false, integer = false} = {}): number {
    if (v === undefined && fallback !== undefined) return fallback;
    const range = `${integer ? "an integer" : "a number"}${min > -Infinity ? ` ${exclusiveMin ? ">" : "≥"} ${min}` : ""}${max < Infinity ? ` and ≤ ${max}` : ""}`;
    if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || (exclusiveMin && v === min) || v > max) {
      this.fail(path, `must be ${range}, got ${show(v)}`);
    }
    return v;
  }
  oneOf<T extends string | number>(v: unknown, path: string, options: readonly T[], fallback: T): T {
    if (v === undefined) return fallback;
    if (!options.includes(v as T)) {
      const list = options.map((o) => (typeof o === "string" ? `"${o}"` : String(o)));
      this.fail(path, `must be ${list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}` : list[0]}, got ${show(v)}`);
    }
    return v as T;
  }
  predicate(v: unknown, path: string): string {
    if (typeof v !== "string" || v.trim() === "") this.fail(path, `must be a non-empty SQL predicate (a WHERE clause), got ${show(v)}`);
    // A predicate is data: one expression, refused here, before any data is read.
    try {
      checkPredicate(v);
    } catch (e) {
      this.fail(path, `must be a single SQL predicate: ${(e as Error).message}, got ${show(v)}`);
    }
    return v.trim();
  }
  perChannel<T>(v: unknown, path: string, fallback: PerChannel<T>, one: (x: unknown, p: string) => T): PerChannel<T> {
    if (v === undefined) return fallback;
    if (Array.isArray(v)) {
      if (v.length === 0) this.fail(path, `must be one value or a non-empty list (one per channel), got []`);
      return v.map((x, i) => one(x, `${path}[${i}]`));
    }
    return one(v, path);
  }
  path(v: unknown, keyPath: string, base: string, fallback?: string): string {
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== "string" || v.trim() === "") this.fail(keyPath, `must be a path (string), got ${show(v)}`);
    return resolveAgainst(base, v);
  }
}

const TOP_KEYS = ["version", "input", "output", "groups", "channels", "sampleRate_Hz", "triggerIndex", "unit", "channelNames", "assumeDefaults", "features", "sev", "nps", "optimumFilter", "sevFit", "calibration", "trigger"] as const;

/**
 * Parses and validates a processing config. `file` is the config's path (used in messages and
 * as the base of relative paths); give it absolute (the Node caller resolves it against the
 * working folder), or the resolved paths stay relative too. Throws ConfigError on anything invalid.
 */
export function parseProcessConfig(text: string, file: string): ProcessConfig {
  const name = basename(file);
  const r = new Reader(name);
  let raw: unknown;
  try {
    raw = extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text, {uniqueKeys: true, prettyErrors: true});
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const at = e.linePos?.[0];
      r.fail("", `is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ""}: ${e.message.split("\n")[0]}`);
    }
    r.fail("", `is not valid ${extname(file).toLowerCase() === ".json" ? "JSON" : "YAML"}: ${(e as Error).message}`);
  }
  if (raw === null || raw === undefined) r.fail("", "is empty; a config needs at least `version: 1` and `input`");
  return validate(raw, file, r);
}

/** Validates an already-parsed config object (e.g. from a page or a test). */
export function validateProcessConfig(raw: unknown, file: string): ProcessConfig {
  return validate(raw, file, new Reader(basename(file)));
}

function validate(raw: unknown, file: string, r: Reader): ProcessConfig {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) r.fail("", `must be a mapping of keys, got ${show(raw)}`);
  const top = raw as Obj;
  // The version first: a future file must say "too new", not "unknown key".
  if (top.version === undefined) r.fail("version", `is missing; write \`version: ${PROCESS_CONFIG_VERSION}\` at the top`);
  if (top.version !== PROCESS_CONFIG_VERSION) {
    if (typeof top.version === "number" && Number.isInteger(top.version) && top.version > PROCESS_CONFIG_VERSION) {
      r.fail("version", `is ${top.version}, but this Pulsebook reads config version ${PROCESS_CONFIG_VERSION} only; update Pulsebook or write the config for version ${PROCESS_CONFIG_VERSION}`);
    }
    r.fail("version", `must be ${PROCESS_CONFIG_VERSION}, got ${show(top.version)}`);
  }
  r.object(top, "", TOP_KEYS);
  const source = normalize(file);
  const base = dirname(source);
  const input = r.path(top.input, "input", base);
  const output = r.path(top.output, "output", base, resolveAgainst(base, `${basename(file, extname(file))}.out`));

  let groups: RecordGroup[] = [...RECORD_GROUPS];
  if (top.groups !== undefined) {
    if (!Array.isArray(top.groups) || top.groups.length === 0) r.fail("groups", `must be a non-empty list of ${RECORD_GROUPS.join(", ")}, got ${show(top.groups)}`);
    groups = top.groups.map((g, i) => r.oneOf(g, `groups[${i}]`, RECORD_GROUPS, "events"));
    const dup = groups.find((g, i) => groups.indexOf(g) !== i);
    if (dup) r.fail("groups", `lists ${dup} twice`);
  }

  let channels: number[] | "all" = "all";
  if (top.channels !== undefined && top.channels !== "all") {
    if (!Array.isArray(top.channels) || top.channels.length === 0) r.fail("channels", `must be "all" or a non-empty list of channel indices, got ${show(top.channels)}`);
    channels = top.channels.map((c, i) => r.number(c, `channels[${i}]`, undefined, {min: 0, integer: true}));
  }

  const sampleRate_Hz = top.sampleRate_Hz === undefined || top.sampleRate_Hz === null ? null : r.number(top.sampleRate_Hz, "sampleRate_Hz", undefined, {min: 0, exclusiveMin: true});
  const triggerIndex = top.triggerIndex === undefined || top.triggerIndex === null ? null : r.number(top.triggerIndex, "triggerIndex", undefined, {min: 0, integer: true});
  let unit: SignalUnit | null = null;
  if (top.unit !== undefined && top.unit !== null) {
    const u = typeof top.unit === "string" ? parseUnit(top.unit) : undefined;
    if (!u) r.fail("unit", `must be the unit of the samples, ${SIGNAL_UNITS.map((x) => `"${x}"`).join(", ")} (or volts, amperes, ADC counts), got ${show(top.unit)}`);
    unit = u;
  }
  let channelNames: string[] | null = null;
  if (top.channelNames !== undefined && top.channelNames !== null) {
    const v = top.channelNames;
    if (!Array.isArray(v) || v.length === 0) r.fail("channelNames", `must be a non-empty list of names, one per channel of the file, got ${show(v)}`);
    channelNames = v.map((x, i) => {
      if (typeof x !== "string" || x.trim() === "") r.fail(`channelNames[${i}]`, `must be a non-empty string, got ${show(x)}`);
      return x.trim();
    });
    const dup = channelNames.find((x, i) => channelNames!.indexOf(x) !== i);
    if (dup) r.fail("channelNames", `lists ${JSON.stringify(dup)} twice`);
  }

  const assumeDefaults = r.bool(top.assumeDefaults, "assumeDefaults", true);

  const f = r.section(top.features, "features", [], true);
  const features: FeaturesConfig = {enabled: f.enabled};

  const s = r.section(top.sev, "sev", ["group", "selection", "align", "maxRecords"], true);
  const sev: SevConfig = {
    enabled: s.enabled,
    group: r.oneOf(s.o.group, "sev.group", ["events", "testpulses"] as const, "events"),
    selection: r.perChannel(s.o.selection, "sev.selection", "label = 1", (x, p) => r.predicate(x, p)),
    align: r.bool(s.o.align, "sev.align", true),
    maxRecords: s.o.maxRecords === undefined || s.o.maxRecords === null ? null : r.number(s.o.maxRecords, "sev.maxRecords", undefined, {min: 1, integer: true})
  };

  const n = r.section(top.nps, "nps", ["group", "selection", "window"], true);
  const nps: NpsConfig = {
    enabled: n.enabled,
    group: r.oneOf(n.o.group, "nps.group", RECORD_GROUPS, "noise"),
    selection: r.perChannel(n.o.selection, "nps.selection", "true", (x, p) => r.predicate(x, p)),
    window: r.oneOf(n.o.window, "nps.window", ["tukey", "none"] as const, "tukey")
  };

  const o = r.section(top.optimumFilter, "optimumFilter", ["window", "search_ms"], true);
  let search_ms: [number, number] | null = null;
  if (o.o.search_ms !== undefined && o.o.search_ms !== null) {
    const v = o.o.search_ms;
    if (!Array.isArray(v) || v.length !== 2) r.fail("optimumFilter.search_ms", `must be [from_ms, to_ms] or null, got ${show(v)}`);
    const lo = r.number(v[0], "optimumFilter.search_ms[0]", undefined);
    const hi = r.number(v[1], "optimumFilter.search_ms[1]", undefined);
    if (!(hi > lo)) r.fail("optimumFilter.search_ms", `must have from_ms < to_ms, got ${show(v)}`);
    search_ms = [lo, hi];
  }
  const optimumFilter: OptimumFilterConfig = {enabled: o.enabled, window: r.bool(o.o.window, "optimumFilter.window", true), search_ms};

  const f2 = r.section(top.sevFit, "sevFit", ["baselineOrder", "truncationLevel_V", "maxShift_ms"], false);
  const sevFit: SevFitConfig = {
    enabled: f2.enabled,
    baselineOrder: r.oneOf(f2.o.baselineOrder, "sevFit.baselineOrder", [0, 1, 2, 3] as const, 3),
    truncationLevel_V: r.perChannel<number | null>(f2.o.truncationLevel_V, "sevFit.truncationLevel_V", null, (x, p) => (x === null ? null : r.number(x, p, undefined, {min: 0, exclusiveMin: true}))),
    maxShift_ms: r.number(f2.o.maxShift_ms, "sevFit.maxShift_ms", 5, {min: 0})
  };

  const c = r.section(top.calibration, "calibration", ["tpaSource", "amplitude", "polyOrder", "line_keV", "lineSelection", "interpolation", "medianWindow", "maxGap_h"], false);
  if (c.enabled && (c.o.line_keV === undefined || c.o.line_keV === null)) r.fail("calibration.line_keV", "is required when calibration is enabled (the energy of the calibration line, keV)");
  const calibration: CalibrationConfig = {
    enabled: c.enabled,
    tpaSource: r.oneOf(c.o.tpaSource, "calibration.tpaSource", ["testpulseamplitude"] as const, "testpulseamplitude"),
    amplitude: amplitudeColumn(c.o.amplitude, r),
    polyOrder: r.oneOf(c.o.polyOrder, "calibration.polyOrder", [1, 2, 3, "interpolate"] as const, 1),
    line_keV: c.o.line_keV === undefined || c.o.line_keV === null ? null : r.number(c.o.line_keV, "calibration.line_keV", undefined, {min: 0, exclusiveMin: true}),
    lineSelection: r.perChannel(c.o.lineSelection, "calibration.lineSelection", "label = 1", (x, p) => r.predicate(x, p)),
    interpolation: r.oneOf(c.o.interpolation, "calibration.interpolation", ["linear", "none"] as const, "linear"),
    medianWindow: r.number(c.o.medianWindow, "calibration.medianWindow", 5, {min: 1, integer: true}),
    maxGap_h: c.o.maxGap_h === null ? Infinity : r.number(c.o.maxGap_h, "calibration.maxGap_h", 0.5, {min: 0, exclusiveMin: true})
  };
  if (calibration.medianWindow % 2 === 0) r.fail("calibration.medianWindow", `must be odd, got ${calibration.medianWindow}`);

  const t = r.section(top.trigger, "trigger", ["threshold_sigma", "noise_rate_Hz", "deadTime_ms"], false);
  const hasSigma = t.o.threshold_sigma !== undefined && t.o.threshold_sigma !== null;
  const hasRate = t.o.noise_rate_Hz !== undefined && t.o.noise_rate_Hz !== null;
  if (hasSigma && hasRate) r.fail("trigger", "sets both threshold_sigma and noise_rate_Hz; give exactly one");
  const trigger: TriggerConfig = {
    enabled: t.enabled,
    threshold_sigma: hasSigma ? r.number(t.o.threshold_sigma, "trigger.threshold_sigma", undefined, {min: 0, exclusiveMin: true}) : hasRate ? null : 5,
    noise_rate_Hz: hasRate ? r.number(t.o.noise_rate_Hz, "trigger.noise_rate_Hz", undefined, {min: 0, exclusiveMin: true}) : null,
    deadTime_ms: r.number(t.o.deadTime_ms, "trigger.deadTime_ms", 0, {min: 0})
  };

  return {version: 1, source, input, output, groups, channels, sampleRate_Hz, triggerIndex, unit, channelNames, assumeDefaults, features, sev, nps, optimumFilter, sevFit, calibration, trigger};
}

/** The amplitude columns calibration may use, in volts names (`sev_fit_height_V`: fit_height_V, its older name). */
const AMPLITUDES = ["pulse_height", "of_amplitude", "fit_height"] as const;

/** calibration.amplitude: a column name without unit (the data's) or with one; default `pulse_height`. */
function amplitudeColumn(v: unknown, r: Reader): string {
  if (v === undefined) return "pulse_height";
  const m = typeof v === "string" ? /^(sev_fit_height|pulse_height|of_amplitude|fit_height)(?:_(V|A|ADC))?$/.exec(v) : null;
  if (!m) {
    r.fail("calibration.amplitude", `must be ${AMPLITUDES.map((x) => `"${x}"`).join(", ")} (in the data's unit), or one of them with the unit (e.g. "of_amplitude_V"), got ${show(v)}`);
  }
  const name = m[1] === "sev_fit_height" ? "fit_height" : m[1];
  return m[2] ? `${name}_${m[2]}` : name;
}

/**
 * sha256 (hex) of the processing settings, for provenance. `source` (where the config file
 * lives) is left out, so the same settings hash the same from any copy of the file; the
 * resolved input and output paths are in.
 */
export function configHash(config: ProcessConfig): string {
  const {source: _source, ...settings} = config;
  return hashJson(settings);
}
