// CaitFile.readChunk with `reuse` (the feature pass's read): samples read straight into one
// buffer in the HDF5 module's heap, overwritten by the next read. The same numbers as the
// copying read, chunk after chunk, the same errors, and float64 data still read (by copying).
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import {openCaitFile} from "../data-loaders/io/node.js";

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-reuse-"));
  await h5wasm.ready;
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const C = 2, N = 23, L = 40;
/** Sample k of event i, channel c: distinct everywhere, so any misplaced sample shows. */
const value = (c: number, i: number, k: number) => c * 1000 + i + k / 64;

function write(path: string, dtype: "<f" | "<d", nanAt?: [number, number, number]): void {
  const data = (dtype === "<f" ? new Float32Array(C * N * L) : new Float64Array(C * N * L));
  for (let c = 0; c < C; c++) for (let i = 0; i < N; i++) for (let k = 0; k < L; k++) data[(c * N + i) * L + k] = value(c, i, k);
  if (nanAt) data[(nanAt[0] * N + nanAt[1]) * L + nanAt[2]] = NaN;
  const f = new h5wasm.File(path, "w");
  const g = f.create_group("events");
  g.create_dataset({name: "event", data, shape: [C, N, L], dtype, chunks: [C, 4, L]});
  g.create_dataset({name: "hours", data: Float64Array.from({length: N}, (_, i) => i / 10)});
  f.close();
}

describe("readChunk with reuse", () => {
  it("gives the copying read's samples and hours for every chunk, in one reused buffer", async () => {
    const path = join(dir, "f32.h5");
    write(path, "<f");
    const file = await openCaitFile(path);
    try {
      let offset = -1;
      for (const chunk of file.chunks("events", 5, 0, N, true)) {
        const copy = file.readChunk("events", chunk.start, chunk.count);
        // The copying read in between did not touch the reused buffer's samples …
        const again = file.readChunk("events", chunk.start, chunk.count, true);
        expect(Array.from(again.samples)).toEqual(Array.from(copy.samples));
        expect(Array.from(again.hours)).toEqual(Array.from(copy.hours));
        expect(again.samples[(1 * chunk.count + 1) * L + 3]).toBe(Math.fround(value(1, chunk.start + 1, 3)));
        // … and every chunk lands in the same place of the heap (a copy starts its own buffer).
        expect(copy.samples.byteOffset).toBe(0);
        expect(again.samples.byteOffset).toBeGreaterThan(0);
        if (offset < 0) offset = again.samples.byteOffset;
        expect(again.samples.byteOffset).toBe(offset);
      }
      expect(offset).toBeGreaterThan(0);
    } finally {
      file.close();
    }
  });

  it("a NaN sample is named as by the copying read", async () => {
    const path = join(dir, "nan.h5");
    write(path, "<f", [1, 12, 7]);
    const file = await openCaitFile(path);
    try {
      expect(file.readChunk("events", 5, 5, true).count).toBe(5);
      expect(() => file.readChunk("events", 10, 5, true)).toThrow(`${path} [events/event]: record of event 12, channel 1 holds NaN at sample 7`);
    } finally {
      file.close();
    }
  });

  it("float64 samples are read by copying, to float32, the same as without reuse", async () => {
    const path = join(dir, "f64.h5");
    write(path, "<d");
    const file = await openCaitFile(path);
    try {
      const reused = file.readChunk("events", 3, 9, true);
      const copy = file.readChunk("events", 3, 9);
      expect(reused.samples).toBeInstanceOf(Float32Array);
      expect(reused.samples.byteOffset).toBe(0); // its own buffer, not the heap
      expect(Array.from(reused.samples)).toEqual(Array.from(copy.samples));
      expect(reused.samples[5]).toBe(Math.fround(value(0, 3, 5)));
    } finally {
      file.close();
    }
  });
});
