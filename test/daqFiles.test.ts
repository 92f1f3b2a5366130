// Pulsebook's DAQ writer (lib/sim/daqFiles.ts) against the readers (lib/io): every file written
// reads back exactly; cait's own DAQ files (vendored subset) rewritten from what the readers
// read give their bytes back, so both follow one layout; and the tutorial's simulated run
// (data-loaders/daqTutorial.ts), checked against what its options imply.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {parseCon} from "../lib/io/con.js";
import {csmplSource, parseDigStamps, parseTestStamps, streamStartTick} from "../lib/io/csmpl.js";
import {parseCsmplDb} from "../lib/io/csmplDb.js";
import {parsePar} from "../lib/io/par.js";
import {adcToVolts, checkRecordStructure, rdtRecordBytes, readRdtHeader, type RdtHeader, type RdtLayout} from "../lib/io/rdt.js";
import {
  daqDate, voltsToAdc, voltsToAdcSamples, writeCon, writeCsmpl, writeCsmplDb, writeDigStamps, writePar, writeRdt, writeTestStamps, type RdtRecord
} from "../lib/sim/daqFiles.js";
import {simulateDaqRun} from "../lib/sim/daqRun.js";
import {CRESST_LIKE} from "../lib/sim/presets.js";
import {daqTutorial, DAQ_TUTORIAL_RUN, THRESHOLD_SIGMAS, type DaqTutorialData} from "../data-loaders/daqTutorial.js";
import {CAIT_MOCK_RAW} from "./support/caitMock.js";

const raw = (name: string) => new Uint8Array(readFileSync(join(CAIT_MOCK_RAW, name)));
const CAIT_LAYOUT_RDT: RdtLayout = {recordLength: 16384, intsInHeader: 7, dvmChannels: 0};

/** Every record of an .rdt: headers and int16 samples. */
function readRecords(bytes: Uint8Array, layout: RdtLayout): RdtRecord[] {
  const rb = rdtRecordBytes(layout), hb = rb - 2 * layout.recordLength;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({length: bytes.length / rb}, (_, r) => ({
    header: readRdtHeader(view, r * rb, layout),
    samples: Int16Array.from({length: layout.recordLength}, (_, k) => view.getInt16(r * rb + hb + 2 * k, true))
  }));
}

describe("voltsToAdc", () => {
  it("inverts adcToVolts on all 65536 codes and clips outside ±10 V", () => {
    for (let x = -32768; x <= 32767; x++) if (voltsToAdc(adcToVolts(x)) !== x) throw new Error(`code ${x}`);
    expect([voltsToAdc(-12), voltsToAdc(10), voltsToAdc(0.0001), voltsToAdc(0.0002)]).toEqual([-32768, 32767, 0, 1]);
    expect(Array.from(voltsToAdcSamples([0.00030517578125, -0.00030517578125]))).toEqual([1, -1]);
    expect(() => voltsToAdc(NaN)).toThrow(/NaN/);
  });
});

describe("round trips: what the writer writes, the reader reads exactly", () => {
  it(".par", () => {
    const text = new TextDecoder().decode(writePar({start_s: 1_700_000_000, duration_s: 90, recordLength: 8192, sampleFrequency_Hz: 50_000, recordsWritten: 17, intsInHeader: 6}));
    const par = parsePar(text, "w.par");
    expect(par).toMatchObject({version: "CRESST Version 1.x", recordLength: 8192, intsInHeader: 6, unsignedLongsInHeader: 3, realsInHeader: 4, dvmChannels: 0, timeBase_us: 20, sampleFrequency_Hz: 50_000});
    expect(Object.fromEntries(Object.entries(par.metainfo).map(([k, v]) => [k, v.value]))).toEqual({
      start_s: 1_700_000_000, start_mus: 0, stop_s: 1_700_000_090, stop_mus: 0, runtime: 90 / 3600, ints_in_header: 6, unsgn_longs_in_header: 3,
      reals_in_header: 4, dvm_channels: 0, record_length: 8192, records_written: 17, first_dvm_channel: 0, pre_trigger: 2, time_base_mus: 20,
      trigger_mode: 5, sample_frequency: 50_000
    });
    expect(par.fields["Start writing to file"]).toBe("2023-11-14 22:13:20");
    expect(() => writePar({start_s: 0, duration_s: 1, recordLength: 8, sampleFrequency_Hz: 30_000, recordsWritten: 0})).toThrow(/not a whole number of µs/);
  });

  it(".rdt with 6 and 7 integers in the header", () => {
    for (const intsInHeader of [6, 7]) {
      const layout: RdtLayout = {recordLength: 64, intsInHeader, dvmChannels: 0};
      const records: RdtRecord[] = Array.from({length: 6}, (_, r) => ({
        header: {
          detector: r % 2, coincidePulses: 1, trigCount: r >> 1, trigDelay: -3, absTime_s: 1_700_000_000 + r, absTime_us: 999_999 - r,
          timeLow: 2 ** 32 - 1 - r, timeHigh: r, qcdEvents: 7, hours: Math.fround(r / 3600), deadTime: 0.5, testpulseAmplitude: [0, -1, 0.5][r % 3], dacOutput: 1.25
        },
        samples: Int16Array.from({length: 64}, (_, k) => ((k * 2654435761 + r) % 65536) - 32768)
      }));
      const bytes = writeRdt(records, layout);
      expect(bytes.length).toBe(6 * rdtRecordBytes(layout));
      expect(readRecords(bytes, layout)).toEqual(records);
      const view = new DataView(bytes.buffer);
      expect(checkRecordStructure(bytes.length, layout, (o, l) => readRdtHeader(view, o, l), "w.rdt")).toBe(6);
    }
    expect(() => writeRdt([{header: {} as RdtHeader, samples: new Int16Array(3)}], {recordLength: 4, intsInHeader: 7, dvmChannels: 0})).toThrow(/record 0 has 3 samples, the layout says 4/);
  });

  it(".con, .csmpl, .dig_stamps, .test_stamps, .db", async () => {
    const con = writeCon([0, 1].flatMap((t) => [0, 1].map((detector) => ({detector, pulseHeight_V: 2.5 + detector + t, tick: (t + 1) * 3e7 + 2 ** 33}))));
    const cps = parseCon(con, [0, 1], "w.con");
    expect(Array.from(cps.hours)).toEqual([1, 2].map((t) => (t * 3e7 + 2 ** 33) / 1e7 / 3600));
    expect(Array.from(cps.pulseHeight)).toEqual([2.5, 3.5, 3.5, 4.5]);

    const x = Int16Array.from({length: 1000}, (_, i) => ((i * 7919) % 65536) - 32768);
    const bytes = writeCsmpl(x);
    const source = csmplSource((buf, at) => buf.set(bytes.subarray(at, at + buf.length)), x.length);
    const v = new Float64Array(1000);
    source(v, 0);
    expect(Array.from(v)).toEqual(Array.from(x, adcToVolts));

    expect(Array.from(parseDigStamps(writeDigStamps([12, 2 ** 40 + 3]), "w.dig_stamps"))).toEqual([12, 2 ** 40 + 3]);
    const stamps = {stamp: Float64Array.of(0, 400, 2 ** 36), tpa: Float64Array.of(0, -1, 20), channel: Int32Array.of(0, 1, 0)};
    expect(parseTestStamps(writeTestStamps(stamps), "w.test_stamps")).toEqual(stamps);
    expect(() => writeDigStamps([1.5])).toThrow(/1\.5 is not a clock tick/);

    const db = {triggerDelay: 32768, samplesDiv: 2, files: [{channel: 3, fileName: "r_Ch3.csmpl", type: 0, label: "r", created: daqDate(1_700_000_000)}]};
    expect(await parseCsmplDb(await writeCsmplDb(db), "w.db")).toEqual(db);
  });
});

describe("cait's DAQ files and Pulsebook's follow one layout", () => {
  it("rewriting cait's .par, .rdt, .con and stamps from what the readers read gives cait's bytes", async () => {
    const parText = new TextDecoder("latin1").decode(raw("mock_001.par"));
    const par = parsePar(parText, "mock_001.par");
    const m = Object.fromEntries(Object.entries(par.metainfo).map(([k, v]) => [k, v.value]));
    const ours = writePar({
      start_s: m.start_s, duration_s: m.stop_s - m.start_s, recordLength: par.recordLength, sampleFrequency_Hz: par.sampleFrequency_Hz,
      recordsWritten: m.records_written, intsInHeader: par.intsInHeader, preTrigger: m.pre_trigger, triggerMode: m.trigger_mode
    });
    expect(new TextDecoder().decode(ours)).toBe(parText);

    const rdt = raw("mock_001.rdt");
    expect(Buffer.from(writeRdt(readRecords(rdt, CAIT_LAYOUT_RDT), CAIT_LAYOUT_RDT)).equals(Buffer.from(rdt))).toBe(true);

    // .con: the 24-byte records carry detector, height and time (the last 8 bytes are 0 in cait's file).
    const conBytes = raw("mock_001.con");
    const view = new DataView(conBytes.buffer, conBytes.byteOffset, conBytes.byteLength);
    const entries = Array.from({length: (conBytes.length - 12) / 24}, (_, i) => ({
      detector: view.getInt32(12 + 24 * i, true), pulseHeight_V: view.getFloat32(12 + 24 * i + 4, true),
      tick: view.getUint32(12 + 24 * i + 12, true) * 2 ** 32 + view.getUint32(12 + 24 * i + 8, true)
    }));
    expect(Buffer.from(writeCon(entries)).equals(Buffer.from(conBytes))).toBe(true);

    const test = raw("stream_001.test_stamps"), dig = raw("stream_001.dig_stamps");
    expect(Buffer.from(writeTestStamps(parseTestStamps(test, "t"))).equals(Buffer.from(test))).toBe(true);
    expect(Buffer.from(writeDigStamps(parseDigStamps(dig, "d"))).equals(Buffer.from(dig))).toBe(true);
    const csmpl = raw("stream_001_Ch1.csmpl");
    expect(Buffer.from(writeCsmpl(new Int16Array(csmpl.buffer, csmpl.byteOffset, csmpl.length / 2))).equals(Buffer.from(csmpl))).toBe(true);
  });

  it("a simulated run has cait's .par fields, record layout, interleaving and .db tables", async () => {
    const run = await simulateDaqRun(CRESST_LIKE, {...DAQ_TUTORIAL_RUN, duration_s: 12});
    const caitPar = parsePar(new TextDecoder("latin1").decode(raw("mock_001.par")), "mock_001.par");
    const ourPar = parsePar(new TextDecoder().decode(run.files.get("run_001.par")!), "run_001.par");
    expect(Object.keys(ourPar.fields)).toEqual(Object.keys(caitPar.fields));
    expect(Object.keys(ourPar.metainfo).sort()).toEqual(Object.keys(caitPar.metainfo).sort());
    const layout = (p: typeof ourPar): RdtLayout => ({recordLength: p.recordLength, intsInHeader: p.intsInHeader, dvmChannels: p.dvmChannels});
    expect(layout(ourPar)).toEqual(layout(caitPar));

    // Slots at 3, 6, 9 s (12 s streams hold the whole record of those): TPA 0, 0, 0 → 3 triggers × 2 channels.
    const ours = readRecords(run.files.get("run_001.rdt")!, layout(ourPar));
    const cait = readRecords(raw("mock_001.rdt").subarray(0, 6 * rdtRecordBytes(CAIT_LAYOUT_RDT)), CAIT_LAYOUT_RDT);
    const shape = (rs: RdtRecord[]) => rs.map((r) => ({detector: r.header.detector, trigCount: r.header.trigCount, tpa: r.header.testpulseAmplitude, hours: r.header.hours, time_s: r.header.absTime_s - rs[0].header.absTime_s}));
    expect(shape(ours)).toEqual(shape(cait));
    expect(ours.map((r) => r.samples.length)).toEqual(cait.map((r) => r.samples.length));

    const caitDb = await parseCsmplDb(raw("stream_001.db"), "stream_001.db");
    const ourDb = await parseCsmplDb(run.files.get("run_001.db")!, "run_001.db");
    expect(ourDb.files.map((f) => [f.channel, f.type, f.label])).toEqual([[0, 0, "run_001"], [1, 1, "run_001"]]);
    expect(caitDb.files.map((f) => [f.channel, f.type])).toEqual([[0, 0], [1, 1]]);
    // Stamps on the stream's sample axis, the same way for both.
    const tick0 = streamStartTick(parseDigStamps(run.files.get("run_001.dig_stamps")!, "d"), ourDb.triggerDelay, ourDb.samplesDiv, 25_000);
    expect(Array.from(parseTestStamps(run.files.get("run_001.test_stamps")!, "t").stamp, (s) => (s - tick0) / 400)).toEqual(Array.from(run.slots.sample));
    expect(streamStartTick(parseDigStamps(raw("stream_001.dig_stamps"), "d"), caitDb.triggerDelay, caitDb.samplesDiv, 25_000)).toBe(-12_000_000);
  });
});

describe("the tutorial's run (data loader of src/tutorials/06-daq-files.md)", () => {
  let dir: string;
  let data: DaqTutorialData;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-daq-test-"));
    data = await daqTutorial(dir);
  }, 180_000);
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  // What the run's options imply, worked out here from the options alone.
  const {duration_s, pulserInterval_s, tpaCycle} = DAQ_TUTORIAL_RUN;
  const fs = 25_000, L = 16384, T = 4096;
  const slots = Array.from({length: Math.floor((duration_s * fs - (L - T)) / (pulserInterval_s * fs))}, (_, k) => ({sample: (k + 1) * pulserInterval_s * fs, tpa: tpaCycle[k % tpaCycle.length]}));

  it("reads the layout from the .par and converts every record and control pulse to the values written", () => {
    expect(data.layout).toEqual({sampleFrequency_Hz: fs, recordLength: L, triggerIndex: T});
    expect(slots.length).toBe(39);
    expect(data.counts).toEqual({
      events: slots.filter((s) => s.tpa === 0).length, testpulses: slots.filter((s) => s.tpa > 0 && s.tpa <= 10).length, noise: slots.filter((s) => s.tpa === -1).length
    });
    expect(data.controlPulses).toBe(slots.filter((s) => s.tpa > 10).length);
    expect(data.conversion).toHaveLength(22);
    expect(data.conversion.filter((d) => !d.identical)).toEqual([]);
    expect(data.conversion.find((d) => d.dataset === "events/event")!.shape).toBe(`2 × ${data.counts.events} × ${L}`);
  });

  it("triggers every pulse of both streams near its slot with the OF height of the pulse, and nothing else", () => {
    expect(data.slots.map((s) => ({sample: s.sample, tpa: s.tpa}))).toEqual(slots);
    data.stream.channels.forEach((c, i) => {
      expect(c.threshold_V).toBeCloseTo(THRESHOLD_SIGMAS * data.filter.resolution_V[i], 15);
      const pulses = data.slots.map((s, k) => k).filter((k) => data.slots[k].height_V[i] > 0);
      expect(c.triggers.map((t) => t.slot)).toEqual(pulses);
      const offsets = c.triggers.map((t) => t.sample - data.slots[t.slot].sample);
      // The filtered pulse peaks where the SEV does: 1.8 ms (phonon) / ≈ 12 ms (light) after the slot.
      const [lo, hi] = i === 0 ? [40, 50] : [250, 330];
      expect(Math.min(...offsets)).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...offsets)).toBeLessThanOrEqual(hi);
      for (const t of c.triggers) {
        const truth = data.slots[t.slot].height_V[i];
        expect(Math.abs(t.height_V - truth), `ch${i} slot ${t.slot}`).toBeLessThan((i === 0 ? 0.05 : 0.15) * truth + 5 * data.filter.resolution_V[i]);
      }
    });
  });

  it("puts every stamp on its slot and splits the triggered records by the stamps' TPA", () => {
    expect(data.stream.startTick).toBe(0);
    expect(data.stream.stamps).toEqual(slots.map((s) => ({sample: s.sample, tpa: s.tpa})));
    expect(data.stream.counts).toEqual({
      events: slots.filter((s) => s.tpa === 0).length, testpulses: slots.filter((s) => s.tpa > 0 && s.tpa <= 10).length,
      controlpulses: slots.filter((s) => s.tpa > 10).length, noise: slots.filter((s) => s.tpa === -1).length
    });
    expect(data.stream.testPulse.tpa).toBe(slots.find((s) => s.tpa > 0)!.tpa);
    expect(data.stream.testPulse.record).toHaveLength(2 * L / 8);
  });
});
