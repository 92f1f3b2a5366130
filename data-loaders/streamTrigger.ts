// Continuous `.csmpl` streams → triggered records in cait's HDF5 layout. Each stream is triggered
// with the optimum filter of its channel (lib/dsp/trigger.ts; default cait's `trigger_csmpl`
// walk), read from disk block by block. Triggers of the channels within `coincidenceSamples`
// form one event. With the run's `.db`, `.dig_stamps` and `.test_stamps`, test stamps are put on
// the stream's sample axis: events at a stamp of TPA in (0, 10] are test pulses, TPA > 10
// control pulses, and stamps of TPA −1 (the DAQ's empty-baseline triggers) give the noise
// records. Records put the event's first trigger at the trigger index (RL/4). Memory: a few
// record-sized buffers plus one chunk of events, whatever the stream length.

import {closeSync, existsSync, openSync, readSync} from "node:fs";
import {basename} from "node:path";
import {Worker} from "node:worker_threads";
import {availableParallelism} from "node:os";
import {createCaitFile, openCaitFile} from "./io/node.js";
import {streamCompanion} from "./runFiles.js";
import {DataFileError} from "../lib/io/errors.js";
import {csmplSamples, csmplSource, parseDigStamps, parseTestStamps, streamStartTick, CLOCK_HZ, type TestStamps} from "../lib/io/csmpl.js";
import {parseCsmplDb, type CsmplDb} from "../lib/io/csmplDb.js";
import {optimumFilterFromTransfer, type OptimumFilter} from "../lib/dsp/optimumFilter.js";
import {triggerStream, type StreamInput, type Trigger} from "../lib/dsp/trigger.js";
import {loadPffft} from "../lib/dsp/realConvolver.js";
import {RECORD_GROUPS, type EventChunk, type RecordGroup, type RecordLayout} from "../lib/types.js";
import {fileIdentity, hdf5Provenance, moduleVersion, provenanceStamp, PULSEBOOK_VERSION} from "./provenance.js";
import {fileSize, readBytes} from "./io/readFile.js";
import {checkBudget} from "../lib/io/memoryBudget.js";
import {WorkerDiedError} from "./mlPool.js";
import type {TriggerReply} from "./triggerWorker.js";
import {errorFromReply} from "./workerError.js";

/** Version of the triggered layout: the source of this trigger (data-loaders/provenance.ts). */
export const streamTriggerVersion = (): string => moduleVersion(import.meta.url);

export interface StreamTriggerOptions {
  /** cait-layout HDF5 holding `optimumfilter/optimumfilter_real|imag`; row i filters stream i. */
  of: string;
  /** Per stream, V. */
  thresholds_V: number[];
  /** Defaults: `<run>.db`, `<run>.dig_stamps`, `<run>.test_stamps` next to the first stream, when present. */
  db?: string;
  digStamps?: string;
  testStamps?: string;
  method?: "record-windows" | "filter-walk";
  /** "float64" (default; fft.js, cait's numbers to 1e-9) or "float32" (PFFFT, several times faster, ≈1e-7 relative). */
  precision?: "float64" | "float32";
  /** Triggers of different channels closer than this are one event (default RL/4). */
  coincidenceSamples?: number;
  chunkEvents?: number;
  /**
   * Streams triggered at once, each on its own worker thread (1: all in this thread; default
   * defaultTriggerThreads). The triggers are the same for any number: each stream is triggered
   * whole by one thread.
   */
  threads?: number;
  command?: string;
}

/** One event: the first trigger of its channels and each channel's trigger height (NaN: none). */
export interface StreamEvent {
  sample: number;
  height_V: Float64Array;
  group: RecordGroup | "controlpulses";
  tpa: number;
}

export interface StreamTriggerResult {
  out: string;
  layout: RecordLayout;
  streamSamples: number;
  /** Per stream, in sample order. */
  triggers: Trigger[][];
  events: StreamEvent[];
  counts: {[G in RecordGroup]: number} & {controlpulses: number};
  /** Test stamps on the stream's sample axis (undefined without stamps and .db). */
  stampSamples?: Float64Array;
  stamps?: TestStamps;
  startTick?: number;
  /** Events whose record would leave the stream (not written). */
  outside: number;
}


/** An explicit path must exist; a default one is used only when present. */
function companion(explicit: string | undefined, fallback: string): string | undefined {
  if (explicit) return explicit;
  return existsSync(fallback) ? fallback : undefined;
}

/** A `.csmpl` file as a block source of volts (read on demand). */
function openStream(path: string): StreamInput & {close(): void} {
  const size = fileSize(path);
  const length = csmplSamples(size, path);
  const fd = openSync(path, "r");
  const source = csmplSource((bytes, at) => {
    let got = 0;
    while (got < bytes.length) {
      const k = readSync(fd, bytes, got, bytes.length - got, at + got);
      if (k === 0) throw new DataFileError(path, `file shrank while reading (at byte ${at + got})`);
      got += k;
    }
  }, length);
  return {source, length, close: () => closeSync(fd)};
}

/** The fewest frequency bins a filter file's rows may have (records of 16 samples). */
export const MIN_FILTER_BINS = 9;
// Float64 buffers of a record's length per stream while filtering (filter, FFT in and out,
// overlap blocks): a generous count, so that the budget check errs on the safe side.
const FILTER_BUFFERS_PER_SAMPLE = 16;

async function loadFilters(path: string, n: number): Promise<{layout: RecordLayout; filters: OptimumFilter[]}> {
  const f = await openCaitFile(path);
  try {
    const re = f.readArray("optimumfilter/optimumfilter_real"), im = f.readArray("optimumfilter/optimumfilter_imag");
    if (re.shape.length !== 2 || JSON.stringify(re.shape) !== JSON.stringify(im.shape)) {
      throw new DataFileError(path, `expected channel × bin arrays of equal shape, found ${JSON.stringify(re.shape)} and ${JSON.stringify(im.shape)}`, "optimumfilter");
    }
    const [rows, bins] = re.shape;
    if (rows < n) throw new DataFileError(path, `has filters for ${rows} channels, ${n} streams given`, "optimumfilter/optimumfilter_real");
    // A filter of b bins filters records of 2(b − 1) samples: one of 1 or 2 bins is no filter.
    if (bins < MIN_FILTER_BINS) {
      throw new DataFileError(path, `has ${bins} frequency bins (records of ${Math.max(0, 2 * (bins - 1))} samples); an optimum filter needs at least ` +
        `${MIN_FILTER_BINS} bins (${2 * (MIN_FILTER_BINS - 1)} samples): not a filter made by cait's calc_of or pulsebook process`, "optimumfilter/optimumfilter_real");
    }
    const L = 2 * (bins - 1);
    // Per stream: the filter, its FFT work buffers and a block of samples, all float64.
    checkBudget(path, `filtering ${n} streams with records of ${L} samples (${bins} frequency bins)`, n * L * 8 * FILTER_BUFFERS_PER_SAMPLE, "optimumfilter/optimumfilter_real");
    const layout: RecordLayout = {sampleFrequency_Hz: f.dataset.layout.sampleFrequency_Hz, recordLength: L, triggerIndex: L >> 2};
    const filters = Array.from({length: n}, (_, c) =>
      optimumFilterFromTransfer(re.values.subarray(c * bins, (c + 1) * bins), im.values.subarray(c * bins, (c + 1) * bins), layout));
    return {layout, filters};
  } finally {
    f.close();
  }
}

/** What triggers stream `channel` of `streams` (plain data: a worker thread gets it as is). */
export interface StreamJob {
  stream: string;
  channel: number;
  streams: number;
  of: string;
  threshold_V: number;
  method: "record-windows" | "filter-walk";
  precision: "float64" | "float32";
}

/** The triggers of one stream, read from disk block by block. */
export async function streamTriggers(job: StreamJob): Promise<Trigger[]> {
  const {filters} = await loadFilters(job.of, job.streams);
  const pffft = job.precision === "float32" ? await loadPffft() : undefined;
  const stream = openStream(job.stream);
  try {
    return triggerStream(filters[job.channel], stream, {threshold_V: job.threshold_V, method: job.method, pffft});
  } finally {
    stream.close();
  }
}

const TRIGGER_WORKER = new URL("./trigger-worker.mjs", import.meta.url);

/** streamTriggers of one job on a worker thread of its own; a dying worker fails the job by name. */
function triggersOnWorker(job: StreamJob): Promise<Trigger[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(TRIGGER_WORKER, {workerData: job});
    let reply: TriggerReply | undefined, cause = "";
    worker.once("message", (m: TriggerReply) => { reply = m; });
    worker.once("error", (e) => { cause = `: ${e.message}`; });
    worker.once("exit", (code) => {
      if (reply?.kind === "result") resolve(reply.triggers);
      else if (reply?.kind === "error") reject(errorFromReply(reply));
      else reject(new WorkerDiedError(`trigger worker of ${job.stream} exited with code ${code} before it was done${cause}`));
    });
  });
}

/**
 * One thread per stream up to one per core, for streams of at least 2²⁴ samples (11 min at
 * 25 kHz); shorter ones in this thread. A worker costs about a CPU second to start (tsx, the
 * library), what one thread takes to trigger some 10⁷ samples in float64.
 */
export function defaultTriggerThreads(samples: number, streams: number): number {
  return samples >= 2 ** 24 ? Math.max(1, Math.min(streams, availableParallelism())) : 1;
}

/** The triggers of every job, `threads` streams at a time on worker threads (1: in this thread). */
export async function triggerStreams(jobs: StreamJob[], threads: number): Promise<Trigger[][]> {
  if (threads <= 1 || jobs.length <= 1) {
    const out: Trigger[][] = [];
    for (const job of jobs) out.push(await streamTriggers(job));
    return out;
  }
  const out: Trigger[][] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const k = next++;
      out[k] = await triggersOnWorker(jobs[k]);
    }
  };
  await Promise.all(Array.from({length: Math.min(threads, jobs.length)}, lane));
  return out;
}

/** Nearest entry of a sorted array to x (index), or −1 when empty. */
function nearest(sorted: Float64Array, x: number): number {
  if (sorted.length === 0) return -1;
  let lo = 0, hi = sorted.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(sorted[lo] - x) <= Math.abs(sorted[hi] - x) ? lo : hi;
}

/** Merges the channels' triggers into events (see the file comment). */
export function mergeTriggers(triggers: readonly Trigger[][], coincidenceSamples: number): StreamEvent[] {
  const C = triggers.length;
  const all = triggers.flatMap((ts, c) => ts.map((t) => ({c, t}))).sort((a, b) => a.t.sample - b.t.sample || a.c - b.c);
  const events: StreamEvent[] = [];
  for (const {c, t} of all) {
    const last = events.at(-1);
    if (last && t.sample - last.sample < coincidenceSamples && Number.isNaN(last.height_V[c])) last.height_V[c] = t.amplitude_V;
    else {
      const height_V = new Float64Array(C).fill(NaN);
      height_V[c] = t.amplitude_V;
      events.push({sample: t.sample, height_V, group: "events", tpa: 0});
    }
  }
  return events;
}

/** Triggers the streams `csmpl` (one per channel) and writes the records to `out`. */
export async function triggerCsmpl(csmpl: string[], out: string, options: StreamTriggerOptions): Promise<StreamTriggerResult> {
  const C = csmpl.length;
  if (C === 0) throw new Error("no .csmpl stream given");
  if (options.thresholds_V.length !== C) throw new Error(`${options.thresholds_V.length} thresholds for ${C} streams`);
  const {layout} = await loadFilters(options.of, C);
  const L = layout.recordLength, T = layout.triggerIndex, fs = layout.sampleFrequency_Hz;
  const coincidence = options.coincidenceSamples ?? L >> 2;
  const dbPath = companion(options.db, streamCompanion(csmpl[0], ".db"));
  const digPath = companion(options.digStamps, streamCompanion(csmpl[0], ".dig_stamps"));
  const testPath = companion(options.testStamps, streamCompanion(csmpl[0], ".test_stamps"));
  const db: CsmplDb | undefined = dbPath ? await parseCsmplDb(readBytes(dbPath, ".db file"), dbPath) : undefined;
  const stamps = testPath ? parseTestStamps(readBytes(testPath, "test stamps"), testPath) : undefined;
  let startTick: number | undefined;
  if (digPath) {
    if (!db) throw new DataFileError(digPath, `needs the run's .db (DAQINFO trigger delay) to place stamps on the stream: pass --db`);
    startTick = streamStartTick(parseDigStamps(readBytes(digPath, "dig stamps"), digPath), db.triggerDelay, db.samplesDiv, fs);
  }
  if (stamps && startTick === undefined) throw new DataFileError(testPath!, "test stamps need the run's .dig_stamps and .db to be placed on the stream");
  const ticksPerSample = CLOCK_HZ / fs;
  const stampSamples = stamps && startTick !== undefined ? Float64Array.from(stamps.stamp, (s) => (s - startTick!) / ticksPerSample) : undefined;
  // Start of the stream in Unix time: FILELIST's CREATED of the first stream (UTC), else 0.
  const created = db?.files.find((f) => basename(f.fileName) === basename(csmpl[0]))?.created ?? db?.files[0]?.created;
  const start_s = created ? Date.parse(created.replace(" ", "T") + "Z") / 1000 : 0;
  if (!Number.isFinite(start_s)) throw new DataFileError(dbPath!, `FILELIST.CREATED "${created}" is not a date (expected YYYY-MM-DD hh:mm:ss)`, "FILELIST");

  const streams = csmpl.map(openStream);
  try {
    const n = streams[0].length;
    streams.forEach((s, c) => {
      if (s.length !== n) throw new DataFileError(csmpl[c], `holds ${s.length} samples, ${csmpl[0]} holds ${n}: streams of one run must be equally long`);
    });
    const triggers = await triggerStreams(csmpl.map((stream, c) => ({
      stream, channel: c, streams: C, of: options.of, threshold_V: options.thresholds_V[c],
      method: options.method ?? "record-windows", precision: options.precision ?? "float64"
    })), options.threads ?? defaultTriggerThreads(n, C));
    const events = mergeTriggers(triggers, coincidence);
    const counts = {events: 0, testpulses: 0, noise: 0, controlpulses: 0};
    if (stampSamples) {
      for (const e of events) {
        const k = nearest(stampSamples, e.sample);
        if (k >= 0 && Math.abs(stampSamples[k] - e.sample) < coincidence && stamps!.tpa[k] > 0) {
          e.tpa = stamps!.tpa[k];
          e.group = e.tpa > 10 ? "controlpulses" : "testpulses";
        }
      }
    }
    // Records of all channels with the event's sample at the trigger index; noise at TPA −1 stamps.
    type Rec = {start: number; hours: number; tpa: number};
    const recs: {[G in RecordGroup]: Rec[]} = {events: [], testpulses: [], noise: []};
    let outside = 0;
    const inside = (start: number) => start >= 0 && start + L <= n;
    for (const e of events) {
      if (e.group === "controlpulses") continue;
      if (inside(e.sample - T)) recs[e.group].push({start: e.sample - T, hours: e.sample / fs / 3600, tpa: e.tpa});
      else outside++;
    }
    if (stampSamples) {
      stampSamples.forEach((p, k) => {
        if (stamps!.tpa[k] !== -1) return;
        const s = Math.round(p) - T;
        if (inside(s)) recs.noise.push({start: s, hours: Math.round(p) / fs / 3600, tpa: -1});
      });
    }
    for (const g of RECORD_GROUPS) counts[g] = recs[g].length;
    const cps = events.filter((e) => e.group === "controlpulses");
    counts.controlpulses = cps.length;
    const chunkEvents = options.chunkEvents ?? 64;
    await createCaitFile(out, {
      layout,
      channelNumbers: csmpl.map((p, c) => db?.files.find((f) => basename(f.fileName) === basename(p))?.channel ?? Number(/_Ch(\d+)\.csmpl$/i.exec(p)?.[1] ?? c)),
      groups: RECORD_GROUPS.filter((g) => counts[g] > 0).map((group) => ({group, count: counts[group], times: true})),
      attributes: {
        pulsebook_version: PULSEBOOK_VERSION,
        pulsebook_stream_trigger: JSON.stringify({
          format_version: streamTriggerVersion(), command: options.command ?? "triggerCsmpl", method: options.method ?? "record-windows", precision: options.precision ?? "float64",
          thresholds_V: options.thresholds_V, coincidence_samples: coincidence, start_s, start_tick: startTick ?? null,
          streams: csmpl.map(fileIdentity), of: fileIdentity(options.of)
        }),
        ...hdf5Provenance(provenanceStamp({
          stages: {streamTrigger: streamTriggerVersion()},
          parameters: {method: options.method ?? "record-windows", precision: options.precision ?? "float64", thresholds_V: options.thresholds_V, coincidence_samples: coincidence, start_s},
          inputs: {streams: csmpl.map(fileIdentity), of: fileIdentity(options.of)}, command: options.command ?? "triggerCsmpl"
        }))
      }
    }, (writer) => {
      const buf = new Float64Array(L);
      for (const g of RECORD_GROUPS) {
        const list = recs[g];
        for (let first = 0; first < list.length; first += chunkEvents) {
          const part = list.slice(first, first + chunkEvents), count = part.length;
          const samples = new Float32Array(C * count * L);
          part.forEach((r, i) => {
            for (let c = 0; c < C; c++) {
              streams[c].source(buf, r.start);
              samples.set(buf, (c * count + i) * L);
            }
          });
          const us = part.map((r) => Math.round(((r.start + T) * 1e6) / fs));
          const chunk: EventChunk = {
            group: g, start: first, count, nChannels: C, recordLength: L, samples,
            hours: Float64Array.from(part, (r) => r.hours),
            time_s: Int32Array.from(us, (u) => start_s + Math.floor(u / 1e6)),
            time_mus: Int32Array.from(us, (u) => u % 1e6)
          };
          if (g === "testpulses") chunk.testpulseAmplitude = Float64Array.from(part, (r) => r.tpa);
          writer.write(chunk);
        }
      }
      const m = events.length;
      writer.writeArray("stream/trigger_sample", BigInt64Array.from(events, (e) => BigInt(e.sample)), [m], "<q");
      writer.writeArray("stream/trigger_hours", Float64Array.from(events, (e) => e.sample / fs / 3600), [m], "<d");
      const heights = new Float64Array(C * m);
      events.forEach((e, i) => e.height_V.forEach((h, c) => { heights[c * m + i] = h; }));
      writer.writeArray("stream/trigger_height", heights, [C, m], "<d");
      writer.writeArray("stream/threshold", Float64Array.from(options.thresholds_V), [C], "<d");
      if (stamps && stampSamples) {
        writer.writeArray("stream/tp_hours", Float64Array.from(stampSamples, (p) => p / fs / 3600), [stampSamples.length], "<d");
        writer.writeArray("stream/tpa", stamps.tpa, [stamps.tpa.length], "<d");
      }
      if (cps.length) {
        writer.writeArray("controlpulses/hours", Float64Array.from(cps, (e) => e.sample / fs / 3600), [cps.length], "<d");
        const ph = new Float64Array(C * cps.length);
        cps.forEach((e, i) => e.height_V.forEach((h, c) => { ph[c * cps.length + i] = h; }));
        writer.writeArray("controlpulses/pulse_height", ph, [C, cps.length], "<d");
      }
    });
    return {out, layout, streamSamples: n, triggers, events, counts, stampSamples, stamps, startTick, outside};
  } finally {
    for (const s of streams) s.close();
  }
}
