// lib/io/caitLabels.ts on small HDF5 files made here: labels kept where not named, the
// dataset's type kept, shape and range checks (the atomic import around it: labelsImport.test.ts).

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import {writeCaitLabels} from "../lib/io/caitLabels.js";
import {DataFileError} from "../lib/io/errors.js";
import {LABEL_CLASSES} from "../lib/types.js";

let dir: string;
beforeAll(async () => {
  await h5wasm.ready;
  dir = mkdtempSync(join(tmpdir(), "pulsebook-caitlabels-"));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** A file with an `events` group and, optionally, `events/labels` of the given values. */
function fileWith(name: string, labels?: {data: Float64Array | Int32Array; shape: number[]; dtype: string}) {
  const path = join(dir, name);
  const f = new h5wasm.File(path, "w");
  const g = f.create_group("events");
  if (labels) g.create_dataset({name: "labels", ...labels});
  return {path, f};
}

describe("writeCaitLabels", () => {
  it("writes named records into float64 labels, keeps the others and the type", () => {
    const {path, f} = fileWith("float.h5", {data: Float64Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3], dtype: "<d"});
    const r = writeCaitLabels(f, [{event: 2, channel: 1, label: 9}, {event: 0, channel: 0, label: 1}], 2, 3, path);
    f.close();
    expect(r).toEqual({written: 2, changed: 1, created: false});
    const g = new h5wasm.File(path, "r");
    const ds = g.get("events/labels") as unknown as {dtype: string; value: Float64Array};
    expect(ds.dtype).toBe("<d");
    expect(Array.from(ds.value)).toEqual([1, 2, 3, 4, 5, 9]);
    g.close();
  });

  it("creates int32 labels with cait's class attributes when there are none", () => {
    const {path, f} = fileWith("none.h5");
    expect(writeCaitLabels(f, [{event: 1, channel: 0, label: 3}], 1, 4, path)).toEqual({written: 1, changed: 1, created: true});
    f.close();
    const g = new h5wasm.File(path, "r");
    const ds = g.get("events/labels") as unknown as {dtype: string; shape: number[]; value: Int32Array; attrs: {[k: string]: {value: unknown}}};
    expect(ds.dtype).toBe("<i");
    expect(ds.shape).toEqual([1, 4]);
    expect(Array.from(ds.value)).toEqual([0, 3, 0, 0]);
    for (const [code, name] of Object.entries(LABEL_CLASSES)) expect(Number(ds.attrs[name].value)).toBe(Number(code));
    g.close();
  });

  it("refuses labels of the wrong shape, naming the file and dataset, and records outside the file", () => {
    const {path, f} = fileWith("shape.h5", {data: new Float64Array(6), shape: [3, 2], dtype: "<d"});
    try {
      const e = (() => { try { writeCaitLabels(f, [], 2, 3, path); } catch (x) { return x as DataFileError; } })();
      expect(e).toBeInstanceOf(DataFileError);
      expect(e!.message).toBe(`${path} [events/labels]: expected shape [2, 3] (channel × event), found [3,2]`);
      expect(() => writeCaitLabels(f, [{event: 3, channel: 0, label: 1}], 3, 2, path)).toThrow("entry 1: record (event 3, channel 0) is outside 3 channels × 2 events");
    } finally {
      f.close();
    }
    const bare = new h5wasm.File(join(dir, "bare.h5"), "w");
    try {
      expect(() => writeCaitLabels(bare, [], 1, 1, "bare.h5")).toThrow("bare.h5 [events/labels]: group `events` not found");
    } finally {
      bare.close();
    }
  });
});
