// Limits before allocation: what a file declares (a .par's record layout, an HDF5 record's
// size, a filter's length) is checked against the file's size and the memory budget before
// anything is allocated, and the error says what was declared, what is possible and how to
// raise the budget. Also: filters too short to filter, and outputs whose place is taken.

import {afterAll, afterEach, beforeAll, describe, expect, it} from "vitest";
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import {CAIT_MOCK_RAW as RAW} from "./support/caitMock.js";
import {runMain} from "./support/cli.js";
import {convertRdt} from "../data-loaders/convert.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import {writeSimulation} from "../data-loaders/simulate.js";
import {atomicWrite, atomicWriteWith} from "../data-loaders/io/atomicWrite.js";
import {DEFAULT_MEMORY_BUDGET, memoryBudget, parseByteSize, setMemoryBudget} from "../lib/io/memoryBudget.js";
import {applyMemoryBudgetEnv, applyMemoryBudgetOption} from "../data-loaders/io/memoryBudget.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-limits-"));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));
afterEach(() => {
  setMemoryBudget(DEFAULT_MEMORY_BUDGET);
});

/** mock_001.rdt (first `records` records) with its .par edited by `edit`. */
function run(name: string, edit: (par: string) => string, records = 4): string {
  const rdt = join(dir, `${name}.rdt`);
  const rb = 2 * 16384 + 4 * 7 + 12 + 16; // 7 integers, 0 DVM channels in the mock run
  writeFileSync(rdt, readFileSync(join(RAW, "mock_001.rdt")).subarray(0, records * rb));
  writeFileSync(join(dir, `${name}.par`), edit(readFileSync(join(RAW, "mock_001.par"), "latin1")), "latin1");
  return rdt;
}

describe("the memory budget", () => {
  it("sizes in words", () => {
    expect(parseByteSize("4GiB")).toBe(4 * 1024 ** 3);
    expect(parseByteSize("512 MiB")).toBe(512 * 1024 ** 2);
    expect(parseByteSize("2G")).toBe(2e9);
    expect(parseByteSize("1e9")).toBe(1e9);
    expect(parseByteSize("1.5kib")).toBe(1536);
    for (const bad of ["", "lots", "-1GiB", "0", "4 parsecs", "1e400"]) expect(parseByteSize(bad), bad).toBeNull();
  });

  it("from the environment variable and the --memory-budget option; a bad one names its source", () => {
    applyMemoryBudgetEnv({PULSEBOOK_MEMORY_BUDGET: "3GiB"});
    expect(memoryBudget()).toBe(3 * 1024 ** 3);
    expect(applyMemoryBudgetOption(["convert", "--memory-budget", "8GiB", "x.rdt"])).toEqual(["convert", "x.rdt"]);
    expect(memoryBudget()).toBe(8 * 1024 ** 3);
    expect(applyMemoryBudgetOption(["--memory-budget=1MiB", "features"])).toEqual(["features"]);
    expect(memoryBudget()).toBe(1024 ** 2);
    expect(() => applyMemoryBudgetEnv({PULSEBOOK_MEMORY_BUDGET: "lots"})).toThrow('PULSEBOOK_MEMORY_BUDGET: "lots" is not a memory size');
    expect(() => applyMemoryBudgetOption(["--memory-budget"])).toThrow('--memory-budget: "" is not a memory size');
  });
});

describe(".par layouts against the .rdt", () => {
  it("a .par declaring 10⁹ DVM channels: an error naming the .par, the declared and the actual size", async () => {
    const rdt = run("dvm", (t) => t.replace(/^DVM channels(\s*):\s*0$/m, "DVM channels$1: 1000000000"));
    const r = await runMain(["convert", rdt, "--channels", "0,1", "--no-con", "--out", join(dir, "dvm.h5"), "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`pulsebook: ${join(dir, "dvm.par")}: declares records of 4000032824 B (16384 samples, a 4000000056 B header with 1000000000 DVM channels), ` +
      `but ${rdt} holds only ${4 * 32824} B: not the .par of this .rdt, or a damaged one`);
    expect(existsSync(join(dir, "dvm.h5"))).toBe(false);
  });

  it("a conversion that would not fit the budget names it and how to raise it; it runs under a larger one", async () => {
    const rdt = run("budget", (t) => t, 12);
    setMemoryBudget(4 * 1024 ** 2);
    await expect(convertRdt(rdt, join(dir, "budget.h5"), {channels: [0, 1], con: null})).rejects.toThrow(
      /budget\.par: converting records of 16384 samples \(2 channels, 64 events per chunk\) needs 32\.0 MiB of memory, more than the memory budget of 4\.0 MiB \(raise it with --memory-budget SIZE or PULSEBOOK_MEMORY_BUDGET=SIZE/);
    expect(existsSync(join(dir, "budget.h5"))).toBe(false);
    setMemoryBudget(64 * 1024 ** 2);
    const res = await convertRdt(rdt, join(dir, "budget.h5"), {channels: [0, 1], con: null});
    expect(res.records).toBe(12);
  });
});

describe("HDF5 records against the budget", () => {
  it("records larger than 1/8 of the budget per event are refused, naming the option", async () => {
    const path = join(dir, "sim.h5");
    await writeSimulation(path, {events: 4, seed: 2, testpulses: 1, noise: 1});
    setMemoryBudget(512 * 1024); // 64 KiB per event; a simulated event is 2 × 16384 × 4 B = 128 KiB
    await expect(openCaitFile(path)).rejects.toThrow(/\[events\/event\]: declares 2 channels × 16384 samples per event \(128\.0 KiB per event\); records of more than 64\.0 KiB per event .* raise it with --memory-budget/);
    setMemoryBudget(DEFAULT_MEMORY_BUDGET);
    const f = await openCaitFile(path);
    expect(f.count("events")).toBe(4);
    f.close();
  });

  it("a whole file read (a .con) larger than the budget is refused before reading", async () => {
    const rdt = run("con", (t) => t);
    copyFileSync(join(RAW, "mock_001.con"), join(dir, "con.con"));
    setMemoryBudget(64);
    await expect(convertRdt(rdt, join(dir, "con.h5"), {channels: [0, 1]})).rejects.toThrow(/needs .* more than the memory budget of 64 B/);
  });
});

describe("trigger filters", () => {
  /** A cait-layout file whose optimum filter has `bins` frequency bins per channel. */
  async function filterFile(name: string, bins: number): Promise<string> {
    await h5wasm.ready;
    const path = join(dir, name);
    const f = new h5wasm.File(path, "w");
    f.create_group("events").create_dataset({name: "event", data: new Float32Array(2 * 32), shape: [2, 1, 32], dtype: "<f"});
    const g = f.create_group("optimumfilter");
    g.create_dataset({name: "optimumfilter_real", data: new Float64Array(2 * bins).fill(1), shape: [2, bins], dtype: "<d"});
    g.create_dataset({name: "optimumfilter_imag", data: new Float64Array(2 * bins), shape: [2, bins], dtype: "<d"});
    f.close();
    return path;
  }
  const streams = [join(RAW, "stream_001_Ch0.csmpl"), join(RAW, "stream_001_Ch1.csmpl")];

  for (const bins of [1, 2]) {
    it(`a filter of ${bins} bin(s) is refused, naming the file and the minimum`, async () => {
      const of = await filterFile(`of${bins}.h5`, bins);
      const out = join(dir, `trig${bins}.h5`);
      const r = await runMain(["trigger", ...streams, "--of", of, "--threshold", "0.003,0.003", "--out", out, "--quiet"]);
      expect(r.code).toBe(1);
      expect(r.err).toBe(`pulsebook: ${of} [optimumfilter/optimumfilter_real]: has ${bins} frequency bins (records of ${2 * (bins - 1)} samples); ` +
        "an optimum filter needs at least 9 bins (16 samples): not a filter made by cait's calc_of or pulsebook process");
      expect(existsSync(out)).toBe(false);
    });
  }

  it("a filter too long for the budget is refused before filtering", async () => {
    const of = await filterFile("oflong.h5", 8193);
    setMemoryBudget(1024 ** 2);
    const r = await runMain(["trigger", ...streams, "--of", of, "--threshold", "0.003,0.003", "--out", join(dir, "trigl.h5"), "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/oflong\.h5 \[optimumfilter\/optimumfilter_real\]: filtering 2 streams with records of 16384 samples \(8193 frequency bins\) needs 4\.0 MiB of memory, more than the memory budget of 1\.0 MiB/);
  });
});

describe("outputs whose place is taken", () => {
  it("an existing folder where a file goes, and a file where a folder would be made: errors naming the path", async () => {
    const folder = join(dir, "taken");
    mkdirSync(folder);
    expect(() => atomicWrite(folder, "x")).toThrow(`${folder}: is an existing folder, where a file is to be written: remove it or name a file`);
    await expect(atomicWriteWith(folder, () => undefined)).rejects.toThrow(/is an existing folder/);
    const file = join(dir, "plain.txt");
    writeFileSync(file, "keep");
    expect(() => atomicWrite(join(file, "sub", "x.json"), "x")).toThrow(`${file}: is not a folder, so no output can be written under it`);
    expect(readFileSync(file, "utf8")).toBe("keep");
  });

  it("convert --out into a folder that does not exist yet creates it", async () => {
    const rdt = run("deep", (t) => t);
    const out = join(dir, "new", "deeper", "deep.h5");
    const r = await runMain(["convert", rdt, "--channels", "0,1", "--no-con", "--out", out, "--quiet"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const f = await openCaitFile(out);
    expect(f.dataset.channels).toHaveLength(2);
    f.close();
  });
});
