// The label model, its codecs, selection geometry, IndexedDB store and raster scatter, in Node.

import "fake-indexeddb/auto";
import {describe, expect, it} from "vitest";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {LabelBook, labelCode, labelName, LABEL_CODES, type LabelEntry} from "../lib/labels/book.js";
import {decodeLabelsCsv, encodeLabelsCsv} from "../lib/labels/csv.js";
import {decodeLabelsParquet, encodeLabelsParquet} from "../lib/labels/parquet.js";
import {selectInPolygon, selectInRect} from "../lib/labels/selection.js";
import {openLabelStore} from "../lib/labels/store.js";
import {rasterScatter, rgba, applyScale, invertScale} from "../lib/plot/rasterScatter.js";
import {LABEL_CLASSES} from "../lib/types.js";
import {CLASS_INDEX, classPixels} from "../lib/plot/palette.js";
import {encodeParquet} from "../data-loaders/io/parquet.js";
import {DataFileError} from "../lib/io/errors.js";

const T = "2026-11-23T07:00:00.000Z";
const modules = {arrow, parquet};

describe("LabelBook", () => {
  it("assigns, undoes and redoes, one change per assignment", () => {
    const book = new LabelBook();
    const c1 = book.assign([{event: 3, channel: 0}, {event: 3, channel: 1}, {event: 3, channel: 0}], 4, {author: "fw", time: T});
    expect(c1?.refs).toEqual([{event: 3, channel: 0}, {event: 3, channel: 1}]);
    expect(book.size).toBe(2);
    book.assign([{event: 3, channel: 0}, {event: 7, channel: 0}], 1, {author: "fw", note: "clean", time: T});
    expect(book.labelOf(3, 0)).toBe(1);
    expect(book.labelOf(3, 1)).toBe(4);
    expect(book.labelOf(7, 0)).toBe(1);
    expect(Object.fromEntries(book.counts())).toEqual({1: 2, 4: 1});
    const revert = book.undo()!;
    // The revert puts back the previous state: 3/0 was a SQUID jump, 7/0 unlabelled.
    expect(revert.after).toEqual([expect.objectContaining({label: 4}), undefined]);
    expect(book.labelOf(3, 0)).toBe(4);
    expect(book.labelOf(7, 0)).toBe(0);
    book.redo();
    expect(book.labelOf(7, 0)).toBe(1);
    book.undo();
    book.undo();
    expect(book.size).toBe(0);
    expect(book.canUndo).toBe(false);
    expect(book.undo()).toBeUndefined();
    // A new assignment clears redo.
    book.assign([{event: 1, channel: 0}], 3, {author: "fw", time: T});
    expect(book.canRedo).toBe(false);
  });

  it("class 0 unlabels, repeated identical assignments are no change, bad codes are refused", () => {
    const book = new LabelBook([{event: 2, channel: 1, label: 5, author: "a", time: T, note: ""}]);
    expect(book.assign([{event: 2, channel: 1}], 5, {author: "a", time: T})).toBeUndefined();
    book.assign([{event: 2, channel: 1}], 0, {author: "a", time: T});
    expect(book.size).toBe(0);
    expect(() => book.assign([{event: 1, channel: 0}], 21, {author: "a"})).toThrow(/not a cait label class/);
    expect(() => book.assign([{event: -1, channel: 0}], 1, {author: "a"})).toThrow(/event must be/);
  });

  it("knows all of cait's classes by code and by name", () => {
    expect(LABEL_CODES).toEqual([...Array.from({length: 21}, (_, i) => i), 99]);
    expect(labelName(7)).toBe("Pile_Up");
    expect(labelCode("squid_jump")).toBe(4);
    expect(labelCode("Strongly_Saturated_Test/Control_Pulse")).toBe(10);
    expect(labelCode("99")).toBe(99);
    expect(labelCode("42")).toBeUndefined();
    expect(labelCode("banana")).toBeUndefined();
  });
});

const tricky: LabelEntry[] = [
  {event: 0, channel: 0, label: 1, author: "Félix", time: T, note: ""},
  {event: 0, channel: 1, label: 4, author: "a,b", time: T, note: 'says "jump",\nsecond line'},
  {event: 12345, channel: 2, label: 99, author: "", time: "2026-01-02T03:04:05.006Z", note: "<img src=x onerror=alert(1)>"}
];

describe("CSV codec", () => {
  it("round-trips notes with commas, quotes, line breaks and markup", () => {
    const text = encodeLabelsCsv(tricky, "demo.h5#abc");
    expect(text.split("\n")[0]).toBe("# pulsebook labels, format_version 1, dataset demo.h5#abc");
    expect(text.split("\n")[1]).toBe("event,channel,label,author,time,note");
    const back = decodeLabelsCsv(text, "labels.csv");
    expect(back.entries).toEqual(tricky);
    expect(back.version).toBe(1);
    expect(back.dataset).toBe("demo.h5#abc");
  });

  it("reads class names, files without a version line, and names the bad row", () => {
    const {entries} = decodeLabelsCsv("event,channel,label\n5,0,Pile_Up\n6,1,3\n", "hand.csv");
    expect(entries.map((e) => e.label)).toEqual([7, 3]);
    expect(() => decodeLabelsCsv("event,channel,label\n5,0,1\n6,x,1\n", "bad.csv")).toThrow("bad.csv: row 3: channel must be an integer ≥ 0");
    expect(() => decodeLabelsCsv("event,channel,label\n5,0,frog\n", "bad.csv")).toThrow(/bad\.csv: row 2: "frog" is not a cait label class/);
    expect(() => decodeLabelsCsv("event,channel,label\n5,0,1\n5,0,2\n", "dup.csv")).toThrow(/row 3: event 5, channel 0 is labelled twice \(first in row 2\)/);
    expect(() => decodeLabelsCsv("# pulsebook labels, format_version 2\nevent,channel,label\n", "new.csv")).toThrow(/format_version 2 is newer/);
    expect(() => decodeLabelsCsv("ev,label\n1,1\n", "cols.csv")).toThrow(/missing columns event, channel/);
    try {
      decodeLabelsCsv("event,channel,label,time\n1,0,1,yesterday\n", "t.csv");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DataFileError);
      expect((e as DataFileError).file).toBe("t.csv");
    }
  });
});

describe("Parquet codec", () => {
  it("round-trips entries with the version and data set in the metadata", () => {
    const bytes = encodeLabelsParquet(modules, tricky, "demo.h5#abc");
    const table = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(["event:Int32", "channel:Int32", "label:Int32", "author:Utf8", "time:Utf8", "note:Utf8"]);
    expect(table.schema.metadata.get("pulsebook.format_version")).toBe("1");
    const back = decodeLabelsParquet(modules, bytes, "labels.parquet");
    expect(back.entries).toEqual(tricky);
    expect(back.dataset).toBe("demo.h5#abc");
  });

  it("reads int64 columns from other writers and refuses other Pulsebook tables", () => {
    const foreign = encodeParquet({event: Float64Array.of(1, 2), channel: Int32Array.of(0, 1), label: Int32Array.of(3, 5)});
    expect(decodeLabelsParquet(modules, foreign, "f.parquet").entries.map((e) => [e.event, e.channel, e.label])).toEqual([[1, 0, 3], [2, 1, 5]]);
    const features = encodeParquet({event: Int32Array.of(1), channel: Int32Array.of(0), label: Int32Array.of(1)}, {"pulsebook.table": "features"});
    expect(() => decodeLabelsParquet(modules, features, "features.parquet")).toThrow("features.parquet: is a Pulsebook features table, not a labels table");
    expect(() => decodeLabelsParquet(modules, new Uint8Array([1, 2, 3]), "junk.parquet")).toThrow(/junk\.parquet: not a readable Parquet file/);
  });
});

describe("selection", () => {
  // A 50 × 40 grid of points at integer coordinates, plus a NaN point.
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < 50; ++i) for (let j = 0; j < 40; ++j) { xs.push(i); ys.push(j); }
  xs.push(NaN); ys.push(5);
  const x = Float64Array.from(xs), y = Float64Array.from(ys);

  it("rectangle: exactly the grid points inside, corners in any order", () => {
    const sel = selectInRect(x, y, {x0: 10.5, x1: 3.5, y0: 20.5, y1: 2});
    expect(sel.length).toBe(7 * 19); // x 4..10, y 2..20
    for (const i of sel) expect(x[i] >= 4 && x[i] <= 10 && y[i] >= 2 && y[i] <= 20).toBe(true);
  });

  it("lasso: a triangle selects what the barycentric test says", () => {
    const tri: [number, number][] = [[2.3, 1.7], [40.2, 5.1], [20.6, 35.9]];
    const sel = new Set(selectInPolygon(x, y, tri));
    const cross = (a: number[], b: number[], p: number[]) => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    let expected = 0;
    for (let i = 0; i < x.length; ++i) {
      const p = [x[i], y[i]];
      const s = [cross(tri[0], tri[1], p), cross(tri[1], tri[2], p), cross(tri[2], tri[0], p)];
      const inside = s.every((v) => v > 0) || s.every((v) => v < 0);
      expect(sel.has(i), `point ${p}`).toBe(inside);
      if (inside) ++expected;
    }
    // Triangle area ≈ 640, so about 640 grid points.
    expect(expected).toBeGreaterThan(600);
    expect(expected).toBeLessThan(680);
  });

  it("selects 200,000 points by lasso", () => {
    const n = 200_000;
    const px = new Float64Array(n), py = new Float64Array(n);
    for (let i = 0; i < n; ++i) { px[i] = (i * 0.6180339887) % 1; py[i] = (i * 0.7548776662) % 1; }
    // The unit disc centred at (0.5, 0.5) of radius 0.4, as a 64-gon: area ≈ π·0.16.
    const ring = Array.from({length: 64}, (_, k) => [0.5 + 0.4 * Math.cos((2 * Math.PI * k) / 64), 0.5 + 0.4 * Math.sin((2 * Math.PI * k) / 64)] as [number, number]);
    const frac = selectInPolygon(px, py, ring).length / n;
    expect(frac).toBeCloseTo(0.5 * 64 * 0.16 * Math.sin((2 * Math.PI) / 64), 2);
  });
});

describe("IndexedDB store", () => {
  it("saves changes per data set, undo included, and loads them in a new connection", async () => {
    const name = `test-${Math.random()}`;
    const store = await openLabelStore(indexedDB, name);
    const book = new LabelBook();
    await store.save("a.h5", book.assign([{event: 1, channel: 0}, {event: 2, channel: 0}], 4, {author: "x", time: T})!);
    await store.save("a.h5", book.assign([{event: 2, channel: 0}], 5, {author: "x", note: "tall", time: T})!);
    await store.save("b.h5", new LabelBook().assign([{event: 9, channel: 1}], 3, {author: "y", time: T})!);
    await store.save("a.h5", book.assign([{event: 1, channel: 0}], 0, {author: "x", time: T})!);
    await store.save("a.h5", book.undo()!);
    store.close();
    const again = await openLabelStore(indexedDB, name);
    expect(await again.load("a.h5")).toEqual(book.list());
    expect((await again.load("a.h5")).map((e) => [e.event, e.label, e.note])).toEqual([[1, 4, ""], [2, 5, "tall"]]);
    expect(Object.fromEntries(await again.datasets())).toEqual({"a.h5": 2, "b.h5": 1});
    await again.clear("a.h5");
    expect(await again.load("a.h5")).toEqual([]);
    expect(await again.load("b.h5")).toHaveLength(1);
    again.close();
  });
});

describe("raster scatter", () => {
  it("paints each point at its scaled pixel, highlighted points on top", () => {
    const xScale = {domain: [0, 10] as [number, number], range: [0, 100] as [number, number]};
    const yScale = {domain: [0, 5] as [number, number], range: [50, 0] as [number, number]};
    const red = rgba(255, 0, 0), blue = rgba(0, 0, 255), black = rgba(0, 0, 0);
    const {pixels, drawn} = rasterScatter({
      x: Float64Array.of(2, 7.5, NaN, 11), y: Float64Array.of(1, 4, 1, 1), colour: Uint8Array.of(0, 1, 0, 0),
      palette: Uint32Array.of(red, blue), xScale, yScale, width: 100, height: 50, pointSize: 2, highlight: [1], highlightColour: black
    });
    expect(drawn).toBe(2); // NaN and out-of-frame points are not drawn
    // (2, 1) → pixel (20, 40): a 2×2 square with its corner at (19, 39).
    expect(pixels[39 * 100 + 19]).toBe(red);
    expect(pixels[40 * 100 + 20]).toBe(red);
    expect(pixels[41 * 100 + 21]).toBe(0);
    // (7.5, 4) → (75, 10), highlighted: a 4×4 black square.
    expect(pixels[10 * 100 + 75]).toBe(black);
    expect(pixels[8 * 100 + 73]).toBe(black);
    expect(pixels.filter((p) => p === black).length).toBe(16);
    expect(pixels.filter((p) => p === blue).length).toBe(0);
    expect(invertScale(yScale, applyScale(yScale, 3.3))).toBeCloseTo(3.3, 12);
    // A focused point is painted last, 4 px larger: a 6×6 square over the black one.
    const focused = rasterScatter({
      x: Float64Array.of(2, 7.5), y: Float64Array.of(1, 4), colour: Uint8Array.of(0, 1), palette: Uint32Array.of(red, blue),
      xScale, yScale, width: 100, height: 50, pointSize: 2, highlight: [1], highlightColour: black, focus: 1, focusColour: rgba(0, 255, 0)
    }).pixels;
    expect(focused.filter((p) => p === rgba(0, 255, 0)).length).toBe(36);
    expect(focused.filter((p) => p === black).length).toBe(0);
  });

  it("gives every cait class its own colour", () => {
    const palette = classPixels();
    expect(palette.length).toBe(Object.keys(LABEL_CLASSES).length);
    expect(new Set(palette).size).toBe(palette.length);
    expect(palette[CLASS_INDEX.get(99)!]).toBe(rgba(0x55, 0x55, 0x55));
  });
});

describe("data set identity", () => {
  it("is the raw file's name and content hash from the provenance, else the table's name and size", async () => {
    const {datasetId} = await import("../lib/labels/dataset.js");
    const input = JSON.stringify({path: "/data/run34/bck_001.h5", size_bytes: 1, mtime: "x", sha256_first_MiB: "0123456789abcdef0123"});
    expect(datasetId(new Map([["pulsebook.input", input]]), "features.parquet", 10)).toBe("bck_001.h5#0123456789abcdef");
    expect(datasetId(new Map(), "mine.parquet", 400)).toBe("mine.parquet#400rows");
    expect(datasetId(new Map([["pulsebook.input", "{oops"]]), "mine.parquet", 400)).toBe("mine.parquet#400rows");
  });
});
