// The numbers of tutorial 6 ("From the DAQ"): a simulated run written as the DAQ writes it
// (lib/sim/daqRun.ts), converted and triggered by Pulsebook as a real run would be, and every
// result compared with what the simulation put into the files:
//
//   records  .rdt/.par/.con → HDF5 (convertRdt), each dataset against the values written
//   filter   SEV of the test pulses + NPS of the empty baselines → optimum filter (storeOptimumFilter)
//   streams  .csmpl + stamps → triggers (triggerCsmpl, cait's trigger_csmpl walk), against the pulses
//
// Sample rate, record length and trigger index come from the files (.par, converted file).

import {basename, join} from "node:path";
import h5wasm from "h5wasm/node";
import {openCaitFile} from "./io/node.js";
import {adcToVolts} from "../lib/io/rdt.js";
import {CRESST_LIKE, type DetectorPreset} from "../lib/sim/presets.js";
import {simulateDaqRun, type DaqRun, type DaqRunOptions} from "../lib/sim/daqRun.js";
import {DAQ_CLOCK_HZ} from "../lib/sim/daqFiles.js";
import {RECORD_GROUPS, type RecordGroup, type RecordLayout} from "../lib/types.js";
import {convertRdt} from "./convert.js";
import {storeOptimumFilter, writeDaqRun} from "./daqRun.js";
import {triggerCsmpl} from "./streamTrigger.js";

/** The tutorial's run: cait's mock-data pulser cycle on the CRESST-like module, 2 minutes. */
export const DAQ_TUTORIAL_RUN: DaqRunOptions = {
  name: "run_001", seed: 8, duration_s: 120, pulserInterval_s: 3,
  tpaCycle: [0, 0, 0, 0, -1, -1, 0.5, 1, 3, 20], start_s: 1_700_000_000
};

/** Trigger thresholds in units of each channel's OF baseline resolution (predicted from the NPS). */
export const THRESHOLD_SIGMAS = 6;

export interface ConversionRow {
  dataset: string;
  shape: string;
  dtype: string;
  /** Every value equals the one the simulation wrote (bit for bit; float32 where the file stores float32). */
  identical: boolean;
}

export interface StreamTrigger {
  sample: number;
  time_s: number;
  height_V: number;
  recordStart: number;
  /** The pulser slot within a quarter record (index into slots), or −1. */
  slot: number;
}

export interface DaqTutorialData {
  run: {name: string; seed: number; duration_s: number; pulserInterval_s: number; tpaCycle: number[]; files: {name: string; bytes: number}[]};
  layout: RecordLayout;
  channels: string[];
  conversion: ConversionRow[];
  counts: {[G in RecordGroup]: number};
  controlPulses: number;
  filter: {sevRecords: number; noiseRecords: number; resolution_V: number[]; thresholds_V: number[]};
  slots: {sample: number; time_s: number; tpa: number; height_V: number[]}[];
  stream: {
    channels: {name: string; threshold_V: number; band: {t: number; lo: number; hi: number}[]; triggers: StreamTrigger[]}[];
    counts: {[G in RecordGroup]: number} & {controlpulses: number};
    startTick: number;
    stamps: {sample: number; tpa: number}[];
    testPulse: {tpa: number; record: {channel: string; t_ms: number; V: number}[]};
  };
}

type Ds = {shape: number[]; dtype: string; value: ArrayLike<number | bigint> | number | bigint};

/** Exact equality of a dataset's values with `want` (NaN-free data; bigint read as number). */
function sameValues(ds: Ds, want: ArrayLike<number>): boolean {
  const v = ds.value;
  const got = typeof v === "number" || typeof v === "bigint" ? [Number(v)] : Array.from(v as ArrayLike<number | bigint>, Number);
  return got.length === want.length && got.every((x, i) => x === want[i]);
}

/** What the conversion must give, computed from the simulated run (not from its files). */
function expectedDatasets(run: DaqRun, preset: DetectorPreset, start_s: number): Map<string, ArrayLike<number>> {
  const {recordLength: L, triggerIndex: T} = run.layout;
  const {sample, time_s, tpa, height_V} = run.slots;
  const f32 = Math.fround;
  const want = new Map<string, ArrayLike<number>>();
  const groupOf = (a: number): RecordGroup => (a === 0 ? "events" : a === -1 ? "noise" : "testpulses");
  for (const g of RECORD_GROUPS) {
    const slots = Array.from(run.recordSlots).filter((i) => groupOf(tpa[i]) === g);
    const C = run.streams.length;
    const event = new Float32Array(C * slots.length * L);
    run.streams.forEach((x, c) => slots.forEach((i, e) => {
      for (let k = 0; k < L; k++) event[(c * slots.length + e) * L + k] = adcToVolts(x[sample[i] - T + k]);
    }));
    want.set(`${g}/event`, event);
    want.set(`${g}/hours`, slots.map((i) => f32(time_s[i] / 3600)));
    want.set(`${g}/time_s`, slots.map((i) => Math.floor(start_s + time_s[i])));
    want.set(`${g}/time_mus`, slots.map((i) => Math.round(((start_s + time_s[i]) % 1) * 1e6)));
    want.set(`${g}/dac_output`, slots.map(() => 0));
    if (g === "testpulses") want.set("testpulses/testpulseamplitude", slots.map((i) => tpa[i]));
  }
  const cps = Array.from(run.controlSlots);
  want.set("controlpulses/hours", cps.map((i) => Math.round(time_s[i] * DAQ_CLOCK_HZ) / DAQ_CLOCK_HZ / 3600));
  want.set("controlpulses/pulse_height", run.streams.flatMap((_, c) => cps.map((i) => f32(height_V[i] * preset.channels[c].relativeHeight))));
  want.set("metainfo/record_length", [L]);
  want.set("metainfo/sample_frequency", [run.layout.sampleFrequency_Hz]);
  want.set("metainfo/records_written", [run.recordSlots.length]);
  want.set("metainfo/start_s", [Math.floor(start_s)]);
  return want;
}

/** Min–max of a stream per column, in volts, `cols` columns. */
function band(x: Int16Array, fs: number, cols: number): {t: number; lo: number; hi: number}[] {
  const per = Math.floor(x.length / cols);
  return Array.from({length: cols}, (_, j) => {
    let lo = Infinity, hi = -Infinity;
    for (let i = j * per; i < (j + 1) * per; i++) {
      if (x[i] < lo) lo = x[i];
      if (x[i] > hi) hi = x[i];
    }
    return {t: +((j * per) / fs).toFixed(3), lo: adcToVolts(lo), hi: adcToVolts(hi)};
  });
}

/** Simulates, writes, converts and triggers the tutorial's run in `dir` (see the file comment). */
export async function daqTutorial(dir: string, options: DaqRunOptions = DAQ_TUTORIAL_RUN, preset: DetectorPreset = CRESST_LIKE): Promise<DaqTutorialData> {
  const run = await simulateDaqRun(preset, options);
  const paths = writeDaqRun(run, dir);
  const channels = preset.channels.map((c) => `${c.name} (Ch${c.channelNumber})`);

  // 1. Records: .rdt/.par/.con → HDF5, every dataset against the values the simulation wrote.
  const converted = join(dir, `${run.name}.h5`);
  const conv = await convertRdt(paths.get(`${run.name}.rdt`)!, converted, {channels: run.channelNumbers});
  const f = await openCaitFile(converted);
  const layout = f.dataset.layout;
  f.close();
  await h5wasm.ready;
  const h5 = new h5wasm.File(converted, "r");
  const conversion: ConversionRow[] = [];
  try {
    for (const [path, want] of expectedDatasets(run, preset, options.start_s)) {
      const ds = h5.get(path) as unknown as Ds | null;
      conversion.push(ds ? {dataset: path, shape: ds.shape.join(" × "), dtype: ds.dtype, identical: sameValues(ds, want)} : {dataset: path, shape: "", dtype: "", identical: false});
    }
  } finally {
    h5.close();
  }

  // 2. The optimum filter, from the converted records, stored in the converted file.
  const filter = await storeOptimumFilter(converted, "testpulses");
  const thresholds_V = filter.filters.map((of) => THRESHOLD_SIGMAS * of.resolution_V);

  // 3. Streams: cait's trigger_csmpl walk with that filter and thresholds.
  const streams = run.channelNumbers.map((ch) => paths.get(`${run.name}_Ch${ch}.csmpl`)!);
  const trig = await triggerCsmpl(streams, join(dir, "stream.h5"), {of: converted, thresholds_V});
  const fs = trig.layout.sampleFrequency_Hz, L = trig.layout.recordLength;
  const slotSamples = Array.from(run.slots.sample);
  const slotOf = (s: number) => slotSamples.findIndex((p) => Math.abs(s - p) < L / 4);
  const stream = {
    channels: streams.map((_, c) => ({
      name: channels[c], threshold_V: thresholds_V[c], band: band(run.streams[c], fs, 1500),
      triggers: trig.triggers[c].map((t) => ({sample: t.sample, time_s: t.time_s, height_V: t.amplitude_V, recordStart: t.recordStart!, slot: slotOf(t.sample)}))
    })),
    counts: trig.counts, startTick: trig.startTick ?? NaN,
    stamps: Array.from(trig.stampSamples ?? [], (s, i) => ({sample: s, tpa: trig.stamps!.tpa[i]})),
    testPulse: await firstTestPulse(trig.out, trig.layout, channels)
  };
  return {
    run: {
      name: run.name, seed: options.seed, duration_s: options.duration_s, pulserInterval_s: options.pulserInterval_s, tpaCycle: [...options.tpaCycle],
      files: [...run.files].map(([name, bytes]) => ({name: basename(name), bytes: bytes.length}))
    },
    layout, channels, conversion, counts: conv.counts, controlPulses: conv.controlPulses,
    filter: {sevRecords: filter.sevRecords, noiseRecords: filter.noiseRecords, resolution_V: filter.filters.map((of) => of.resolution_V), thresholds_V},
    slots: slotSamples.map((s, i) => ({
      sample: s, time_s: run.slots.time_s[i], tpa: run.slots.tpa[i],
      height_V: preset.channels.map((ch) => run.slots.height_V[i] * ch.relativeHeight)
    })),
    stream
  };
}

/** The first test pulse of the triggered file, every 8th sample, t in ms from the trigger. */
async function firstTestPulse(path: string, layout: RecordLayout, channels: string[]): Promise<DaqTutorialData["stream"]["testPulse"]> {
  const f = await openCaitFile(path);
  try {
    const tp = f.readChunk("testpulses", 0, 1);
    const {recordLength: L, triggerIndex: T, sampleFrequency_Hz: fs} = layout;
    const step = 8;
    const record = channels.flatMap((channel, c) => Array.from({length: L / step}, (_, j) => ({
      channel, t_ms: ((j * step - T) / fs) * 1000, V: +tp.samples[c * L + j * step].toFixed(6)
    })));
    return {tpa: tp.testpulseAmplitude![0], record};
  } finally {
    f.close();
  }
}
