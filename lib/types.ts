// The vocabulary shared by every part of Pulsebook (see docs/data-format.md).
//
// record  — one trace of one channel: a Float32Array of `recordLength` samples, in the file's
//           unit (volts in cait's files; amperes or ADC counts in others, `Dataset.unit`).
// event   — the records of all channels of one trigger.
// On disk (cait layout) records are stored channel × event × sample.

import type {SignalUnit} from "./math/units.js";
export type {SignalUnit} from "./math/units.js";

/** One trace of one channel, in the file's unit (`Dataset.unit`). */
export type Record = Float32Array;

/** Float arrays the DSP code reads and writes. */
export type FloatArray = Float32Array | Float64Array;

/** Fills `buf` with the samples [start, start + buf.length) of a signal (any integers, also outside it). */
export type BlockSource = (buf: Float64Array, start: number) => void;

/** How records are sampled: shared by every channel of a module. */
export interface RecordLayout {
  sampleFrequency_Hz: number;
  /** Samples per record (cait default 16384). */
  recordLength: number;
  /** Sample index of the trigger (cait: recordLength / 4). */
  triggerIndex: number;
}

/** "other": a channel whose role the file does not say (any layout but cait's default). */
export type ChannelKind = "phonon" | "light" | "other";

/** One readout channel of a detector module. */
export interface Channel {
  /** Position along the first axis of the `event` dataset. */
  index: number;
  name: string;
  kind: ChannelKind;
  /** DAQ channel number (cait's root attribute `Ch_<index+1>`), when the file has it. */
  number?: number;
}

/** The record groups of cait's HDF5 layout. */
export type RecordGroup = "events" | "testpulses" | "noise";
export const RECORD_GROUPS: readonly RecordGroup[] = ["events", "testpulses", "noise"];

/**
 * A block of consecutive events of one group, all channels: `samples` is channel-major
 * (channel × event × sample), exactly as the HDF5 `event` dataset stores it.
 */
export interface EventChunk {
  group: RecordGroup;
  /** Index of the first event of this chunk within the group. */
  start: number;
  /** Number of events in the chunk. */
  count: number;
  nChannels: number;
  recordLength: number;
  samples: Float32Array;
  /** Per event: hours since the start of the run. */
  hours: Float64Array;
  /** Per channel × event: cait label class, when the file has labels. */
  labels?: Int32Array;
  /** Per event: test-pulse amplitude (testpulses group only). */
  testpulseAmplitude?: Float64Array;
  /** Per event: DAQ time of the trigger, whole seconds (Unix) and microseconds (raw conversion). */
  time_s?: Int32Array;
  time_mus?: Int32Array;
  /** Per event: DAC output of the heater (raw conversion). */
  dacOutput?: Float64Array;
}

/** The record of channel `channel`, event `i` (0-based within the chunk), as a view. */
export function chunkRecord(chunk: EventChunk, channel: number, i: number): Record {
  const {count, recordLength: L} = chunk;
  const offset = (channel * count + i) * L;
  return chunk.samples.subarray(offset, offset + L);
}

/** What a file says about itself: its layout, channels and how many events each group holds. */
export interface Dataset {
  path: string;
  layout: RecordLayout;
  channels: Channel[];
  /** Events per group present in the file (absent groups are missing). */
  groups: {[G in RecordGroup]?: number};
  /** Whether `events/labels` exists. */
  hasLabels: boolean;
  /** Unit of the samples. */
  unit: SignalUnit;
  /** Where each piece of metadata came from; "assumed" ones are cait's defaults (docs/data-format.md). */
  sources: MetadataSources;
}

/** Where a piece of a file's metadata came from: the file, the processing config, or cait's default. */
export type MetadataSource = "file" | "config" | "assumed";

export interface MetadataSources {
  sampleFrequency_Hz: MetadataSource;
  triggerIndex: MetadataSource;
  unit: MetadataSource;
  channelNames: MetadataSource;
}

/** cait's label classes (attributes of `labels`, `EventInterface._print_labels`). */
export const LABEL_CLASSES = {
  0: "unlabeled",
  1: "Event_Pulse",
  2: "Test/Control_Pulse",
  3: "Noise",
  4: "Squid_Jump",
  5: "Spike",
  6: "Early_or_late_Trigger",
  7: "Pile_Up",
  8: "Carrier_Event",
  9: "Strongly_Saturated_Event_Pulse",
  10: "Strongly_Saturated_Test/Control_Pulse",
  11: "Decaying_Baseline",
  12: "Temperature_Rise",
  13: "Stick_Event",
  14: "Square_Waves",
  15: "Human_Disturbance",
  16: "Large_Sawtooth",
  17: "Cosinus_Tail",
  18: "Light_only_Event",
  19: "Ring_Light_Event",
  20: "Sharp_Light_Event",
  99: "unknown/other"
} as const;

export type LabelClass = keyof typeof LABEL_CLASSES;

/** Label codes by name, for readable code: `LABEL.SquidJump`. */
export const LABEL = {
  Unlabeled: 0,
  EventPulse: 1,
  TestPulse: 2,
  Noise: 3,
  SquidJump: 4,
  Spike: 5,
  EarlyOrLateTrigger: 6,
  PileUp: 7,
  CarrierEvent: 8,
  SaturatedEventPulse: 9,
  SaturatedTestPulse: 10,
  DecayingBaseline: 11,
  TemperatureRise: 12,
  Unknown: 99
} as const;

/** cait's default layout: 25 kHz, 16384 samples, trigger at 1/4 of the window. */
export const CAIT_LAYOUT: RecordLayout = {sampleFrequency_Hz: 25_000, recordLength: 16_384, triggerIndex: 4096};
