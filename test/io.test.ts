// lib/io: cait-layout HDF5 round trip, cait's own file, and every kind of bad input.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync, readdirSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import {createCaitFile, openCaitFile, DataFileError} from "../data-loaders/io/node.js";
import {CAIT_LAYOUT, chunkRecord, type EventChunk, type RecordLayout} from "../lib/types.js";
import {CAIT_PROCESSED} from "./support/caitMock.js";

const CAIT_FILE = CAIT_PROCESSED;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-io-"));
  await h5wasm.ready;
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const LAYOUT: RecordLayout = {sampleFrequency_Hz: 25_000, recordLength: 256, triggerIndex: 64};

/** A deterministic chunk whose every sample encodes (channel, event, sample). */
function patternChunk(group: EventChunk["group"], start: number, count: number, nChannels = 2, L = 256): EventChunk {
  const samples = new Float32Array(nChannels * count * L);
  for (let c = 0; c < nChannels; c++)
    for (let i = 0; i < count; i++)
      for (let k = 0; k < L; k++) samples[(c * count + i) * L + k] = c * 1000 + (start + i) + k / 1024;
  const hours = Float64Array.from({length: count}, (_, i) => (start + i) / 3600);
  const labels = Int32Array.from({length: nChannels * count}, (_, j) => 1 + (j % 3));
  const chunk: EventChunk = {group, start, count, nChannels, recordLength: L, samples, hours};
  if (group === "events") chunk.labels = labels;
  if (group === "testpulses") chunk.testpulseAmplitude = Float64Array.from({length: count}, (_, i) => 0.5 * (1 + ((start + i) % 4)));
  return chunk;
}

async function writePatternFile(path: string, nEvents = 20): Promise<void> {
  await createCaitFile(path, {
    layout: LAYOUT,
    channelNumbers: [0, 1],
    groups: [{group: "events", count: nEvents, labels: true}, {group: "testpulses", count: 6}, {group: "noise", count: 4}]
  }, (w) => {
    for (let s = 0; s < nEvents; s += 8) w.write(patternChunk("events", s, Math.min(8, nEvents - s)));
    w.write(patternChunk("testpulses", 0, 6));
    w.write(patternChunk("noise", 0, 4));
  });
}

/** Writes an arbitrary HDF5 file with h5wasm (for malformed-layout cases). */
function writeRaw(path: string, build: (f: InstanceType<typeof h5wasm.File>) => void): void {
  const f = new h5wasm.File(path, "w");
  build(f);
  f.close();
}

describe("cait-layout round trip", () => {
  it("writes and reads back every sample, hours, labels and test-pulse amplitudes", async () => {
    const path = join(dir, "round.h5");
    await writePatternFile(path);
    const file = await openCaitFile(path);
    try {
      expect(file.dataset.layout).toEqual(LAYOUT);
      expect(file.dataset.groups).toEqual({events: 20, testpulses: 6, noise: 4});
      expect(file.dataset.hasLabels).toBe(true);
      expect(file.dataset.channels.map((c) => c.kind)).toEqual(["phonon", "light"]);
      const chunks = [...file.chunks("events", 7)];
      expect(chunks.map((c) => [c.start, c.count])).toEqual([[0, 7], [7, 7], [14, 6]]);
      for (const chunk of chunks) {
        const want = patternChunk("events", chunk.start, chunk.count);
        expect(chunk.samples).toEqual(want.samples);
        expect(chunk.hours).toEqual(want.hours);
      }
      // Labels come back channel × event regardless of how they were chunked on writing.
      const all = file.readChunk("events", 0, 20);
      const written = new Int32Array(40);
      for (let s = 0; s < 20; s += 8) {
        const w = patternChunk("events", s, Math.min(8, 20 - s));
        for (let c = 0; c < 2; c++) for (let i = 0; i < w.count; i++) written[c * 20 + s + i] = w.labels![c * w.count + i];
      }
      expect(all.labels).toEqual(written);
      expect(chunkRecord(all, 1, 13)[5]).toBeCloseTo(1000 + 13 + 5 / 1024, 4);
      const tp = file.readChunk("testpulses", 2, 3);
      expect(Array.from(tp.testpulseAmplitude!)).toEqual([1.5, 2, 0.5]);
      expect(file.readEvent("noise", 3).map((r) => r[0])).toEqual([3, 1003]);
      // A selection read a file chunk at a time gives every event's records as readEvent does,
      // across chunk boundaries, and the hours read in blocks are those of the event.
      const picked = [0, 1, 5, 7, 8, 9, 15, 19];
      const got = [...file.readEvents("events", Int32Array.from(picked))];
      expect(got.map((g) => g.event)).toEqual(picked);
      for (const {event, records} of got) expect(records).toEqual(file.readEvent("events", event));
      // Without copies: views of the read buffer, each right while the generator waits.
      const views = file.readEvents("events", Int32Array.from(picked), false);
      for (const event of picked) {
        const step = views.next();
        if (step.done) throw new Error(`no view of event ${event}`);
        const {event: e, records} = step.value;
        expect(e).toBe(event);
        expect(records.map((r) => Array.from(r))).toEqual(file.readEvent("events", event).map((r) => Array.from(r)));
      }
      expect(views.next().done).toBe(true);
      expect(file.readChunk("events", 9, 1).hours).toEqual(patternChunk("events", 9, 1).hours);
      expect(() => [...file.readEvents("events", Int32Array.from([3, 2]))]).toThrow(/sorted and distinct \(event 2 after 3\)/);
    } finally {
      file.close();
    }
  });

  it("replaces a file only when the write completed (atomic)", async () => {
    const path = join(dir, "atomic.h5");
    await writePatternFile(path, 8);
    const before = readFileSync(path);
    await expect(createCaitFile(path, {layout: LAYOUT, channelNumbers: [0, 1], groups: [{group: "events", count: 8}]}, () => {
      throw new Error("simulation failed half-way");
    })).rejects.toThrow("half-way");
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("cait's own file", () => {
  it("opens the file cait wrote and reads its records and metadata", async () => {
    const file = await openCaitFile(CAIT_FILE);
    try {
      expect(file.dataset.layout).toEqual(CAIT_LAYOUT);
      // The vendored subset of cait's 160/120/80 (test/fixtures/cait-mock/README.md).
      expect(file.dataset.groups).toEqual({events: 12, testpulses: 9, noise: 80});
      expect(file.dataset.channels.map((c) => c.name)).toEqual(["phonon Ch0", "light Ch1"]);
      const tp = file.readChunk("testpulses", 0, 9);
      expect(new Set(tp.testpulseAmplitude)).toEqual(new Set([0.5, 1, 3]));
      // cait's stored mainpar[0] is the smoothed maximum minus the baseline: the raw maximum
      // of the record must be at least that high above the first-eighth mean.
      const mainpar = file.readArray("testpulses/mainpar");
      expect(mainpar.shape).toEqual([2, 9, 10]);
      const r = chunkRecord(tp, 0, 0);
      let max = -Infinity, base = 0;
      for (let k = 0; k < r.length; k++) max = Math.max(max, r[k]);
      for (let k = 0; k < r.length / 8; k++) base += r[k] / (r.length / 8);
      expect(max - base).toBeGreaterThanOrEqual(mainpar.values[0]);
      expect(mainpar.values[0]).toBeCloseTo(1.42197, 4);
    } finally {
      file.close();
    }
  });
});

describe("bad input names the file, the dataset and the problem", () => {
  const expectError = async (path: string, pattern: RegExp) => {
    const err = await openCaitFile(path).then((f) => { f.close(); return undefined; }, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(pattern);
  };

  it("missing file", async () => expectError(join(dir, "nope.h5"), /file not found \(ENOENT\)/));

  it("empty file", async () => {
    const path = join(dir, "empty.h5");
    writeFileSync(path, "");
    await expectError(path, /empty \(0 bytes\)/);
  });

  it("foreign file (CSV named .h5)", async () => {
    const path = join(dir, "foreign.h5");
    writeFileSync(path, "event,pulse_height\n1,0.5\n".repeat(100));
    await expectError(path, /not an HDF5 file/);
  });

  it("truncated file", async () => {
    const path = join(dir, "truncated.h5");
    await writePatternFile(path);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    await expectError(path, /truncated HDF5 file: \d+ bytes on disk, the file declares \d+/);
  });

  it("HDF5 without any record group", async () => {
    const path = join(dir, "nogroup.h5");
    writeRaw(path, (f) => { f.create_group("metainfo"); });
    await expectError(path, /no record group: expected one of events, testpulses, noise \(found: metainfo\)/);
  });

  it("group without `event`", async () => {
    const path = join(dir, "noevent.h5");
    writeRaw(path, (f) => { f.create_group("events").create_dataset({name: "hours", data: new Float64Array(3)}); });
    await expectError(path, /\[events\/event\]: missing dataset `event`/);
  });

  it("wrong rank", async () => {
    const path = join(dir, "rank.h5");
    writeRaw(path, (f) => { f.create_group("events").create_dataset({name: "event", data: new Float32Array(12), shape: [3, 4]}); });
    await expectError(path, /\[events\/event\]: expected rank 3 \(channel × event × sample\), found shape \[3,4\]/);
  });

  it("wrong dtype", async () => {
    const path = join(dir, "dtype.h5");
    writeRaw(path, (f) => { f.create_group("noise").create_dataset({name: "event", data: new Int16Array(2 * 3 * 8), shape: [2, 3, 8], dtype: "<h"}); });
    await expectError(path, /\[noise\/event\]: expected float32 samples, found dtype <h/);
  });

  it("groups that disagree on the record length", async () => {
    const path = join(dir, "mixed.h5");
    writeRaw(path, (f) => {
      f.create_group("events").create_dataset({name: "event", data: new Float32Array(2 * 3 * 8), shape: [2, 3, 8]});
      f.create_group("noise").create_dataset({name: "event", data: new Float32Array(2 * 3 * 16), shape: [2, 3, 16]});
    });
    await expectError(path, /\[noise\/event\]: records have 16 samples, other groups have 8/);
  });

  it("NaN in a record: the error names event, channel and sample", async () => {
    const path = join(dir, "nan.h5");
    const data = new Float32Array(2 * 5 * 32);
    data[(1 * 5 + 3) * 32 + 17] = NaN; // channel 1, event 3, sample 17
    data[(1 * 5 + 4) * 32 + 30] = -Infinity; // channel 1, event 4, sample 30
    writeRaw(path, (f) => { f.create_group("events").create_dataset({name: "event", data, shape: [2, 5, 32]}); });
    const file = await openCaitFile(path);
    try {
      expect(file.readChunk("events", 0, 3).count).toBe(3); // chunks before the bad event are fine
      expect(() => file.readChunk("events", 2, 3)).toThrow(`${path} [events/event]: record of event 3, channel 1 holds NaN at sample 17`);
      expect(() => file.readChunk("events", 4, 1)).toThrow(`${path} [events/event]: record of event 4, channel 1 holds -Infinity at sample 30`);
      expect(() => file.readChunk("events", 4, 3)).toThrow(/events \[4, 7\) out of range \(group has 5\)/);
      expect(() => file.count("testpulses")).toThrow(/group `testpulses` not found \(file has: events\)/);
    } finally {
      file.close();
    }
  });
});
