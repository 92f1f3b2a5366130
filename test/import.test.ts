// `pulsebook import`: foreign traces (.npy, .npz, an HDF5 dataset, a CSV table) → cait's layout,
// read back with lib/io/caitFile.ts: the same samples (exact where float32 holds them, else
// to float32 rounding, as cait stores float32) and the metadata in metainfo. Bad input gets an
// error naming the file and the problem; a killed import leaves no output that looks complete;
// memory does not grow with the file.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {spawn} from "node:child_process";
import {createHash} from "node:crypto";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {h5, openCaitFile} from "../data-loaders/io/node.js";
import {importTraces, type ImportOptions} from "../data-loaders/import/importTraces.js";
import {CAIT_META} from "../lib/io/caitMeta.js";
import {parseNpyHeader} from "../lib/io/npy.js";
import {scatterBlock, type Axis} from "../lib/io/traceLayout.js";
import {DataFileError} from "../lib/io/errors.js";
import {npyBytes, npyHeader, npzBytes, npzZip64Bytes, traceValue, type Dtype} from "./support/traceFiles.js";
import {zipSync} from "fflate";
import {PULSEBOOK_BIN, runMain, runPulsebook} from "./support/cli.js";

let dir: string;
const at = (name: string) => join(dir, name);
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "pulsebook-import-")); });
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Expected cait samples (channel-major: (c·E + e)·L + s) of a test array. */
function expected(dtype: Dtype, E: number, C: number, L: number): Float32Array {
  const out = new Float32Array(C * E * L);
  for (let c = 0; c < C; c++) for (let e = 0; e < E; e++) for (let s = 0; s < L; s++) out[(c * E + e) * L + s] = traceValue(dtype, e, c, s);
  return out;
}

/** All events of `out`'s events group, and its metainfo as stored. */
async function readBack(out: string) {
  const file = await openCaitFile(out);
  try {
    const E = file.count("events");
    const chunk = file.readChunk("events", 0, E);
    const m = new (await h5()).File(out, "r");
    try {
      const meta = m.get(CAIT_META.group) as unknown as {keys(): string[]; get(k: string): {value: unknown; dtype: string}};
      const value = (k: string) => (meta.keys().includes(k) ? meta.get(k).value : undefined);
      const fsDtype = meta.get(CAIT_META.sampleFrequency).dtype;
      return {
        dataset: file.dataset, samples: chunk.samples, hours: chunk.hours, fsDtype,
        fs: Number(value(CAIT_META.sampleFrequency)), recordLength: Number(value(CAIT_META.recordLength)),
        unit: value(CAIT_META.unit), pretrigger: value(CAIT_META.pretriggerIndex), channelNames: value(CAIT_META.channelNames),
        provenance: JSON.parse(String(m.attrs.pulsebook_import.value))
      };
    } finally {
      m.close();
    }
  } finally {
    file.close();
  }
}

const META = {sampleFrequency_Hz: 1.25e6, pretrigger: 7, unit: "A", layout: undefined as string | undefined};

/** importTraces with every piece of metadata given; returns the warnings. */
async function imported(input: string, out: string, o: ImportOptions): Promise<string[]> {
  const warnings: string[] = [];
  await importTraces(input, out, {...META, chunkEvents: 3, warn: (m) => warnings.push(m), ...o});
  return warnings;
}

describe("the .npy header", () => {
  it("gives dtype, order, shape and data offset, and refuses what it does not read", () => {
    const h = parseNpyHeader(npyBytes(">i4", "ecs", [5, 3, 40], true), "x.npy");
    expect(h).toMatchObject({fortranOrder: true, shape: [5, 3, 40], dataOffset: 128, dataBytes: 5 * 3 * 40 * 4});
    expect(h.dtype).toEqual({kind: "i", size: 4, littleEndian: false, descr: ">i4"});
    const text = (header: string) => {
      const b = npyBytes("<f4", "s", [4]);
      const h0 = new TextDecoder("latin1").decode(b.subarray(10, 128));
      const t = header.padEnd(h0.length - 1) + "\n";
      const out = new Uint8Array(b);
      for (let i = 0; i < t.length; i++) out[10 + i] = t.charCodeAt(i);
      return out;
    };
    expect(() => parseNpyHeader(text("{'descr': '<c16', 'fortran_order': False, 'shape': (4,), }"), "x.npy")).toThrow(/x\.npy: dtype "<c16" is not supported \(supported: float32, float64/);
    expect(() => parseNpyHeader(text("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }"), "x.npy")).toThrow(/structured \(record\) dtype/);
    expect(() => parseNpyHeader(text("{'descr': '<f4', 'fortran_order': False, 'shape': (4, x), }"), "x.npy")).toThrow(/shape \(4, x\) is not a tuple of integers/);
    expect(() => parseNpyHeader(new Uint8Array(0), "x.npy")).toThrow("x.npy: empty file (0 bytes)");
    expect(() => parseNpyHeader(new TextEncoder().encode("a,b\n1,2\n"), "x.npy")).toThrow(/not a NumPy \.npy file/);
  });

  it("a block of any axis order lands channel-major, and a non-finite sample is named", () => {
    // Storage s × e × c (2 × 3 × 2): value k is the k-th stored element.
    const out = new Float32Array(12);
    scatterBlock((k) => k, ["s", "e", "c"] as Axis[], {nEvents: 3, nChannels: 2, recordLength: 2}, 0, 3, out, "f");
    // out[(c·3 + e)·2 + s] = stored index of (s, e, c) = s·6 + e·2 + c.
    for (let c = 0; c < 2; c++) for (let e = 0; e < 3; e++) for (let s = 0; s < 2; s++) expect(out[(c * 3 + e) * 2 + s]).toBe(s * 6 + e * 2 + c);
    expect(() => scatterBlock((k) => (k === 5 ? NaN : 1), ["e", "s"] as Axis[], {nEvents: 3, nChannels: 1, recordLength: 2}, 10, 3, new Float32Array(6), "f.npy"))
      .toThrow("f.npy: sample 1 of event 12, channel 0 is NaN: records must hold finite numbers");
    expect(() => scatterBlock(() => 1e39, ["s"] as Axis[], {nEvents: 1, nChannels: 1, recordLength: 1}, 0, 1, new Float32Array(1), "f.npy"))
      .toThrow(/is 1e\+39 \(beyond float32/);
  });
});

describe("pulsebook import: round trips", () => {
  const cases: {dtype: Dtype; axes: string; shape: number[]; fortran?: boolean; exact: boolean}[] = [
    {dtype: "<f4", axes: "ecs", shape: [7, 2, 50], exact: true},
    {dtype: ">f8", axes: "esc", shape: [7, 50, 2], exact: false},
    {dtype: "<i2", axes: "ces", shape: [2, 7, 50], exact: true},
    {dtype: ">i4", axes: "ecs", shape: [5, 3, 40], fortran: true, exact: false},
    {dtype: "<u2", axes: "es", shape: [9, 64], exact: true},
    {dtype: ">u2", axes: "se", shape: [64, 9], exact: true},
    {dtype: "|u1", axes: "s", shape: [100], exact: true},
    {dtype: "|i1", axes: "sce", shape: [40, 2, 6], fortran: true, exact: true},
    {dtype: ">f4", axes: "cse", shape: [2, 30, 5], exact: true},
    {dtype: "<f8", axes: "ecs", shape: [4, 1, 33], fortran: true, exact: false}
  ];
  for (const {dtype, axes, shape, fortran, exact} of cases) {
    it(`.npy ${dtype} ${axes} (${shape.join(" × ")}, ${fortran ? "Fortran" : "C"} order)`, async () => {
      const input = at(`rt-${dtype.replace(/\W/g, "")}-${axes}${fortran ? "-f" : ""}.npy`), out = `${input}.h5`;
      writeFileSync(input, npyBytes(dtype, axes, shape, fortran));
      const n = (a: string) => (axes.includes(a) ? shape[axes.indexOf(a)] : 1);
      const [E, C, L] = [n("e"), n("c"), n("s")];
      const names = Array.from({length: C}, (_, c) => `det${c}`);
      expect(await imported(input, out, {layout: axes, channelNames: names})).toEqual([]);
      const r = await readBack(out);
      expect(r.dataset.groups).toEqual({events: E});
      expect([r.dataset.channels.length, r.dataset.layout.recordLength]).toEqual([C, L]);
      const want = expected(dtype, E, C, L);
      expect(r.samples).toEqual(want);
      // Exact: every input value is a float32; else the file holds the float32 nearest each.
      let changed = 0;
      for (let c = 0; c < C; c++) for (let e = 0; e < E; e++) for (let s = 0; s < L; s++) if (want[(c * E + e) * L + s] !== traceValue(dtype, e, c, s)) changed++;
      expect(changed === 0).toBe(exact);
      expect(r).toMatchObject({fs: 1.25e6, fsDtype: "<q", recordLength: L, unit: "A", pretrigger: 7n, channelNames: names});
      expect(Array.from(r.hours).every(Number.isNaN)).toBe(true);
      expect(r.dataset.layout.sampleFrequency_Hz).toBe(1.25e6);
    });
  }

  it("announces each assumption once, writes none of them, and records them", async () => {
    const input = at("bare.npy"), out = at("bare.h5");
    writeFileSync(input, npyBytes("<f4", "ecs", [3, 2, 64]));
    const warnings = await imported(input, out, {pretrigger: undefined, unit: undefined, sampleFrequency_Hz: 1234.5});
    expect(warnings).toEqual([
      `${input}: no --layout given: read as ecs (event × channel × sample), 3 events × 2 channels × 64 samples; pass --layout if the axes are in another order`,
      `${input}: no --pretrigger given: none written; readers take cait's record length / 4 = 16 samples`,
      `${input}: no --unit given: none written; readers take volts (cait's convention) — pass --unit V, A, ADC, …`,
      `${input}: no --channel-names given: none written; readers name the 2 channels by number`
    ]);
    const r = await readBack(out);
    expect([r.unit, r.pretrigger, r.channelNames]).toEqual([undefined, undefined, undefined]);
    expect([r.fs, r.fsDtype]).toEqual([1234.5, "<d"]);
    expect(r.provenance.assumed).toEqual(["layout", "pretrigger", "unit", "channel names"]);
    expect(r.provenance.metainfo).toEqual(CAIT_META);
    expect(r.samples).toEqual(expected("<f4", 3, 2, 64));
  });

  it(".npz: stored and deflated entries (fflate), ZIP64 records (numpy.savez), --array picks by name", async () => {
    const traces = npyBytes(">f8", "ecs", [11, 2, 30]), other = npyBytes("<i2", "es", [4, 8]);
    const want = expected(">f8", 11, 2, 30);
    for (const [name, bytes] of [
      ["stored.npz", npzBytes({traces, other}, false)], ["deflated.npz", npzBytes({traces, other}, true)], ["zip64.npz", npzZip64Bytes({other, traces})]
    ] as const) {
      const input = at(name), out = `${input}.h5`;
      writeFileSync(input, bytes);
      await imported(input, out, {array: "traces", layout: "ecs", channelNames: ["a", "b"]});
      const r = await readBack(out);
      expect(r.samples, name).toEqual(want);
      expect(r.provenance).toMatchObject({format: "npz", array: "traces", compression: name === "deflated.npz" ? "deflated" : "stored", dtype: ">f8"});
      await expect(importTraces(input, at("x.h5"), {...META})).rejects.toThrow(`${input}: holds 2 arrays (${name === "zip64.npz" ? "other, traces" : "traces, other"}); pick one with --array NAME`);
      await expect(importTraces(input, at("x.h5"), {...META, array: "nope"})).rejects.toThrow(/no array "nope" \(the archive holds/);
    }
    // The deflated entry was inflated into a temporary beside the output, removed afterwards.
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    writeFileSync(at("text.npz"), "event,sample\n1,2\n");
    await expect(importTraces(at("text.npz"), at("t.h5"), {...META})).rejects.toThrow(`${at("text.npz")}: not an .npz (ZIP) archive: no end-of-central-directory record (truncated or another format)`);
    const cut = npzBytes({traces}, false);
    writeFileSync(at("cut.npz"), cut.subarray(0, cut.length - 30));
    await expect(importTraces(at("cut.npz"), at("t.h5"), {...META})).rejects.toThrow(/cut\.npz: .*(truncated|corrupt)/);
    // A damaged deflate stream is named.
    const bad = npzBytes({traces}, true);
    bad[Math.floor(bad.length / 2)] ^= 0xff;
    writeFileSync(at("bad.npz"), bad);
    await expect(importTraces(at("bad.npz"), at("bad.h5"), {...META, layout: "ecs"})).rejects.toThrow(/bad\.npz \[traces\.npy\]: (cannot inflate|inflates to|CRC-32)/);
    expect(existsSync(at("bad.h5"))).toBe(false);
  });

  it("HDF5 by path: pytesdaq's adc1/event_N (sample_rate from the group) and one dataset in another axis order", async () => {
    const input = at("pytesdaq.h5");
    const module = await h5();
    const f = new module.File(input, "w");
    const g = f.create_group("adc1");
    g.create_attribute("sample_rate", 1_250_000);
    const E = 12, C = 3, L = 6250;
    for (let e = 0; e < E; e++) {
      const d = Int16Array.from({length: C * L}, (_, k) => traceValue("<i2", e, Math.floor(k / L), k % L));
      g.create_dataset({name: `event_${e}`, data: d, shape: [C, L], dtype: "<h"});
    }
    const S = 40;
    const ces = Float64Array.from({length: C * 5 * S}, (_, k) => traceValue("<f8", Math.floor(k / S) % 5, Math.floor(k / (5 * S)), k % S));
    f.create_group("run").create_dataset({name: "traces", data: ces, shape: [C, 5, S], dtype: "<d"});
    f.close();

    const out = at("pytesdaq-import.h5");
    expect(await imported(input, out, {dataset: "/adc1", layout: "cs", sampleFrequency_Hz: undefined, unit: "ADC", channelNames: ["a", "b", "c"]})).toEqual([]);
    const r = await readBack(out);
    expect(r.samples).toEqual(expected("<i2", E, C, L));
    expect(r).toMatchObject({fs: 1_250_000, unit: "ADC", channelNames: ["a", "b", "c"], recordLength: 6250});
    expect(r.provenance).toMatchObject({format: "hdf5", group: "/adc1", datasets: "event_0 … event_11 (12)"});

    const out2 = at("dataset-import.h5");
    await imported(input, out2, {dataset: "/run/traces", layout: "ces", channelNames: ["a", "b", "c"]});
    expect((await readBack(out2)).samples).toEqual(expected("<f8", 5, C, S));
    await expect(importTraces(input, at("y.h5"), {...META})).rejects.toThrow(`${input}: name the traces with --dataset PATH (a dataset, or a group of event_N datasets); the file holds /adc1, /run`);
    await expect(importTraces(input, at("y.h5"), {...META, dataset: "/adc2"})).rejects.toThrow(`${input} [/adc2]: nothing at /adc2`);
    await expect(importTraces(input, at("y.h5"), {...META, dataset: "/run/traces", layout: "ec"})).rejects.toThrow(/layout "ec" does not fit an array of 3 dimensions/);
    await expect(importTraces(input, at("y.h5"), {...META, array: "traces"})).rejects.toThrow(`${input}: --array picks an array of an .npz; this input is read as hdf5`);
  });

  it("CSV: one record per row, one column per channel (header = channel names), one row per channel", async () => {
    const E = 6, L = 25;
    const rows = Array.from({length: E}, (_, e) => Array.from({length: L}, (_, s) => traceValue("<f8", e, 0, s)).join(","));
    writeFileSync(at("rows.csv"), `# exported by a scope\n${rows.join("\r\n")}\r\n`);
    await imported(at("rows.csv"), at("rows.h5"), {layout: "es", channelNames: ["pmt"]});
    expect((await readBack(at("rows.h5"))).samples).toEqual(expected("<f8", E, 1, L));

    const cols = ["phonon\tlight", ...Array.from({length: L}, (_, s) => `${traceValue("<i2", 0, 0, s)}\t${traceValue("<i2", 0, 1, s)}`)];
    writeFileSync(at("cols.tsv"), cols.join("\n"));
    const warnings = await imported(at("cols.tsv"), at("cols.h5"), {layout: "sc"});
    expect(warnings).toEqual([]); // the header named the channels
    const r = await readBack(at("cols.h5"));
    expect(r.samples).toEqual(expected("<i2", 1, 2, L));
    expect(r.channelNames).toEqual(["phonon", "light"]);

    writeFileSync(at("chan.txt"), [0, 1].map((c) => Array.from({length: L}, (_, s) => traceValue("<i2", 0, c, s)).join("  ")).join("\n"));
    await imported(at("chan.txt"), at("chan.h5"), {layout: "cs", channelNames: ["x", "y"]});
    expect((await readBack(at("chan.h5"))).samples).toEqual(expected("<i2", 1, 2, L));

    writeFileSync(at("ragged.csv"), "1,2,3\n4,5\n");
    await expect(importTraces(at("ragged.csv"), at("r.h5"), {...META, layout: "es"})).rejects.toThrow(`${at("ragged.csv")}: line 2 has 2 fields, the first data line has 3: every row must have as many`);
    writeFileSync(at("word.csv"), "1,2,3\n4,five,6\n");
    await expect(importTraces(at("word.csv"), at("r.h5"), {...META, layout: "es"})).rejects.toThrow(`line 2, field 2: "five" is not a number`);
    await expect(importTraces(at("rows.csv"), at("r.h5"), {...META, layout: "se"})).rejects.toThrow(/layout se is not supported for text/);
  });
});

/** No stack trace: no "    at f (file:line)" frames in what the CLI printed. */
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at .+:\d+/);

describe("pulsebook import: bad input through the CLI", () => {
  it("bad shape, dtype, truncated file, empty file, missing --fs, wrong channel names: exit 1 naming file and problem, nothing written", async () => {
    const files: {[name: string]: Uint8Array} = {
      "rank4.npy": npyBytes("<f4", "ecs", [2, 2, 2, 8]).slice(0),
      "complex.npy": (() => {
        const b = npyBytes("<f8", "ecs", [2, 2, 8]);
        b.set(new TextEncoder().encode("'<c8'"), 10 + "{'descr': ".length);
        return b;
      })(),
      "truncated.npy": npyBytes("<f8", "ecs", [4, 2, 100]).slice(0, 3000),
      "empty.npy": new Uint8Array(0),
      "empty.csv": new Uint8Array(0),
      "ok.npy": npyBytes("<f4", "ecs", [2, 2, 8])
    };
    for (const [name, b] of Object.entries(files)) writeFileSync(at(name), b);
    const cases: [string[], string][] = [
      [["rank4.npy", "--fs", "1000"], "the array has 4 dimensions; traces need 1 (sample), 2 (e.g. event × sample) or 3 (event × channel × sample)"],
      [["complex.npy", "--fs", "1000"], `dtype "<c8" is not supported (supported: float32, float64, int8/16/32, uint8/16/32 (either byte order))`],
      [["truncated.npy", "--fs", "1000"], "truncated .npy: the header declares shape (4, 2, 100) of <f8, 6400 bytes of data, but only 2872 follow it"],
      [["empty.npy", "--fs", "1000"], "empty file (0 bytes), not a .npy array"],
      [["empty.csv", "--fs", "1000"], "empty file (0 bytes): no traces"],
      [["ok.npy"], "no sample rate: the file does not say it; pass --fs HZ"],
      [["ok.npy", "--fs", "1000", "--channel-names", "a,b,c"], "3 channel names (a, b, c) for 2 channels"],
      [["ok.npy", "--fs", "1000", "--pretrigger", "8"], "--pretrigger 8 is not inside the records of 8 samples"],
      [["ok.npy", "--fs", "1000", "--layout", "ecx"], `layout "ecx" does not fit an array of 3 dimensions`]
    ];
    // Every case through the CLI's main (in this process, fast); three also as a child process.
    for (const [[name, ...rest], problem] of cases) {
      const r = await runMain(["import", at(name), ...rest, "--out", at(`${name}.h5`)]);
      expect(r.code, r.err).toBe(1);
      expect(r.err.split("\n").at(-1)).toContain(`pulsebook: ${at(name)}: ${problem}`);
      expect(existsSync(at(`${name}.h5`))).toBe(false);
    }
    for (const i of [1, 2, 4]) {
      const [[name, ...rest], problem] = cases[i];
      const r = await runPulsebook("import", at(name), ...rest, "--out", at(`${name}.h5`));
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`pulsebook: ${at(name)}: ${problem}`);
      noStack(r.stderr);
      expect(existsSync(at(`${name}.h5`))).toBe(false);
    }
    // A bad option value is a usage error (exit 2) before anything is read.
    const neg = await runMain(["import", at("ok.npy"), "--fs", "-5", "--out", at("neg.h5")]);
    expect(neg.code).toBe(2);
    expect(neg.err).toContain("--fs must be");
  }, 240_000);

  it("refuses to write over its input (inputs are sacred)", async () => {
    const r = await runPulsebook("import", at("ok.npy"), "--fs", "1000", "--out", at("ok.npy"), "--force");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("writing it would destroy the input");
    expect(readFileSync(at("ok.npy"))).toEqual(Buffer.from(npyBytes("<f4", "ecs", [2, 2, 8])));
  }, 120_000);
});

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("pulsebook import: killed, and in bounded memory", () => {
  it("SIGKILL mid-import leaves the output absent or complete, the input byte-identical", async () => {
    const E = 600, C = 2, L = 4096; // 39 MB of float64
    const input = at("big.npy");
    writeFileSync(input, npyBytes("<f8", "ecs", [E, C, L]));
    const before = sha256(input);
    const want = expected("<f8", E, C, L);
    writeFileSync(at("small.npy"), npyBytes("<f4", "ecs", [2, 2, 8]));
    const outcomes: string[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const out = at(`killed-${trial}.h5`);
      const child = spawn(process.execPath, [PULSEBOOK_BIN, "import", input, "--fs", "1e5", "--layout", "ecs", "--quiet", "--out", out], {stdio: "ignore"});
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      // Kill a random moment after the temporary output appears (the import is writing), or at exit.
      const temporary = () => readdirSync(dir).some((f) => f.startsWith(`.killed-${trial}.h5.`));
      let done = false;
      void exited.then(() => { done = true; });
      while (!done && !temporary()) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.random() * 400));
      child.kill("SIGKILL");
      await exited;
      expect(sha256(input)).toBe(before);
      if (existsSync(out)) {
        const r = await readBack(out);
        expect(r.samples).toEqual(want);
        outcomes.push("complete");
      } else {
        outcomes.push("absent");
      }
      // What may be left is only the hidden temporary, which the next write of the same output removes.
      for (const f of readdirSync(dir).filter((n) => n.includes(`killed-${trial}.h5`) && n !== `killed-${trial}.h5`)) {
        expect(f).toMatch(new RegExp(`^\\.killed-${trial}\\.h5\\.\\d+\\.[0-9a-f]+\\.tmp$`));
      }
      await importTraces(at("small.npy"), out, {...META, warn: () => {}});
      expect(readdirSync(dir).filter((n) => n.startsWith(`.killed-${trial}.h5.`))).toEqual([]);
    }
    console.log(`killed imports: ${outcomes.join(", ")}`);
    expect(outcomes).toHaveLength(3);
  }, 300_000);

  it("memory stays bounded: RSS grows far less than the file (npy and deflated npz)", async () => {
    // A child imports a 128 MiB array and prints its RSS after the first chunk and at most after.
    const child = fileURLToPath(new URL("./support/importMemoryChild.mjs", import.meta.url));
    const growth = (input: string, out: string) => new Promise<{first: number; peak: number}>((resolve, reject) => {
      const p = spawn(process.execPath, [child, input, out], {stdio: ["ignore", "pipe", "pipe"]});
      let stdout = "", stderr = "";
      p.stdout.on("data", (d) => { stdout += d; });
      p.stderr.on("data", (d) => { stderr += d; });
      p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`exit ${code}: ${stderr}`))));
    });
    const E = 2048, C = 2, L = 8192;
    const values = new Float32Array(E * C * L);
    for (let k = 0; k < values.length; k++) values[k] = (k % 4099) * 1e-4;
    const npy = Buffer.concat([npyHeader("<f4", [E, C, L]), Buffer.from(values.buffer)]);
    writeFileSync(at("mem.npy"), npy);
    writeFileSync(at("mem.npz"), zipSync({"traces.npy": [npy, {level: 1}]}));
    const size = npy.length;
    for (const name of ["mem.npy", "mem.npz"]) {
      const {first, peak} = await growth(at(name), at(`${name}.h5`));
      console.log(`import of ${name} (${(statSync(at(name)).size / 2 ** 20).toFixed(0)} MiB, ${(size / 2 ** 20).toFixed(0)} MiB of samples): RSS ${(first / 2 ** 20).toFixed(0)} MiB after the first chunk, at most ${(peak / 2 ** 20).toFixed(0)} MiB after`);
      expect(peak - first).toBeLessThan(size / 4);
    }
    const file = await openCaitFile(at("mem.npz.h5"));
    try {
      expect(file.count("events")).toBe(E);
      const chunk = file.readChunk("events", 2000, 3);
      for (const [c, i, s] of [[0, 0, 0], [1, 2, 8191], [1, 1, 17]]) expect(chunk.samples[(c * 3 + i) * L + s]).toBe(values[((2000 + i) * C + c) * L + s]);
    } finally {
      file.close();
    }
  }, 300_000);
});

describe("DataFileError", () => {
  it("is what import throws for bad input (the CLI prints it without a stack)", async () => {
    writeFileSync(at("e.npy"), new Uint8Array(0));
    await expect(importTraces(at("e.npy"), at("e.h5"), {...META})).rejects.toBeInstanceOf(DataFileError);
  });
});
