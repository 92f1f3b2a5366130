// Raw DAQ conversion (.rdt/.par/.con → cait HDF5) against cait's own conversion of the same
// run, and every kind of bad input the issue names. The vendored .rdt holds the first two pulser
// cycles of cait's mock run (36 records: 8 events, 6 test pulses, 4 noise traces of 2 channels);
// cait's file holds at least those first events of each group (test/fixtures/cait-mock/README.md).

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import {caitOutputName, convertRdt} from "../data-loaders/convert.js";
import {openCaitFile, DataFileError} from "../data-loaders/io/node.js";
import {parsePar} from "../lib/io/par.js";
import {adcToVolts, rdtRecordBytes, samplesToVolts} from "../lib/io/rdt.js";
import {CAIT_MOCK_RAW as RAW, CAIT_PROCESSED as CAIT_FILE, CAIT_REFERENCE_VALUES} from "./support/caitMock.js";
import {runPulsebook} from "./support/cli.js";

const REFERENCE = JSON.parse(readFileSync(CAIT_REFERENCE_VALUES, "utf8"));
/** Events per group in the vendored .rdt. */
const COUNTS = {events: 8, testpulses: 6, noise: 4};
const LAYOUT = {recordLength: 16384, intsInHeader: 7, dvmChannels: 0};
const RB = rdtRecordBytes(LAYOUT); // 32824 B

let dir: string;
let converted: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-raw-"));
  await h5wasm.ready;
  converted = join(dir, "mock_001.h5");
  await convertRdt(join(RAW, "mock_001.rdt"), converted, {channels: [0, 1]});
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

type H5 = InstanceType<typeof h5wasm.File>;
function bytesOf(f: H5, path: string): {dtype: string; shape: number[]; bytes: Buffer} {
  const ds = f.get(path) as unknown as {dtype: string; shape: number[]; value: ArrayBufferView | number | bigint};
  expect(ds, path).toBeTruthy();
  const v = ds.value;
  const view = ArrayBuffer.isView(v) ? v : typeof v === "bigint" ? BigInt64Array.of(v) : Float64Array.of(v);
  return {dtype: ds.dtype, shape: ds.shape, bytes: Buffer.from(view.buffer, view.byteOffset, view.byteLength)};
}

/** Like bytesOf, for a dataset of record group `group` of cait's file cut to its first `n` events (axis 1 of `event`, else axis 0). */
function firstEventsOf(f: H5, path: string, n: number): {dtype: string; shape: number[]; bytes: Buffer} {
  const ds = f.get(path) as unknown as {dtype: string; shape: number[]; slice(r: [number, number][]): ArrayBufferView};
  expect(ds, path).toBeTruthy();
  const axis = path.endsWith("/event") ? 1 : 0;
  expect(ds.shape[axis], `${path} holds fewer than ${n} events`).toBeGreaterThanOrEqual(n);
  const ranges = ds.shape.map((m, k): [number, number] => [0, k === axis ? n : m]);
  const v = ds.slice(ranges);
  return {dtype: ds.dtype, shape: ranges.map(([a, b]) => b - a), bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength)};
}

/** A copy of the first `records` records of mock_001.rdt, with its .par (optionally edited). */
function smallRun(name: string, records: number, options: {par?: (text: string) => string; rdt?: (bytes: Buffer) => Buffer} = {}): string {
  const rdt = join(dir, `${name}.rdt`);
  let bytes: Buffer = readFileSync(join(RAW, "mock_001.rdt")).subarray(0, records * RB);
  if (options.rdt) bytes = options.rdt(Buffer.from(bytes));
  writeFileSync(rdt, bytes);
  const par = readFileSync(join(RAW, "mock_001.par"), "latin1");
  writeFileSync(join(dir, `${name}.par`), options.par ? options.par(par) : par, "latin1");
  return rdt;
}

describe("convert mock_001.rdt like cait", () => {
  it("gives cait's arrays bit for bit: samples, hours, time_s, time_mus, dac_output, TPA, control pulses, metainfo", () => {
    const a = new h5wasm.File(CAIT_FILE, "r"), b = new h5wasm.File(converted, "r");
    try {
      const paths: [string, number | undefined][] = [["controlpulses/hours", undefined], ["controlpulses/pulse_height", undefined], ["testpulses/testpulseamplitude", COUNTS.testpulses]];
      for (const g of ["events", "testpulses", "noise"] as const) for (const d of ["event", "hours", "time_s", "time_mus", "dac_output"]) paths.push([`${g}/${d}`, COUNTS[g]]);
      const meta = (a.get("metainfo") as unknown as {keys(): string[]}).keys();
      expect(meta.length).toBe(16);
      for (const k of meta) paths.push([`metainfo/${k}`, undefined]);
      for (const [p, n] of paths) {
        const x = n === undefined ? bytesOf(a, p) : firstEventsOf(a, p, n), y = bytesOf(b, p);
        expect(y.dtype, p).toBe(x.dtype);
        expect(y.shape, p).toEqual(x.shape);
        expect(y.bytes.equals(x.bytes), `${p} differs`).toBe(true);
      }
      expect(bytesOf(b, "events/event").shape).toEqual([2, 8, 16384]);
      expect(bytesOf(b, "testpulses/event").shape).toEqual([2, 6, 16384]);
      expect(bytesOf(b, "noise/event").shape).toEqual([2, 4, 16384]);
      expect(bytesOf(b, "controlpulses/pulse_height").shape).toEqual([2, 40]);
      expect(b.attrs.Ch_1.value).toBe(0n);
      expect(b.attrs.Ch_2.value).toBe(1n);
    } finally {
      a.close();
      b.close();
    }
  });

  it("reads back through CaitFile with the .par's layout", async () => {
    const f = await openCaitFile(converted);
    try {
      expect(f.dataset.groups).toEqual(COUNTS);
      expect(f.dataset.layout).toEqual({sampleFrequency_Hz: 25000, recordLength: 16384, triggerIndex: 4096});
      const tp = f.readChunk("testpulses", 0, 4);
      expect(Array.from(tp.testpulseAmplitude!)).toEqual([0.5, 1, 3, 0.5]);
    } finally {
      f.close();
    }
  });

  it("does not depend on the chunk or read-block size (partial chunks, block refills)", async () => {
    const out = join(dir, "small-blocks.h5");
    const res = await convertRdt(join(RAW, "mock_001.rdt"), out, {channels: [0, 1], chunkEvents: 3, readBlockBytes: 3 * RB + 5});
    expect(res.counts).toEqual(COUNTS);
    expect(res.controlPulses).toBe(40);
    const a = new h5wasm.File(converted, "r"), b = new h5wasm.File(out, "r");
    try {
      for (const p of ["events/event", "testpulses/event", "noise/event", "noise/hours", "testpulses/testpulseamplitude"]) {
        expect(bytesOf(b, p).bytes.equals(bytesOf(a, p).bytes), p).toBe(true);
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it("converts one channel alone (records of other channels are passed over)", async () => {
    const out = join(dir, "ch1.h5");
    await convertRdt(join(RAW, "mock_001.rdt"), out, {channels: [1]});
    const a = new h5wasm.File(CAIT_FILE, "r"), b = new h5wasm.File(out, "r");
    try {
      const whole = (a.get("noise/event") as unknown as {slice(r: [number, number][]): Float32Array}).slice([[1, 2], [0, COUNTS.noise], [0, 16384]]);
      const mine = bytesOf(b, "noise/event");
      expect(mine.shape).toEqual([1, COUNTS.noise, 16384]);
      expect(mine.bytes.equals(Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength))).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it("converts int16 to volts as cait's convert_to_V", () => {
    const {inp, out} = REFERENCE.convert_to_V as {inp: number[]; out: number[]};
    expect(inp.map(adcToVolts)).toEqual(out);
    expect(inp.map((x) => Math.fround(adcToVolts(x)))).toEqual(out); // exact in float32 too
  });

  it("gives the same volts on aligned (typed-array path) and unaligned (DataView path) sample bytes", () => {
    const x = Int16Array.from({length: 4096}, (_, i) => ((i * 2654435761) % 65536) - 32768);
    const bytes = new Uint8Array(2 * x.length + 1);
    bytes.set(new Uint8Array(x.buffer), 1);
    const even = new Float32Array(x.length), odd = new Float32Array(x.length);
    samplesToVolts(new DataView(x.buffer), 0, x.length, even);
    samplesToVolts(new DataView(bytes.buffer, 1), 0, x.length, odd);
    expect(odd).toEqual(even);
    expect(Array.from(even)).toEqual(Array.from(x, adcToVolts));
  });

  it("parses the .par into cait's metainfo", () => {
    const par = parsePar(readFileSync(join(RAW, "mock_001.par"), "latin1"), "mock_001.par");
    const values = Object.fromEntries(Object.entries(par.metainfo).map(([k, v]) => [k, v.value]));
    expect(values).toEqual(REFERENCE.metainfo_par);
    expect(par.version).toBe("CRESST Version 1.x");
  });

  it("names the output as cait does", () => {
    expect(caitOutputName("/d/mock_001.rdt", [0, 1])).toBe("/d/mock_001-P_Ch0-L_Ch1.h5");
    expect(caitOutputName("run.rdt", [3, 4, 5])).toBe("run-1_Ch3-2_Ch4-3_Ch5.h5");
  });
});

describe("bad raw input", () => {
  async function failure(rdt: string, channels = [0, 1]): Promise<DataFileError> {
    const out = join(dir, "bad-out.h5");
    const err = await convertRdt(rdt, out, {channels, con: null}).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    // Atomic write: no output and no temporary file left behind.
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    return err as DataFileError;
  }

  it("a truncated record", async () => {
    const rdt = smallRun("truncated", 6, {rdt: (b) => b.subarray(0, 5 * RB + 1000)});
    const e = await failure(rdt);
    expect(e.file).toBe(rdt);
    expect(e.message).toMatch(/truncated record: the file ends 1000 B into record 5 \(records are 32824 B/);
  });

  it("a record length that does not match the header", async () => {
    const rdt = smallRun("wronglength", 6, {par: (t) => t.replace(/Record length(\s*):\s*16384/, "Record length$1: 8192")});
    const e = await failure(rdt);
    expect(e.message).toMatch(/record length does not match the header: the \.par says 8192 samples \(16440 B records\) but the file holds records of 16384 samples \(32824 B\)/);
  });

  it("a record length that does not match the header although the size divides", async () => {
    // 16384-sample records read as 4096-sample ones (8248 B): 16 of those fit the 131968 B kept,
    // and the second "record" header lands in the samples of record 0.
    const rdt = smallRun("divides", 5, {rdt: (b) => b.subarray(0, 16 * 8248), par: (t) => t.replace(/Record length(\s*):\s*16384/, "Record length$1: 4096")});
    const e = await failure(rdt);
    expect(e.message).toMatch(/record 1 has no valid header at the record size 8248 B given by the \.par \(record length 4096.*: the record length does not match the header/);
  });

  it("channels missing from the interleaving", async () => {
    // drop record 3 (channel 1 of the second trigger): channel 0 is then followed by channel 0
    const rdt = smallRun("missing", 8, {rdt: (b) => Buffer.concat([b.subarray(0, 3 * RB), b.subarray(4 * RB)])});
    const e = await failure(rdt);
    expect(e.message).toMatch(/channels missing from the interleaving: record 3 is channel 0, expected channel 1 after channel 0 \(record 2\)/);
    const e2 = await failure(smallRun("nochannel", 4), [0, 2]);
    expect(e2.message).toMatch(/channels missing from the interleaving: record 1 is channel 1, expected channel 2/);
    const e3 = await failure(smallRun("absent", 4), [5]);
    expect(e3.message).toMatch(/no records of channels 5 \(the file has channels 0, 1\)/);
  });

  it("an unknown header version", async () => {
    const e = await failure(smallRun("ints9", 4, {par: (t) => t.replace(/Integers in header(\s*):\s*7/, "Integers in header$1: 9")}));
    expect(e.file).toMatch(/ints9\.par$/);
    expect(e.message).toMatch(/unknown header version: 9 integers, 3 unsigned longs, 4 reals/);
    const e2 = await failure(smallRun("v2", 4, {par: (t) => t.replace("CRESST Version 1.x", "CRESST Version 2.0")}));
    expect(e2.message).toMatch(/unknown header version "CRESST Version 2\.0"/);
  });

  it("a truncated or missing .con", async () => {
    const rdt = smallRun("con", 4);
    const con = join(dir, "con.con");
    writeFileSync(con, readFileSync(join(RAW, "mock_001.con")).subarray(0, 12 + 24 * 5 + 7));
    const out = join(dir, "con.h5");
    const e = await convertRdt(rdt, out, {channels: [0, 1], con}).then(() => undefined, (x: unknown) => x) as DataFileError;
    expect(e).toBeInstanceOf(DataFileError);
    expect(e.message).toBe(`${con}: truncated record: 7 B left after 5 records of 24 B`);
    const e2 = await convertRdt(rdt, out, {channels: [0, 1], con: join(dir, "none.con")}).then(() => undefined, (x: unknown) => x) as DataFileError;
    expect(e2.message).toMatch(/none\.con: \.con file: file not found \(ENOENT\)/);
    expect(existsSync(out)).toBe(false);
  });

  it("a missing .par names where it was looked for", async () => {
    const rdt = join(dir, "orphan.rdt");
    copyFileSync(smallRun("orphan-src", 2), rdt);
    const e = await failure(rdt);
    expect(e.message).toMatch(/no \.par file next to it .*orphan\.par/);
  });
});

describe("pulsebook convert", () => {
  const run = runPulsebook;

  it("converts a run (cait's output name by default) and fails with the file and problem on bad input", async () => {
    const rdt = smallRun("cli_run", 22);
    const ok = await run("convert", rdt, "--channels", "0,1", "--no-con");
    expect(ok.code).toBe(0);
    // 11 triggers of the cycle [0,0,0,0,-1,-1,0.5,1,3] (TPA 20 is not in the .rdt): 1 cycle + 2 events
    expect(ok.stderr).toMatch(/wrote .*cli_run-P_Ch0-L_Ch1\.h5: 6 events, 3 test pulses, 2 noise traces, 0 control pulses/);
    const f = await openCaitFile(join(dir, "cli_run-P_Ch0-L_Ch1.h5"));
    expect(f.dataset.groups).toEqual({events: 6, testpulses: 3, noise: 2});
    f.close();
    const bad = await run("convert", rdt, "--channels", "0,2", "--no-con", "--out", join(dir, "x.h5"));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${rdt}: channels missing from the interleaving`);
    expect((await run("convert", rdt)).code).toBe(2);
  });
});
