// What `pulsebook process` checks before its first expensive pass: the metadata the run will
// use (file, config, or cait's default, announced), and every config key that can be checked
// against the file without computing anything (selection columns, the amplitude column, the
// search range, empty groups). A mistake here costs milliseconds, not a feature pass.
import {ConfigError, type ProcessConfig} from "../../config/processConfig.js";
import {forChannel, type PerChannel} from "../../config/perChannel.js";
import {featureColumnsIn, FEATURE_COLUMNS} from "../../dsp/features.js";
import {SEV_FIT_COLUMNS} from "../../dsp/sevFit.js";
import {channelsOf} from "../../io/caitFile.js";
import {DataFileError} from "../../io/errors.js";
import {METADATA_KEYS} from "../../io/recordMetadata.js";
import {checkPredicate, PredicateError} from "../../io/sqlPredicate.js";
import {formatSI, UNIT_LABEL, unitColumn, voltsColumn} from "../../math/units.js";
import type {Dataset, MetadataSources, RecordGroup} from "../../types.js";
import {amplitudeColumn} from "./calibration.js";

const configName = (config: ProcessConfig) => config.source.split(/[\\/]/).pop() ?? config.source;

/**
 * The dataset as this run reads it: what the file says, completed by the config's
 * `sampleRate_Hz`, `triggerIndex`, `unit`, `channelNames`. A config value the file
 * contradicts is a ConfigError naming the key and the file's value (the file is not silently
 * overridden, nor the config silently ignored).
 */
export function resolveMetadata(dataset: Dataset, config: ProcessConfig): Dataset {
  const fail = (key: string, detail: string): never => { throw new ConfigError(configName(config), key, detail); };
  const sources: MetadataSources = {...dataset.sources};
  const given = <K extends keyof MetadataSources>(key: K, value: unknown, fileValue: unknown, show: (v: never) => string): boolean => {
    if (value === null) return false;
    const {config: name, dataset: where} = METADATA_KEYS[key];
    if (sources[key] === "file") {
      if (JSON.stringify(value) !== JSON.stringify(fileValue)) {
        fail(name, `is ${show(value as never)}, but ${config.input} says ${show(fileValue as never)} (${where}); remove the key or correct the file`);
      }
      return false;
    }
    sources[key] = "config";
    return true;
  };
  const {layout} = dataset;
  const L = layout.recordLength;
  const hz = (v: number) => `${v} Hz`;
  let {sampleFrequency_Hz, triggerIndex} = layout;
  if (given("sampleFrequency_Hz", config.sampleRate_Hz, layout.sampleFrequency_Hz, hz)) sampleFrequency_Hz = config.sampleRate_Hz!;
  if (config.triggerIndex !== null && config.triggerIndex >= L) fail("triggerIndex", `is ${config.triggerIndex}, but the records of ${config.input} have ${L} samples (the trigger index must be below ${L})`);
  if (given("triggerIndex", config.triggerIndex, layout.triggerIndex, String)) triggerIndex = config.triggerIndex!;
  let unit = dataset.unit;
  if (given("unit", config.unit, dataset.unit, (u: string) => JSON.stringify(u))) unit = config.unit!;
  const n = dataset.channels.length;
  if (config.channelNames !== null && config.channelNames.length !== n) {
    fail("channelNames", `lists ${config.channelNames.length} name(s), but ${config.input} has ${n} channel(s)`);
  }
  let channels = dataset.channels;
  const numbers = channels.map((c) => c.number);
  if (given("channelNames", config.channelNames, channels.map((c) => c.name), (v: string[]) => JSON.stringify(v))) {
    channels = channelsOf(n, unit, numbers, config.channelNames!);
  } else if (sources.channelNames === "assumed") {
    channels = channelsOf(n, unit, numbers);
  }
  return {...dataset, layout: {sampleFrequency_Hz, recordLength: L, triggerIndex}, unit, channels, sources};
}

/** The columns a selection over `group`'s feature table may name, before any stage has run. */
function featureTableColumns(dataset: Dataset, group: RecordGroup): string[] {
  const names = featureColumnsIn(dataset.unit, FEATURE_COLUMNS).map((c) => c.name);
  return [
    ...names.filter((c) => c !== "label" || (group === "events" && dataset.hasLabels)),
    ...(group === "testpulses" ? ["tpa"] : [])
  ];
}

/**
 * Every check that needs the file's description but no computation. Throws ConfigError
 * (naming the config file and key) or DataFileError (naming the input and dataset).
 */
export function preflight(config: ProcessConfig, dataset: Dataset, channels: readonly number[]): void {
  const name = configName(config);
  const fail = (key: string, detail: string): never => { throw new ConfigError(name, key, detail); };
  const {unit, layout} = dataset;

  // Metadata nobody gave, where the config forbids assuming it.
  if (!config.assumeDefaults) {
    const missing = (Object.keys(METADATA_KEYS) as (keyof MetadataSources)[]).filter((k) => dataset.sources[k] === "assumed");
    if (missing.length) {
      fail("assumeDefaults", `is false, but ${config.input} does not give its ${missing.map((k) => `${METADATA_KEYS[k].what} (${METADATA_KEYS[k].dataset})`).join(", ")}: give ${missing.map((k) => METADATA_KEYS[k].config).join(", ")} in the config`);
    }
  }

  // Groups a stage reads must hold records: an empty one would fail after the feature pass.
  const needsRecords = (g: RecordGroup, key: string) => {
    if (dataset.groups[g] === 0) throw new DataFileError(config.input, `group "${g}" holds no events, but ${key} needs its records`, `${g}/event`);
  };
  if (config.sev.enabled) needsRecords(config.sev.group, "sev.group");
  if (config.nps.enabled) needsRecords(config.nps.group, "nps.group");
  if (config.calibration.enabled) { needsRecords("events", "calibration"); needsRecords("testpulses", "calibration"); }

  // Selections name columns of the feature table, which this file names after its unit.
  const extra = (group: RecordGroup): string[] => (group !== "events" && group !== "testpulses" ? [] : [
    ...(config.optimumFilter.enabled ? [unitColumn("of_amplitude_V", unit), "of_time_ms"] : []),
    ...(config.sevFit.enabled ? SEV_FIT_COLUMNS.map((c) => unitColumn(c.name, unit)) : [])
  ]);
  const checkSelection = (selection: PerChannel<string>, key: string, group: RecordGroup, columns: string[]) => {
    for (const c of channels) {
      let predicate: string;
      try {
        predicate = forChannel(selection, c, key);
      } catch (e) {
        return fail(key, `${(e as Error).message} (channels processed: ${channels.join(", ")})`);
      }
      const at = Array.isArray(selection) ? `${key}[${c}]` : key;
      try {
        checkPredicate(predicate, columns);
      } catch (e) {
        if (!(e instanceof PredicateError)) throw e;
        const volts = unit !== "V" ? columns.map((col) => voltsColumn(col, unit)).filter((v): v is string => v !== undefined && predicate.includes(v)) : [];
        const hint = volts.length ? ` (${config.input} holds ${UNIT_LABEL[unit]}: its columns are named for that unit, e.g. ${unitColumn(volts[0], unit)} for ${volts[0]})` : "";
        fail(at, `selects from the ${group} table of ${config.input}: ${e.problem}${hint}`);
      }
    }
  };
  if (config.sev.enabled) checkSelection(config.sev.selection, "sev.selection", config.sev.group, featureTableColumns(dataset, config.sev.group));
  if (config.nps.enabled) checkSelection(config.nps.selection, "nps.selection", config.nps.group, featureTableColumns(dataset, config.nps.group));
  if (config.calibration.enabled) {
    checkSelection(config.calibration.lineSelection, "calibration.lineSelection", "events", [...featureTableColumns(dataset, "events"), ...extra("events")]);
    const column = amplitudeColumn(config.calibration.amplitude, unit);
    const written = /_(V|A|ADC)$/.exec(config.calibration.amplitude)?.[1];
    if (written && written !== unit) {
      fail("calibration.amplitude", `is ${config.calibration.amplitude}, but ${config.input} holds ${UNIT_LABEL[unit]}: write ${unitColumn(`${config.calibration.amplitude.slice(0, -written.length - 1)}_V`, unit)} (or leave the unit out)`);
    }
    if (column.startsWith("of_amplitude") && !config.optimumFilter.enabled) fail("calibration.amplitude", `is ${column}, which needs optimumFilter enabled`);
    if (column.startsWith("fit_height") && !config.sevFit.enabled) fail("calibration.amplitude", `is ${column}, which needs sevFit enabled`);
  }

  // The OF search range must fall inside the record.
  const range = config.optimumFilter.enabled ? config.optimumFilter.search_ms : null;
  if (range) {
    const at = (ms: number) => Math.round(layout.triggerIndex + (ms / 1000) * layout.sampleFrequency_Hz);
    const [lo, hi] = [Math.max(0, at(range[0])), Math.min(layout.recordLength, at(range[1]))];
    if (!(hi > lo)) {
      const span = [-layout.triggerIndex, layout.recordLength - layout.triggerIndex].map((s) => (s / layout.sampleFrequency_Hz) * 1000);
      fail("optimumFilter.search_ms", `is [${range.join(", ")}] ms, outside the records of ${config.input} (${span.map((x) => x.toPrecision(4)).join(" to ")} ms around the trigger at ${formatSI(layout.sampleFrequency_Hz, "Hz")})`);
    }
  }
}
