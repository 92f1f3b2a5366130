// Faulty HDF5 files: every read problem is a clear error naming the file, the dataset and the
// problem (exit 1, no stack trace, no output), never wrong numbers and never a crash. The files
// are built here with h5wasm: a chunk failing its fletcher32 checksum, a dataset declaring far
// more samples than the file holds, zero samples per record, a truncated file, a dangling link.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {execFile} from "node:child_process";
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {promisify} from "node:util";
import h5wasm from "h5wasm/node";
import {writeSimulation} from "../data-loaders/simulate.js";
import {CRESST_LIKE, simulateChunk} from "../lib/sim/index.js";
import {encodeLabelsCsv} from "../lib/labels/csv.js";
import {PULSEBOOK_BIN, runMain} from "./support/cli.js";

const N = 8; // events
const C = 2; // channels
let dir: string;
const f = {} as Record<"checksum" | "huge" | "record" | "zero" | "truncated" | "dangling" | "channels" | "labels", string>;

type H5File = InstanceType<typeof h5wasm.File>;

/** A cait-layout file with the `events` group filled by `make`. */
async function build(path: string, make: (events: ReturnType<H5File["create_group"]>, file: H5File) => void): Promise<void> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, "w");
  try {
    make(file.create_group("events"), file);
  } finally {
    file.close();
  }
}

function samples(): {data: Float32Array; L: number} {
  const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: N, seed: 5});
  return {data: chunk.samples, L: chunk.recordLength};
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-h5faults-"));
  const {data, L} = samples();

  // fletcher32 on chunks of one record; then flip a byte inside event 3, channel 1's record
  // (found by its own bytes, so the offset does not depend on HDF5's layout choices).
  f.checksum = join(dir, "checksum.h5");
  await build(f.checksum, (g, file) => {
    g.create_dataset({name: "event", data, shape: [C, N, L], dtype: "<f", chunks: [1, 1, L], compression: 3, compression_opts: []});
    // Intact noise records, for `process` (its noise power spectrum comes first).
    file.create_group("noise").create_dataset({name: "event", data: data.map((x, i) => Math.sin(i) * 1e-3), shape: [C, N, L], dtype: "<f"});
  });
  const bytes = readFileSync(f.checksum);
  const record = Buffer.from(data.buffer, data.byteOffset + (1 * N + 3) * L * 4, 64);
  const at = bytes.indexOf(record);
  expect(at).toBeGreaterThan(0);
  expect(bytes.indexOf(record, at + 1)).toBe(-1);
  bytes[at + 40] ^= 0xff;
  writeFileSync(f.checksum, bytes);

  // A chunked dataset grown to 2^38 events without writing any: the file stays a few kB.
  f.huge = join(dir, "huge.h5");
  await build(f.huge, (g) => {
    const ds = g.create_dataset({name: "event", data: data.subarray(0, C * 1 * L), shape: [C, 1, L], maxshape: [C, null, L], dtype: "<f", chunks: [1, 1, L]});
    ds.resize([C, 2 ** 38, L]);
  });
  // Labels for every event of a dataset declaring 2^40 channels.
  f.channels = join(dir, "channels.h5");
  await build(f.channels, (g) => {
    const ds = g.create_dataset({name: "event", data: data.subarray(0, L), shape: [1, 1, L], maxshape: [null, null, L], dtype: "<f", chunks: [1, 1, L]});
    ds.resize([2 ** 40, 2, L]);
  });

  // gzip records declared 2^27 samples long (512 MiB per event), in a file padded with 800 kB of
  // noise so that the declared size alone (1 GiB) is within what compression could explain.
  f.record = join(dir, "record.h5");
  await build(f.record, (g) => {
    const ds = g.create_dataset({name: "event", data: data.subarray(0, 2 * L), shape: [C, 1, L], maxshape: [C, 1, null], dtype: "<f", chunks: [1, 1, L], compression: "gzip"});
    ds.resize([C, 1, 2 ** 27]);
    g.create_dataset({name: "padding", data: Float64Array.from({length: 100_000}, (_, i) => Math.sin(i * 1.7) * 1e6 + i / 7), dtype: "<d"});
  });

  f.zero = join(dir, "zero.h5");
  await build(f.zero, (g) => {
    g.create_dataset({name: "event", data: new Float32Array(0), shape: [C, N, 0], dtype: "<f"});
  });

  f.truncated = join(dir, "truncated.h5");
  await writeSimulation(f.truncated, {events: N, seed: 5});
  // Cut in half, then padded back to its declared length: the header check passes, the tail is zeros.
  const whole = readFileSync(f.truncated);
  whole.fill(0, Math.floor(whole.length / 2));
  writeFileSync(f.truncated, whole);

  f.dangling = join(dir, "dangling.h5");
  await build(f.dangling, (g) => {
    g.create_soft_link("/raw/event", "event");
  });
}, 120_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Runs the command in a child with a modest heap and a time limit: a crash or a hang fails. */
async function child(...args: string[]): Promise<{code: number | null; signal: string | null; stderr: string}> {
  try {
    const {stderr} = await promisify(execFile)(process.execPath, ["--max-old-space-size=1024", PULSEBOOK_BIN, ...args], {encoding: "utf8", timeout: 60_000});
    return {code: 0, signal: null, stderr};
  } catch (e) {
    const err = e as {code: number | null; signal: string | null; stderr: string};
    return {code: err.code, signal: err.signal, stderr: err.stderr};
  }
}

/** Runs in this process; every fault must end as exit 1 and one line naming file, dataset, problem. */
async function fails(argv: string[], out: string, dataset: string, problem: RegExp): Promise<string> {
  const r = await runMain(argv);
  expect(r.code).toBe(1);
  // Warnings of metadata assumed (these files have no metainfo) come first, one line each.
  const line = r.err.split("\n").filter((l) => !l.startsWith("warning: ")).join("\n").trim();
  expect(line.split("\n")).toHaveLength(1); // no stack trace, no HDF5 diagnostics
  expect(line.startsWith(`pulsebook: ${argv[argv[0] === "labels" ? 3 : 1]} [${dataset}]: `)).toBe(true);
  expect(line).toMatch(problem);
  expect(existsSync(out)).toBe(false);
  return line;
}

const commands = (path: string, out: string): string[][] => [
  ["features", path, "--out", out],
  ["classify", path, "--backend", "cpu", "--out", out]
];

describe("HDF5 faults are errors naming file, dataset and problem", () => {
  it("a chunk failing its fletcher32 checksum: the event is named, no table is written", async () => {
    const out = join(dir, "checksum.parquet");
    for (const argv of commands(f.checksum, out)) {
      await fails(argv, out, "events/event", /cannot read event 3 \(of events \[0, 8\) read together\): filter returned failure during read \(corrupt data/);
    }
  }, 120_000);

  it("process on that file: exit 1 naming the event, no output folder", async () => {
    const config = join(dir, "checksum.yaml");
    writeFileSync(config, "version: 1\ninput: checksum.h5\noutput: checksum.out\ngroups: [events]\nsev: false\nnps: false\noptimumFilter: false\ncalibration: false\nsevFit: false\n");
    const r = await runMain(["process", config, "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(new RegExp(`(^|\n)pulsebook: ${f.checksum.replace(/[.]/g, "\\.")} \\[events/event\\]: cannot read event 3 `));
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "checksum.out"))).toBe(false);
  }, 120_000);

  it("the other events of that file still read: only the damaged record's chunk fails", async () => {
    const {openCaitFile} = await import("../data-loaders/io/node.js");
    const file = await openCaitFile(f.checksum);
    try {
      const {data, L} = samples();
      const chunk = file.readChunk("events", 0, 3);
      expect(Array.from(chunk.samples.subarray(0, L))).toEqual(Array.from(data.subarray(0, L)));
      expect(() => file.readChunk("events", 2, 4)).toThrow(/\[events\/event\]: cannot read event 3 \(of events \[2, 6\)/);
      expect(file.readChunk("events", 4, 4).samples.length).toBe(C * 4 * L);
    } finally {
      file.close();
    }
  });

  it("a dataset declaring 2^38 events in a 130 kB file is refused before anything is allocated", async () => {
    // In a child with a modest heap and a time limit: allocating what the file declares would
    // exhaust memory (or be killed) rather than end with this message.
    const out = join(dir, "huge.parquet");
    const r = await child("features", f.huge, "--out", out);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^pulsebook: ${f.huge.replace(/[.]/g, "\\.")} \\[events/event\\]: declares 2 × 274877906944 × 16384 samples \\(32\\.0 PiB\\), but the file is \\d+\\.\\d KiB and the dataset is not compressed`));
    expect(existsSync(out)).toBe(false);
    await fails(["classify", f.huge, "--backend", "cpu", "--out", out], out, "events/event", /declares 2 × 274877906944 × 16384 samples/);
  }, 120_000);

  it("a compressed record declaring 512 MiB per event is refused, naming the per-event limit", async () => {
    const out = join(dir, "record.parquet");
    for (const argv of commands(f.record, out)) {
      await fails(argv, out, "events/event", /: declares 2 channels × 134217728 samples per event \(1\.0 GiB per event\); records of more than 256\.0 MiB per event \(1\/8 of the memory budget of 2\.0 GiB\) are not read: .*raise it with --memory-budget SIZE or PULSEBOOK_MEMORY_BUDGET=SIZE/);
    }
  }, 120_000);

  it("labels import into a file declaring 2^40 channels: an error, not an invalid typed array length", async () => {
    const csv = join(dir, "l.csv");
    writeFileSync(csv, encodeLabelsCsv([{event: 0, channel: 0, label: 1, author: "test", time: "2026-01-01T00:00:00Z", note: ""}]));
    const before = readFileSync(f.channels);
    await fails(["labels", "import", csv, f.channels], join(dir, "never"), "events/event", /declares 1099511627776 × 2 × 16384 samples \(128\.0 PiB\)/);
    expect(readFileSync(f.channels).equals(before)).toBe(true);
  });

  it("zero samples per record, a dangling link, a damaged file: said in words", async () => {
    const out = join(dir, "x.parquet");
    for (const argv of commands(f.zero, out)) await fails(argv, out, "events/event", /: dataset has zero samples per record$/);
    for (const argv of commands(f.dangling, out)) await fails(argv, out, "events/event", /: dangling link events\/event → \/raw\/event \(nothing there\)$/);
    for (const argv of commands(f.truncated, out)) await fails(argv, out, "events/hours", /cannot read event 0 .*: wrong B-tree signature \(corrupt data: .*truncated file\)$/);
  }, 120_000);
});
