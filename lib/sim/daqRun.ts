// A simulated DAQ run, as the CRESST/COSINUS DAQ writes it (daqFiles.ts): a detector preset's
// continuous streams with a pulser that fires every `pulserInterval_s`, cycling through test-pulse
// amplitudes as cait's mock data does (TPA 0: a particle event at that slot, −1: an empty
// baseline, (0, 10]: a test pulse, > 10: a control pulse). From the same streams:
//
//   <name>_Ch<c>.csmpl, .test_stamps, .dig_stamps, .db   the streams and their stamps
//   <name>.rdt, .par                                     the triggered records: one per channel and
//                                                        slot, trigger at the layout's trigger index
//   <name>.con                                           the control pulses (not in the .rdt)
//
// Heights: particle events from the preset's spectrum, test and control pulses TPA × the
// channel's test-pulse gain (control pulses clipped to TPA 10, as the DAQ clips them); other
// channels carry the preset's relative height of the phonon pulse (simulateStream). Samples are
// the streams in volts rounded to the 16-bit ADC.

import type {RdtLayout} from "../io/rdt.js";
import type {RecordLayout} from "../types.js";
import {daqDate, DAQ_CLOCK_HZ, voltsToAdcSamples, writeCon, writeCsmpl, writeCsmplDb, writeDigStamps, writePar, writeRdt, writeTestStamps, type RdtRecord} from "./daqFiles.js";
import type {DetectorPreset} from "./presets.js";
import {Rng} from "../math/random.js";
import {simulateStream} from "./stream.js";

export interface DaqRunOptions {
  /** File stem: `<name>.rdt`, `<name>_Ch<c>.csmpl`, … */
  name: string;
  seed: number;
  /** Length of the streams. */
  duration_s: number;
  pulserInterval_s: number;
  /** TPA of each pulser slot, cycled. */
  tpaCycle: readonly number[];
  /** Unix time of the first stream sample. */
  start_s: number;
}

/** What the DAQ knew: every pulser slot. */
export interface DaqSlots {
  /** Stream sample of the slot: a record triggered there has its trigger index on it. */
  sample: Int32Array;
  time_s: Float64Array;
  tpa: Float64Array;
  /** Phonon pulse height put into the stream, V (0 for empty baselines). */
  height_V: Float64Array;
}

export interface DaqRun {
  name: string;
  layout: RecordLayout;
  /** Detector numbers of the channels, in stream order. */
  channelNumbers: number[];
  /** File name → bytes. */
  files: Map<string, Uint8Array>;
  /** The streams as written (int16 ADC values), one per channel. */
  streams: Int16Array[];
  slots: DaqSlots;
  /** Slots (indices into `slots`) that became `.rdt` records, in file order. */
  recordSlots: Int32Array;
  /** Slots that are control pulses (`.con`). */
  controlSlots: Int32Array;
  /** Clock tick of stream sample 0 and the DAQ's trigger delay (stream start → first dig stamp). */
  startTick: number;
  triggerDelay: number;
  samplesDiv: number;
}

/** TPA above which a pulse is a control pulse, and the largest amplitude the pulser puts out. */
export const CONTROL_PULSE_TPA = 10;

/** Simulates the run and returns the bytes of every file the DAQ would write (see the file comment). */
export async function simulateDaqRun(preset: DetectorPreset, options: DaqRunOptions): Promise<DaqRun> {
  const layout = preset.layout;
  const {recordLength: L, triggerIndex: T, sampleFrequency_Hz: fs} = layout;
  const {name, seed, duration_s, pulserInterval_s, tpaCycle, start_s} = options;
  if (tpaCycle.length === 0) throw new RangeError("simulateDaqRun: empty TPA cycle");
  const n = Math.round(duration_s * fs);
  // Slots k·interval (k ≥ 1) whose whole record lies in the stream.
  const times: number[] = [];
  for (let k = 1; ; k++) {
    const s = Math.round(k * pulserInterval_s * fs);
    if (s - T + L > n) break;
    times.push(k * pulserInterval_s);
  }
  const rng = new Rng(seed, 0xdac);
  const tpa = Float64Array.from(times, (_, i) => tpaCycle[i % tpaCycle.length]);
  const phonon = preset.channels[0];
  const height_V = Float64Array.from(tpa, (a) => {
    if (a === 0) return rng.uniform() < preset.events.lineFraction ? preset.events.line_V : rng.exponential(preset.events.backgroundMean_V);
    if (a > 0) return Math.min(a, CONTROL_PULSE_TPA) * phonon.testPulseGain_V_per_TPA;
    return 0;
  });
  const sample = Int32Array.from(times, (t) => Math.round(t * fs));
  const slots: DaqSlots = {sample, time_s: Float64Array.from(times), tpa, height_V};

  const sim = simulateStream(preset, {duration_s, seed, pulses: {times_s: times, heights_V: Array.from(height_V)}});
  const streams = sim.channels.map((v) => voltsToAdcSamples(v));
  const channelNumbers = sim.channelIndex.map((c) => preset.channels[c].channelNumber);
  const files = new Map<string, Uint8Array>();

  // Triggered records: every slot but the control pulses, channels interleaved.
  const rdtLayout: RdtLayout = {recordLength: L, intsInHeader: 7, dvmChannels: 0};
  const recordSlots = Int32Array.from(times.keys()).filter((i) => tpa[i] <= CONTROL_PULSE_TPA);
  const controlSlots = Int32Array.from(times.keys()).filter((i) => tpa[i] > CONTROL_PULSE_TPA);
  const ticks = (i: number) => Math.round(slots.time_s[i] * DAQ_CLOCK_HZ);
  const records: RdtRecord[] = [];
  for (const i of recordSlots) {
    const t = slots.time_s[i];
    const tick = ticks(i);
    channelNumbers.forEach((detector, c) => records.push({
      header: {
        detector, coincidePulses: 0, trigCount: i, trigDelay: 0,
        absTime_s: Math.floor(start_s + t), absTime_us: Math.round(((start_s + t) % 1) * 1e6),
        timeLow: tick % 2 ** 32, timeHigh: Math.floor(tick / 2 ** 32), qcdEvents: 0,
        hours: t / 3600, deadTime: 0, testpulseAmplitude: tpa[i], dacOutput: 0
      },
      samples: streams[c].subarray(sample[i] - T, sample[i] - T + L)
    }));
  }
  files.set(`${name}.rdt`, writeRdt(records, rdtLayout));
  files.set(`${name}.par`, writePar({start_s, duration_s, recordLength: L, sampleFrequency_Hz: fs, recordsWritten: recordSlots.length, intsInHeader: rdtLayout.intsInHeader}));
  files.set(`${name}.con`, writeCon(Array.from(controlSlots).flatMap((i) =>
    channelNumbers.map((detector, c) => ({detector, pulseHeight_V: height_V[i] * preset.channels[sim.channelIndex[c]].relativeHeight, tick: ticks(i)})))));

  // Streams and stamps: stream sample 0 at tick 0; the first dig stamp one trigger delay later.
  const ticksPerSample = DAQ_CLOCK_HZ / fs;
  const samplesDiv = 2, triggerDelay = samplesDiv * L;
  const startTick = 0;
  channelNumbers.forEach((ch, c) => files.set(`${name}_Ch${ch}.csmpl`, writeCsmpl(streams[c])));
  files.set(`${name}.dig_stamps`, writeDigStamps([1, 2].map((k) => Math.round(startTick + (k * triggerDelay / samplesDiv) * ticksPerSample))));
  files.set(`${name}.test_stamps`, writeTestStamps({
    stamp: Float64Array.from(sample, (s) => Math.round(startTick + s * ticksPerSample)), tpa, channel: new Int32Array(sample.length)
  }));
  files.set(`${name}.db`, await writeCsmplDb({
    triggerDelay, samplesDiv,
    files: channelNumbers.map((ch, c) => ({channel: ch, fileName: `${name}_Ch${ch}.csmpl`, type: c, label: name, created: daqDate(start_s)}))
  }));
  return {name, layout, channelNumbers, files, streams, slots, recordSlots, controlSlots, startTick, triggerDelay, samplesDiv};
}
