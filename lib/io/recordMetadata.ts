// What a reader assumed about a file's records because the file did not say (cait's defaults:
// 25 kHz, trigger at L/4, volts, phonon/light): one warning per assumption, said once per run,
// and the record of it that outputs carry (docs/data-format.md, "Metadata").
import {formatSI, UNIT_LABEL} from "../math/units.js";
import type {Dataset, MetadataSources} from "../types.js";

/** Where each piece of metadata would be given: the file's dataset and the processing config's key. */
export const METADATA_KEYS: {[K in keyof MetadataSources]: {dataset: string; config: string; what: string}} = {
  sampleFrequency_Hz: {dataset: "metainfo/sample_frequency", config: "sampleRate_Hz", what: "sample rate"},
  triggerIndex: {dataset: "metainfo/trigger_index", config: "triggerIndex", what: "trigger (pre-trigger) index"},
  unit: {dataset: "metainfo/unit", config: "unit", what: "unit"},
  channelNames: {dataset: "metainfo/channel_names", config: "channelNames", what: "channel names"}
};

/** One message per piece of metadata `dataset` assumed, naming the file, what was assumed and where to give it. */
export function assumedMetadata(dataset: Dataset, withConfig = true): string[] {
  const {layout, sources, unit, channels} = dataset;
  const value: {[K in keyof MetadataSources]: string} = {
    sampleFrequency_Hz: `cait's default ${formatSI(layout.sampleFrequency_Hz, "Hz")}`,
    triggerIndex: `cait's L/4 = sample ${layout.triggerIndex} of ${layout.recordLength}`,
    unit: `${UNIT_LABEL[unit]}`,
    channelNames: channels.map((c) => `"${c.name}"`).join(", ")
  };
  const out: string[] = [];
  for (const key of Object.keys(METADATA_KEYS) as (keyof MetadataSources)[]) {
    if (sources[key] !== "assumed") continue;
    const {dataset: where, config, what} = METADATA_KEYS[key];
    out.push(`${dataset.path}: no ${what} in the file (${where})${withConfig ? ` or the config (${config})` : ""}; assuming ${value[key]}`);
  }
  return out;
}

/** What outputs record about the metadata used: each piece's value and whether it was assumed. */
export interface MetadataRecord {
  unit: Dataset["unit"];
  channelNames: string[];
  sources: MetadataSources;
  /** The names of the pieces that were assumed (empty when the file or config gave everything). */
  assumed: (keyof MetadataSources)[];
}

export function metadataRecord(dataset: Dataset): MetadataRecord {
  const assumed = (Object.keys(dataset.sources) as (keyof MetadataSources)[]).filter((k) => dataset.sources[k] === "assumed");
  return {unit: dataset.unit, channelNames: dataset.channels.map((c) => c.name), sources: dataset.sources, assumed};
}
