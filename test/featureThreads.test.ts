// The feature pass on worker threads (data-loaders/featurePool.ts): the same table for any
// number of threads, any chunking and whoever reads the chunks (this thread or each worker), and
// a bad record is the same error from a worker as in the calling thread.
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import {writeSimulation} from "../data-loaders/simulate.js";
import {writeFeatures} from "../data-loaders/features.js";
import {processFromFile} from "../data-loaders/processFile.js";
import {readParquet, readParquetMetadata} from "../data-loaders/io/parquet.js";
import {fileIdentity} from "../data-loaders/provenance.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import {DataFileError} from "../lib/io/errors.js";
import {FeaturePool, readersFor, WORKERS_READ_FROM, type Readers} from "../data-loaders/featurePool.js";
import {noiseSpectra} from "../lib/pipeline/process/nps.js";

/** Runs `fn` with the pool's readers forced to `readers` (PULSEBOOK_READERS), or as the pool decides. */
async function withReaders<T>(readers: Readers | undefined, fn: () => Promise<T>): Promise<T> {
  const before = process.env.PULSEBOOK_READERS;
  if (readers) process.env.PULSEBOOK_READERS = readers;
  else delete process.env.PULSEBOOK_READERS;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.PULSEBOOK_READERS;
    else process.env.PULSEBOOK_READERS = before;
  }
}

const dir = mkdtempSync(join(tmpdir(), "pulsebook-feature-threads-"));
const run = join(dir, "run.h5");
beforeAll(async () => {
  await writeSimulation(run, {events: 90, testpulses: 20, noise: 20, seed: 5});
}, 60_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

async function table(out: string): Promise<{columns: {[name: string]: number[]}; metadata: {[key: string]: string}}> {
  const bytes = new Uint8Array(readFileSync(out));
  const t = readParquet(bytes, out);
  const columns = Object.fromEntries(t.schema.fields.map((f) => [f.name, Array.from(t.getChild(f.name)!.toArray() as ArrayLike<number>)]));
  return {columns, metadata: (await readParquetMetadata(bytes, out)).metadata};
}

/** The metadata less the time it was written at (provenance `created`). */
function withoutTime(metadata: {[key: string]: string}): object {
  const {created, ...provenance} = JSON.parse(metadata["pulsebook.provenance"]);
  expect(created).toMatch(/^\d{4}-\d\d-\d\dT/);
  return {...metadata, "pulsebook.provenance": provenance};
}

/**
 * Makes sample `sample` of (event, channel) of `group` NaN in place, keeping the file's identity
 * (size, mtime, first MiB) so that stages computed on the clean file are reused: its bytes (chunks
 * uncompressed, samples channel-major) must occur once, beyond the first MiB.
 */
async function patchNaN(path: string, group: "events" | "noise", event: number, channel: number, sample: number): Promise<void> {
  const f = await openCaitFile(path);
  const value = f.readChunk(group, event, 1).samples[channel * f.dataset.layout.recordLength + sample];
  f.close();
  const bytes = readFileSync(path), pattern = Buffer.from(Float32Array.of(value).buffer);
  const at = bytes.indexOf(pattern, 1 << 20);
  expect(at).toBeGreaterThan(0);
  expect(bytes.indexOf(pattern, at + 1)).toBe(-1);
  const identity = fileIdentity(path), {atime, mtime} = statSync(path);
  bytes.set(new Uint8Array(Float32Array.of(NaN).buffer), at);
  writeFileSync(path, bytes);
  utimesSync(path, atime, mtime);
  expect(fileIdentity(path)).toEqual(identity);
}

describe("features on worker threads", () => {
  it("reads in the workers from WORKERS_READ_FROM records per worker, or as PULSEBOOK_READERS says", async () => {
    await withReaders(undefined, async () => {
      expect(readersFor(2 * WORKERS_READ_FROM - 1, 2)).toBe("main");
      expect(readersFor(2 * WORKERS_READ_FROM, 2)).toBe("workers");
      expect(readersFor(WORKERS_READ_FROM, 1)).toBe("workers");
    });
    await withReaders("workers", async () => expect(readersFor(10, 2)).toBe("workers"));
    await withReaders("main", async () => expect(readersFor(1e9, 2)).toBe("main"));
  });

  it("--threads 1, 2 and 3, chunks of 8 or 7 events, read here or in the workers: the same table, value for value", async () => {
    const tables = [];
    for (const [threads, chunkEvents, readers] of [[1, 8, "main"], [2, 8, "main"], [3, 7, "main"], [2, 8, "workers"], [3, 7, "workers"]] as const) {
      const out = join(dir, `t${threads}-${readers}.parquet`);
      expect(await withReaders(readers, () => writeFeatures(run, out, {threads, chunkEvents}))).toEqual({rows: 180, events: 90});
      tables.push(await table(out));
    }
    const [one, ...more] = tables;
    expect(one.columns.event.length).toBe(180);
    expect(one.columns.pulse_height_V.every(Number.isFinite)).toBe(true);
    expect(one.columns.event.slice(0, 6)).toEqual([0, 0, 1, 1, 2, 2]);
    for (const t of more) {
      expect(Object.keys(t.columns)).toEqual(Object.keys(one.columns));
      for (const [name, values] of Object.entries(one.columns)) {
        // Object.is: NaN equals NaN, 0 and -0 differ: bit-for-bit as doubles.
        expect(t.columns[name].every((v, i) => Object.is(v, values[i])), name).toBe(true);
      }
      expect(withoutTime(t.metadata)).toEqual(withoutTime(one.metadata));
    }
  }, 120_000);

  it("a NaN sample in a chunk the workers compute: one error, naming event, channel and sample; no table", async () => {
    const path = join(dir, "nan.h5");
    const [C, N, L] = [2, 40, 64];
    const data = Float32Array.from({length: C * N * L}, (_, k) => Math.sin(k / 7));
    data[(1 * N + 29) * L + 17] = NaN; // channel 1, event 29, sample 17
    await h5wasm.ready;
    const f = new h5wasm.File(path, "w");
    f.create_group("events").create_dataset({name: "event", data, shape: [C, N, L]});
    f.close();
    const errors = [];
    for (const [threads, readers] of [[1, "main"], [2, "main"], [2, "workers"]] as const) {
      const out = join(dir, `nan${threads}-${readers}.parquet`);
      const e = await withReaders(readers, () => writeFeatures(path, out, {threads, chunkEvents: 4})).then(() => null, (e: Error) => e);
      expect(e).toBeInstanceOf(DataFileError);
      expect(existsSync(out)).toBe(false);
      errors.push(e!.message);
    }
    expect(errors[1]).toBe(`${path} [events/event]: record of event 29, channel 1 holds NaN at sample 17`);
    expect(errors[0]).toBe(errors[1]);
    expect(errors[2]).toBe(errors[1]);
  }, 60_000);

  it("the NPS on a worker: the spectra computed here, to the bit; a NaN sample, the same error naming it", async () => {
    const f = await openCaitFile(run);
    const pool = await FeaturePool.start(run, 2, f.dataset.layout, "workers");
    try {
      const picks = new Map([[0, Int32Array.of(0, 3, 4, 9)], [1, Int32Array.of(3, 5, 9, 11, 19)]]);
      for (const window of ["tukey", "none"] as const) {
        const there = await pool.noiseSpectra("noise", picks, window);
        const here = await noiseSpectra(f, f.dataset.layout, "noise", picks, window);
        for (const c of [0, 1]) {
          expect(there.get(c)!.count).toBe(picks.get(c)!.length);
          expect(Array.from(there.get(c)!.psd_V2_per_Hz).every((v, k) => Object.is(v, here.get(c)!.psd_V2_per_Hz[k])), `${window} ch${c}`).toBe(true);
        }
      }
    } finally {
      await pool.close();
      f.close();
    }
    // nan.h5 of the test above: event 29, channel 1, sample 17.
    const path = join(dir, "nan.h5"), g = await openCaitFile(path);
    const nanPool = await FeaturePool.start(path, 1, g.dataset.layout, "workers");
    try {
      const e = await nanPool.noiseSpectra("events", new Map([[0, Int32Array.of(28, 29)], [1, Int32Array.of(28, 29)]]), "tukey").then(() => null, (e: Error) => e);
      expect(e).toBeInstanceOf(DataFileError);
      expect(e!.message).toBe(`${path} [events/event]: record of event 29, channel 1 holds NaN at sample 17`);
    } finally {
      await nanPool.close();
      g.close();
    }
  }, 60_000);

  it("a NaN sample the records pass meets (features reused from the store): the same error naming it, from the OF or the SEV-fit kernel, whoever reads", async () => {
    // The per-record kernels read without the sample check and fail on a non-finite sample; the
    // pass then names it. Here the features pass cannot see it first: its output is reused from
    // a run on the clean file, whose identity (size, mtime, first MiB) the NaN does not change.
    const path = join(dir, "nan-late.h5");
    copyFileSync(run, path);
    const config = (name: string, extra: string) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, `version: 1\ninput: nan-late.h5\noutput: nan-late\ngroups: [events]\nsev:\n  selection: "label = 1"\nnps:\n  selection: "abs(baseline_slope_V_per_s) < 0.05"\ncalibration: false\n${extra}`);
      return file;
    };
    expect((await processFromFile(config("clean", "sevFit: true\n"), {threads: 1, chunkEvents: 8})).ran).toContain("sevFit");
    await patchNaN(path, "events", 29, 1, 17);
    const want = `${path} [events/event]: record of event 29, channel 1 holds NaN at sample 17`;
    // Another SEV-fit shift: only the SEV fit recomputes; another OF search: the filter and the OF amplitudes.
    for (const [name, extra, stage] of [["fit", "sevFit:\n  maxShift_ms: 4\n", "sevFit"], ["of", "sevFit: true\noptimumFilter:\n  search_ms: [-5, 20]\n", "ofAmplitude"]] as const) {
      for (const [threads, readers] of [[1, "main"], [2, "main"], [2, "workers"]] as const) {
        const said: string[] = [];
        const e = await withReaders(readers, () => processFromFile(config(name, extra), {threads, chunkEvents: 8, log: (m) => said.push(m)})).then(() => null, (e: Error) => e);
        expect(said.some((m) => /^features: reused /.test(m)), `${stage}, ${threads} threads, ${readers} reads`).toBe(true);
        expect(e?.message, `${stage}, ${threads} threads, ${readers} reads`).toContain(want);
        // Only this stage's kernel read the records: the OF amplitudes were reused (fit); or they
        // were not, with the SEV fit's columns in the store (of: the pass stops at the OF's failure).
        expect(said.some((m) => /^ofAmplitude: reused /.test(m))).toBe(stage === "sevFit");
      }
    }
  }, 180_000);

  it("a NaN sample the shared steps meet (SEV, NPS, the OF's measured resolution; features reused): the error naming it", async () => {
    // The shared steps read their picks without the sample check; each refuses a non-finite
    // sample and the check's error then names it (context.ts forEachSelected).
    const path = join(dir, "nan-shared.h5");
    copyFileSync(run, path);
    const config = (name: string, {sev = "", nps = "", of = ""}) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, `version: 1\ninput: nan-shared.h5\noutput: nan-shared\ngroups: [events]\nsev:\n  selection: "event >= 29"\n${sev}nps:\n  selection: "event >= 0"\n${nps}optimumFilter:\n${of || "  window: true\n"}sevFit: false\ncalibration: false\n`);
      return file;
    };
    const clean = await processFromFile(config("shared-clean", {}), {threads: 1, chunkEvents: 8});
    expect(clean.ran).toEqual(expect.arrayContaining(["features", "sev", "nps", "optimumFilter", "ofAmplitude"]));
    await patchNaN(path, "events", 29, 1, 17);
    await patchNaN(path, "noise", 0, 1, 17);
    for (const [stage, extra, want, done] of [
      ["sev", {sev: "  maxRecords: 10\n"}, "[events/event]: record of event 29", "SEV ch"],
      ["nps", {nps: "  window: none\n"}, "[noise/event]: record of event 0", "NPS ch"],
      ["optimumFilter", {of: "  window: false\n"}, "[noise/event]: record of event 0", "OF ch"]
    ] as const) {
      const said: string[] = [];
      const e = await processFromFile(config(`shared-${stage}`, extra), {threads: 1, chunkEvents: 8, log: (m) => said.push(m)}).then(() => null, (e: Error) => e);
      expect(said.some((m) => /^features: reused /.test(m)), stage).toBe(true);
      expect(e, stage).toBeInstanceOf(Error);
      expect(e!.message, stage).toContain(`${path} ${want}, channel 1 holds NaN at sample 17`);
      // This stage refused the record (it never said its result); the steps before it were reused.
      expect(said.filter((m) => m.startsWith(done)), stage).toEqual([]);
      if (stage !== "sev") expect(said.some((m) => m.startsWith("nps: reused")), stage).toBe(stage === "optimumFilter");
    }
  }, 180_000);

  it("process --threads 1 and 2: the same feature tables (test pulses with their TPA) and SEV", async () => {
    const outputs = [];
    for (const threads of [1, 2]) {
      const config = join(dir, `p${threads}.yaml`);
      writeFileSync(config, `version: 1\ninput: run.h5\noutput: p${threads}\ngroups: [events, testpulses]\nsev:\n  selection: "label = 1"\nnps:\n  selection: "abs(baseline_slope_V_per_s) < 0.05"\noptimumFilter: false\ncalibration: false\nsevFit: false\n`);
      const summary = await processFromFile(config, {threads, chunkEvents: 8});
      expect(summary.ran).toContain("features");
      outputs.push({summary, events: await table(join(summary.output, summary.tables.events!.file)), testpulses: await table(join(summary.output, summary.tables.testpulses!.file))});
    }
    const [one, two] = outputs;
    expect(one.events.columns.event.length).toBe(180);
    expect(one.testpulses.columns.tpa.length).toBe(40);
    expect(new Set(one.testpulses.columns.tpa).size).toBeGreaterThan(1);
    for (const g of ["events", "testpulses"] as const) {
      expect(Object.keys(two[g].columns)).toEqual(Object.keys(one[g].columns));
      for (const [name, values] of Object.entries(one[g].columns)) expect(two[g].columns[name].every((v, i) => Object.is(v, values[i])), `${g} ${name}`).toBe(true);
    }
    expect(two.summary.channels).toEqual(one.summary.channels);
  }, 120_000);

  it("process --threads 1, 2 and 3, read here or in the workers: the same NPS, OF amplitudes and SEV fits, value for value", async () => {
    const outputs = [];
    for (const [threads, chunkEvents, readers] of [[1, 8, "main"], [2, 8, "main"], [3, 7, "main"], [2, 8, "workers"]] as const) {
      const config = join(dir, `of${threads}-${readers}.yaml`);
      writeFileSync(config, `version: 1\ninput: run.h5\noutput: of${threads}-${readers}\ngroups: [events, testpulses, noise]\nsev:\n  selection: "label = 1"\nnps:\n  selection: "abs(baseline_slope_V_per_s) < 0.05"\nsevFit: true\ncalibration: false\n`);
      const said: string[] = [];
      const summary = await withReaders(readers, () => processFromFile(config, {threads, chunkEvents, log: (m) => said.push(m)}));
      expect(summary.ran).toEqual(expect.arrayContaining(["ofAmplitude", "sevFit"]));
      // Both per-record stages in one pass over each group (one read of every record): with
      // workers, on them; in one thread, here.
      expect(said.filter((m) => /^OF amplitudes and SEV fit: \w+ done/.test(m)).length).toBe(3);
      expect(said.filter((m) => / done on worker threads$/.test(m)).length).toBe(threads > 1 ? 3 : 0);
      // The NPS on a worker where the workers read (while this thread averages the SEV), here otherwise.
      expect(said.filter((m) => /^NPS ch\d: \d+ records \(on a worker thread\)$/.test(m)).length).toBe(readers === "workers" ? 2 : 0);
      const tables = Object.fromEntries(await Promise.all((["events", "testpulses", "noise"] as const).map(async (g) => [g, await table(join(summary.output, summary.tables[g]!.file))])));
      outputs.push({...tables, nps: await table(join(summary.output, "nps.parquet"))});
    }
    const [one, ...more] = outputs;
    expect(one.events.columns.of_amplitude_V.length).toBe(180);
    expect(one.events.columns.fit_height_V.filter((v: number) => Number.isFinite(v)).length).toBeGreaterThan(150);
    expect(new Set(one.events.columns.of_amplitude_V).size).toBeGreaterThan(100);
    for (const other of more) {
      for (const g of ["events", "testpulses", "noise", "nps"]) {
        expect(Object.keys(other[g].columns)).toEqual(Object.keys(one[g].columns));
        for (const [name, values] of Object.entries(one[g].columns) as [string, number[]][]) expect(other[g].columns[name].every((v: number, i: number) => Object.is(v, values[i])), `${g} ${name}`).toBe(true);
      }
    }
  }, 180_000);
});
