// Lineage and reuse: a stage is recomputed exactly when its source (or a module it imports),
// one of its parameters or one of its inputs changed — and then so are its dependants; a rerun
// with nothing changed computes nothing. Source edits are injected through the source reader,
// so the tree itself is never touched.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, readFileSync, rmSync, utimesSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseProcessConfig, type ProcessConfig} from "../../lib/config/processConfig.js";
import {memoryStore, planChain, runChain, StageError, type Stage} from "../../lib/pipeline/index.js";
import {PROCESS_STAGES} from "../../lib/pipeline/process/index.js";
import {processLineage, processStageVersions, runProcess} from "../../data-loaders/process.js";
import {moduleClosure, sourceVersion} from "../../data-loaders/pipeline/sourceVersion.js";
import {fileStore} from "../../data-loaders/pipeline/store.js";
import {stageManifest} from "../../data-loaders/pipeline/manifest.js";
import {fileIdentity} from "../../data-loaders/provenance.js";
import {writeSimulation} from "../../data-loaders/simulate.js";
import {readParquet} from "../../data-loaders/io/parquet.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ALL = ["features", "nps", "sev", "optimumFilter", "ofAmplitude", "sevFit", "calibration"];

/** A source reader that sees `edits` (repository-relative path → text appended) on top of the tree. */
const editing = (edits: {[path: string]: string}) => (path: string) => {
  const text = readFileSync(path, "utf8");
  const rel = path.slice(ROOT.length);
  return rel in edits ? `${text}\n${edits[rel]}\n` : text;
};

describe("source-derived versions", () => {
  it("follow relative imports inside lib/: mainParameters.ts is part of the features stage only", () => {
    const versions = processStageVersions();
    const edited = processStageVersions(editing({"lib/dsp/mainParameters.ts": "// edited"}));
    expect(Object.keys(versions).sort()).toEqual([...ALL].sort());
    for (const s of ALL) expect(edited[s] !== versions[s], s).toBe(s === "features");
    const features = moduleClosure(PROCESS_STAGES[0].module).map((p) => p.slice(ROOT.length));
    expect(features).toContain("lib/dsp/mainParameters.ts");
    expect(features).not.toContain("lib/dsp/nps.ts");
  });

  it("reach the page through the stage manifest unchanged", () => {
    const m = stageManifest();
    expect(m.stages.map((s) => s.name)).toEqual(ALL);
    expect(Object.fromEntries(m.stages.map((s) => [s.name, s.version]))).toEqual(processStageVersions());
    expect(m.stages[0].module).toBe("lib/pipeline/process/features.ts");
  });

  it("ignore type-only imports and comments", () => {
    const v = sourceVersion(PROCESS_STAGES[0].module);
    // processConfig.ts is imported by the stages for its types only.
    expect(sourceVersion(PROCESS_STAGES[0].module, {read: editing({"lib/config/processConfig.ts": "export const x = 1;"})})).toBe(v);
  });
});

describe("reuse of process stages over the store", () => {
  let dir: string;
  let base: string;
  const config = (extra = ""): ProcessConfig => parseProcessConfig(`version: 1
input: run.h5
output: out
sev:
  selection: ["label = 1 AND pulse_height_V BETWEEN 0.2 AND 1", "label = 1"]
nps:
  selection: "abs(baseline_slope_V_per_s) < 0.05"
sevFit:
  maxShift_ms: ${extra.includes("shift") ? 2 : 3}
calibration:
  amplitude: of_amplitude_V
  line_keV: 5.895
  polyOrder: ${extra.includes("poly") ? 1 : 2}
`, join(dir, "run.yaml"));
  const events = () => readParquet(readFileSync(join(dir, "out", "events.parquet")), "events.parquet");
  const column = (t: ReturnType<typeof events>, c: string) => Array.from(t.getChild(c)!.toArray() as Float64Array);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulsebook-lineage-"));
    await writeSimulation(join(dir, "run.h5"), {events: 200, testpulses: 40, noise: 40, seed: 5});
    base = join(dir, "out");
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it("first run computes every stage; a rerun with nothing changed computes none and writes the same tables", async () => {
    const first = await runProcess(config());
    expect(first.ran).toEqual(ALL);
    const a = events();
    const again = await runProcess(config());
    expect(again.ran).toEqual([]);
    expect(again.lineage).toBe(first.lineage);
    const b = events();
    for (const c of ["pulse_height_V", "of_amplitude_V", "fit_height_V", "energy_keV"]) expect(column(b, c)).toEqual(column(a, c));
    expect(processLineage(config())).toBe(first.lineage);
    const lineages = (first.provenance.inputs as {lineage: {[stage: string]: string}}).lineage;
    for (const s of ALL) expect(JSON.parse(readFileSync(join(base, ".store", s, lineages[s], "stamp.json"), "utf8")).lineage, s).toBe(lineages[s]);
  }, 180_000);

  it("editing one stage's source recomputes that stage and its dependants only", async () => {
    // Keep every lineage here (the default keeps the 3 most recently used per stage).
    const store = fileStore(join(base, ".store"), {keep: Infinity});
    const run = (c: ProcessConfig, o: {readSource?: (p: string) => string} = {}) => runProcess(c, {...o, store});
    const nps = await run(config(), {readSource: editing({"lib/dsp/nps.ts": "// edited"})});
    expect(nps.ran).toEqual(["nps", "optimumFilter", "ofAmplitude", "calibration"]);
    const fit = await run(config(), {readSource: editing({"lib/pipeline/process/sevFit.ts": "// edited"})});
    expect(fit.ran).toEqual(["sevFit", "calibration"]);
    const calib = await run(config(), {readSource: editing({"lib/dsp/lineFit.ts": "// edited"})});
    expect(calib.ran).toEqual(["calibration"]);
    const all = await run(config(), {readSource: editing({"lib/dsp/mainParameters.ts": "// edited"})});
    expect(all.ran).toEqual(ALL);
    // Back to the tree as it is: the store still holds its lineage.
    expect((await run(config())).ran).toEqual([]);
  }, 300_000);

  it("changing one parameter recomputes only the stages that use it", async () => {
    expect((await runProcess(config("shift"))).ran).toEqual(["sevFit", "calibration"]);
    expect((await runProcess(config("shift poly"))).ran).toEqual(["calibration"]);
    expect((await runProcess(config("shift poly"))).ran).toEqual([]);
  }, 180_000);

  it("a new input identity (the file touched) changes every lineage", async () => {
    const before = processLineage(config());
    const t = new Date(Date.now() + 5000);
    utimesSync(join(dir, "run.h5"), t, t);
    expect(processLineage(config())).not.toBe(before);
    expect((await runProcess(config("shift poly"))).ran).toEqual(ALL);
  }, 180_000);
});

describe("lineage of the chain's input", () => {
  // Toy stages: what is hashed, not what is computed.
  type C = {k: number};
  const stage = (name: string, needs: string[], uses: boolean): Stage<C, null, {k?: number}> => ({
    name, module: `mem:${name}`, provides: [name], params: (c) => (uses ? {k: c.k} : {}), needs: () => needs,
    compute: () => ({arrays: {[name]: Float64Array.of(1)}, json: null})
  });
  const stages = [stage("a", [], false), stage("b", ["a"], true), stage("c", ["a"], false)];
  const versions = {a: "1", b: "1", c: "1"};
  const identity = {path: "/data/run.h5", size_bytes: 1000, mtime: "2026-01-01T00:00:00.000Z", sha256_first_MiB: "ab".repeat(32)};

  it("changes when any field of the input identity changes", () => {
    const base = planChain(stages, {k: 1}, versions, identity).stages.map((s) => s.lineage);
    for (const [key, value] of Object.entries({path: "/data/run2.h5", size_bytes: 1001, mtime: "2026-01-01T00:00:01.000Z", sha256_first_MiB: "cd".repeat(32)})) {
      const other = planChain(stages, {k: 1}, versions, {...identity, [key]: value}).stages.map((s) => s.lineage);
      for (let i = 0; i < base.length; i++) expect(other[i], `${key}, stage ${i}`).not.toBe(base[i]);
    }
  });

  it("a stage's version or parameters change it and its dependants only", async () => {
    const lineages = (v: typeof versions, k: number) => Object.fromEntries(planChain(stages, {k}, v, identity).stages.map((s) => [s.stage, s.lineage]));
    const base = lineages(versions, 1);
    const a2 = lineages({...versions, a: "2"}, 1);
    expect(["a", "b", "c"].map((s) => a2[s] !== base[s])).toEqual([true, true, true]);
    const b2 = lineages({...versions, b: "2"}, 1);
    expect(["a", "b", "c"].map((s) => b2[s] !== base[s])).toEqual([false, true, false]);
    const k2 = lineages(versions, 2);
    expect(["a", "b", "c"].map((s) => k2[s] !== base[s])).toEqual([false, true, false]);
    const store = memoryStore();
    const run = (v: typeof versions, k: number) => runChain(stages, {k}, {versions: v, inputIdentity: identity, context: null, store}).then((r) => r.ran);
    expect(await run(versions, 1)).toEqual(["a", "b", "c"]);
    expect(await run(versions, 1)).toEqual([]);
    expect(await run(versions, 2)).toEqual(["b"]);
    expect(await run({...versions, a: "2"}, 2)).toEqual(["a", "b", "c"]);
  });

  it("stages of one pass that both run are computed by one call; one reused leaves the other alone", async () => {
    const calls: string[][] = [];
    const pass = {
      name: "records",
      compute: async (jobs: {stage: string; params: {k?: number}}[]) => {
        calls.push(jobs.map((j) => j.stage));
        return jobs.map((j) => ({arrays: {[j.stage]: Float64Array.of(2)}, json: null}));
      }
    };
    const own = (s: Stage<C, null, {k?: number}>) => ({...s, compute: () => { calls.push([s.name]); return s.compute({}, {}, null); }, pass});
    const passStages = [stage("a", [], false), own(stage("b", ["a"], true)), own(stage("c", ["a"], false))];
    const store = memoryStore();
    const run = (k: number) => runChain(passStages, {k}, {versions, inputIdentity: identity, context: null, store});
    const first = await run(1);
    expect(first.ran).toEqual(["a", "b", "c"]);
    expect(calls).toEqual([["b", "c"]]);
    expect([...first.outputs.get("c")!.arrays.c]).toEqual([2]);
    // b's parameter changed, c is in the store: b alone, by its own compute.
    calls.length = 0;
    expect((await run(2)).ran).toEqual(["b"]);
    expect(calls).toEqual([["b"]]);
    // A pass that fails is said of all its stages.
    const broken = {name: "records", compute: async (): Promise<never> => { throw new Error("no record"); }};
    const failing = passStages.map((s) => (s.name === "a" ? s : {...s, pass: broken}));
    const err = await runChain(failing, {k: 3}, {versions, inputIdentity: identity, context: null, store: memoryStore()}).catch((e) => e);
    expect(err).toBeInstanceOf(StageError);
    expect(err.message).toBe("stage b+c: no record");
  });

  it("stages that do not need each other run at the same time; a failure is the first failed stage in plan order", async () => {
    // b waits for something c gives: run one after the other, b would wait forever.
    let give!: () => void;
    const given = new Promise<void>((resolve) => { give = resolve; });
    const said: string[] = [];
    const waiting = (s: Stage<C, null, {k?: number}>, before?: Promise<void>, after?: () => void): Stage<C, null, {k?: number}> => ({
      ...s, compute: async () => { said.push(`${s.name} starts`); await before; after?.(); said.push(`${s.name} ends`); return s.compute({}, {}, null); }
    });
    const d = stage("d", ["b", "c"], false);
    const concurrent = [stage("a", [], false), waiting(stage("b", ["a"], true), given), waiting(stage("c", ["a"], false), undefined, give), d];
    const run = await runChain(concurrent, {k: 1}, {versions: {...versions, d: "1"}, inputIdentity: identity, context: null, store: memoryStore()});
    expect(said).toEqual(["b starts", "c starts", "c ends", "b ends"]);
    expect(run.ran).toEqual(["a", "b", "c", "d"]);
    expect([...run.outputs.keys()].sort()).toEqual(["a", "b", "c", "d"]);
    // b fails after c has failed: b's error is said, and d (needing both) never runs.
    const failing = (name: string, after: Promise<unknown>) => ({...stage(name, ["a"], false), compute: async () => { await after; throw new Error(`${name} broke`); }});
    const cFails = failing("c", Promise.resolve());
    const bFails = failing("b", new Promise((r) => setTimeout(r, 20)));
    let dRan = false;
    const err = await runChain([stage("a", [], false), bFails, cFails, {...d, compute: () => { dRan = true; return d.compute({}, {}, null); }}], {k: 1},
      {versions: {...versions, d: "1"}, inputIdentity: identity, context: null, store: memoryStore()}).catch((e) => e);
    expect(err).toBeInstanceOf(StageError);
    expect(err.message).toBe("stage b: b broke");
    expect(dRan).toBe(false);
  });

  it("a stage needing a disabled or later stage is refused, naming both", () => {
    expect(() => planChain([stage("b", ["a"], true)], {k: 1}, versions, identity)).toThrow(/stage "b" needs "a"/);
  });

  it("the file store keeps arrays bit for bit, including NaN and negative zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pulsebook-store-"));
    try {
      const store = fileStore(dir);
      const output = {arrays: {x: Float64Array.of(1.5, NaN, -0, 1e-300), i: Int32Array.of(-3, 7), f: Float32Array.of(0.1), u: Uint8Array.of(1, 2, 3)}, json: {n: 3, s: "t"}};
      await store.put("s", "f".repeat(64), output, {stage: "s", lineage: "f".repeat(64), version: "v", params: {}, inputs: {}});
      const back = (await store.get("s", "f".repeat(64)))!;
      expect(back.json).toEqual(output.json);
      for (const [k, a] of Object.entries(output.arrays)) {
        expect(back.arrays[k].constructor).toBe(a.constructor);
        expect(new Uint8Array(back.arrays[k].buffer, back.arrays[k].byteOffset, back.arrays[k].byteLength)).toEqual(new Uint8Array(a.buffer));
      }
      expect(await store.get("s", "e".repeat(64))).toBeUndefined();
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

// fileIdentity is the chain's input identity: it must see a touch.
it("fileIdentity records path, size, mtime and the head's hash", () => {
  const id = fileIdentity(fileURLToPath(import.meta.url));
  expect(id.path).toBe(fileURLToPath(import.meta.url));
  expect(id.sha256_first_MiB).toMatch(/^[0-9a-f]{64}$/);
});
