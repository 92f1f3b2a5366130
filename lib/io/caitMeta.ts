// Where a cait-layout file keeps what the samples mean. cait itself writes `record_length` and
// `sample_frequency` (from the .par); unit, trigger position and channel names have no cait
// name (its `pre_trigger` is the .par's DAQ setting, not a sample index), so Pulsebook adds
// these three. Writers and readers take the names from here, and only from here.

export const CAIT_META = {
  /** The group holding every name below. */
  group: "metainfo",
  /** Scalar int64 (float64 when not an integer), Hz: cait's. */
  sampleFrequency: "sample_frequency",
  /** Scalar int64, samples per record: cait's. */
  recordLength: "record_length",
  /** Scalar string: the unit of the samples: "V", "A" or "ADC" (lib/math/units.ts reads it). */
  unit: "unit",
  /** Scalar int64: samples before the trigger, i.e. the sample index of the trigger. */
  pretriggerIndex: "trigger_index",
  /** 1-D string dataset, one name per channel (first axis of `event`). */
  channelNames: "channel_names"
} as const;

/** `metainfo/<name>` of one of the names above. */
export const caitMetaPath = (name: Exclude<keyof typeof CAIT_META, "group">): string => `${CAIT_META.group}/${CAIT_META[name]}`;

/** What an importer knows about the samples beyond their numbers (absent: unknown, not written). */
export interface TraceMeta {
  unit?: string;
  pretriggerIndex?: number;
  channelNames?: string[];
}
