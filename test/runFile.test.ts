// The run file (lib/config/runFile.ts): validation messages naming the file and the key, the
// rule choosing the run the pages show, the record sample, and on the Node side the errors of
// a run whose input or process config is bad, and the loader-cache key following the choice.

import {afterAll, afterEach, beforeAll, describe, expect, it} from "vitest";
import {mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {chooseRun, parseRunFile, parseSampleRule, recordSample, sampleYaml} from "../lib/config/runFile.js";
import {ConfigError} from "../lib/config/configError.js";
import {sampledEvents} from "../lib/io/recordSample.js";
import {activeRunKey, chosenRunFile} from "../data-loaders/runChoice.js";
import {activeRun, ensureRunInput, runHeader, runProcessConfig} from "../data-loaders/run.js";
import {refreshLoaderCache} from "../data-loaders/pipeline/loaderCache.js";
import type {Dataset} from "../lib/types.js";

const FILE = "/proj/runs/r34.yaml";
const parse = (text: string, file = FILE) => parseRunFile(text, file);
const error = (text: string, file = FILE): string => {
  try {
    parse(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("no error");
};

describe("parseRunFile", () => {
  it("fills the defaults: name from the file, title from the name, paths against the run file's folder, no declared record sample (the published default)", () => {
    const run = parse("version: 1\ninput: ../data/r34.h5\n");
    expect(run).toMatchObject({
      version: 1, source: FILE, name: "r34", title: "r34", input: {kind: "hdf5", path: "/proj/data/r34.h5"},
      process: {kind: "default"}, model: null, publish: {},
      metadata: {sampleRate_Hz: null, triggerIndex: null, unit: null, channelNames: null}
    });
    // pulsebook.yaml names the run after its input.
    expect(parse("version: 1\ninput: data/Run34_all.h5\n", "/proj/pulsebook.yaml").name).toBe("Run34_all");
  });

  it("reads every key", () => {
    const run = parse(`version: 1
name: run34-a
title: "Run 34: module A"
input: {rdt: raw/run34.rdt, par: raw/run34.par, channels: [3, 4]}
process: {sev: {selection: "label = 1"}, sevFit: false}
model: ../models/mine
sampleRate_Hz: 50000
triggerIndex: 2048
unit: amperes
channelNames: [phonon, light]
publish: {records: {random: 1000, seed: 7}}
`);
    expect(run.name).toBe("run34-a");
    expect(run.title).toBe("Run 34: module A");
    expect(run.input).toEqual({kind: "rdt", path: "/proj/runs/raw/run34.rdt", par: "/proj/runs/raw/run34.par", channels: [3, 4]});
    expect(run.process).toEqual({kind: "inline", config: {sev: {selection: "label = 1"}, sevFit: false}});
    expect(run.model).toBe("/proj/models/mine");
    expect(run.metadata).toEqual({sampleRate_Hz: 50000, triggerIndex: 2048, unit: "A", channelNames: ["phonon", "light"]});
    expect(run.publish.records).toEqual({rule: "random", events: 1000, seed: 7});
    expect(parse("version: 1\ninput: a.h5\nprocess: ../process.yaml\n").process).toEqual({kind: "file", path: "/proj/process.yaml"});
  });

  it("says which file and which key is wrong", () => {
    expect(error("input: a.h5\n")).toBe(`${FILE}: version is missing; write \`version: 1\` at the top`);
    expect(error("version: 2\ninput: a.h5\n")).toMatch(/^\/proj\/runs\/r34\.yaml: version is 2, but this Pulsebook reads run file version 1 only/);
    expect(error("version: 1\n")).toMatch(/^\/proj\/runs\/r34\.yaml: input is missing/);
    expect(error("version: 1\nInput: a.h5\n")).toMatch(/: Input is not a known key \(did you mean input\?\)/);
    expect(error("version: 1\ninput: a.h5\nsampleRate_Hz: fast\n")).toBe(`${FILE}: sampleRate_Hz must be a number > 0 (Hz), got "fast"`);
    expect(error("version: 1\ninput: a.h5\ntriggerIndex: 1.5\n")).toBe(`${FILE}: triggerIndex must be an integer ≥ 0, got 1.5`);
    expect(error("version: 1\ninput: a.h5\nunit: furlongs\n")).toMatch(/: unit must be the unit of the samples, "V", "A", "ADC", got "furlongs"$/);
    expect(error("version: 1\ninput: a.h5\nchannelNames: [a, a]\n")).toBe(`${FILE}: channelNames lists "a" twice`);
    expect(error("version: 1\ninput: raw/run.rdt\n")).toMatch(/: input names a raw \.rdt file; write it as `input: \{rdt: raw\/run\.rdt, channels: \[0, 1\]\}`/);
    expect(error("version: 1\ninput: run_Ch0.csmpl\n")).toMatch(/: input names a continuous \.csmpl stream; trigger it first/);
    expect(error("version: 1\ninput: {rdt: run.rdt}\n")).toMatch(/: input\.channels must list the detector channels/);
    expect(error("version: 1\ninput: a.h5\nprocess: {input: other.h5}\n")).toMatch(/: process\.input is set by the run file/);
    expect(error("version: 1\ninput: a.h5\nname: 'my run'\n")).toMatch(/: name must be letters, digits/);
    expect(error("version: 1\ninput: a.h5\npublish: {records: {first: 0}}\n")).toBe(`${FILE}: publish.records.first must be an integer ≥ 1, got 0`);
    expect(error("version: 1\ninput: a.h5\npublish: {records: {random: 10}}\n")).toMatch(/: publish\.records\.seed is missing/);
    expect(error("version: 1\ninput: a.h5\npublish: {records: some}\n")).toMatch(/: publish\.records must be all, \{first: N\}, \{every: K\} or \{random: N, seed: S\}, got "some"/);
    expect(error("version: 1\ninput: a.h5\npublish: {record: all}\n")).toMatch(/: publish\.record is not a known key/);
    expect(error("version: 1\n  input: [\n")).toMatch(/^\/proj\/runs\/r34\.yaml: is not valid YAML \(line \d+, column \d+\)/);
  });
});

describe("the record sample", () => {
  it("parses each form into a RecordSample that sampledEvents follows", () => {
    const total = 1000;
    expect(sampledEvents(total, recordSample("all", FILE)).length).toBe(1000);
    expect(Array.from(sampledEvents(total, recordSample({first: 3}, FILE)))).toEqual([0, 1, 2]);
    expect(Array.from(sampledEvents(total, recordSample({every: 400}, FILE)))).toEqual([0, 400, 800]);
    const random = sampledEvents(total, recordSample({random: 50, seed: 3}, FILE));
    expect(random.length).toBe(50);
    expect(new Set(random).size).toBe(50);
    expect(Array.from(random)).toEqual(Array.from(sampledEvents(total, {rule: "random", events: 50, seed: 3})));
  });

  it("reads the --publish-records text of pulsebook init, and writes what it read back as YAML", () => {
    for (const [text, yaml] of [["all", "all"], ["first:20", {first: 20}], ["every:5", {every: 5}], ["random:100:42", {random: 100, seed: 42}]] as const) {
      const sample = parseSampleRule(text);
      expect(sampleYaml(sample)).toEqual(yaml);
      expect(recordSample(sampleYaml(sample), FILE)).toEqual(sample);
    }
    expect(() => parseSampleRule("first:0")).toThrow(/the count must be ≥ 1/);
    expect(() => parseSampleRule("half")).toThrow(/must be all, first:N, every:K or random:N:SEED/);
  });
});

describe("chooseRun", () => {
  const none = {rootFile: false, runsDir: []};
  it("shows the demo with no run file, pulsebook.yaml before runs/, the only runs/ file", () => {
    expect(chooseRun(undefined, none)).toMatchObject({kind: "demo"});
    expect(chooseRun(undefined, {rootFile: true, runsDir: ["runs/a.yaml"]})).toMatchObject({kind: "file", path: "pulsebook.yaml"});
    expect(chooseRun(undefined, {rootFile: false, runsDir: ["runs/a.yaml"]})).toMatchObject({kind: "file", path: "runs/a.yaml"});
  });

  it("follows PULSEBOOK_RUN: a name, a path, demo; refuses a name it does not know", () => {
    const found = {rootFile: true, runsDir: ["runs/a.yaml", "runs/b.yml"]};
    expect(chooseRun("b", found)).toMatchObject({kind: "file", path: "runs/b.yml", why: "PULSEBOOK_RUN=b"});
    expect(chooseRun("elsewhere/x.yaml", found)).toMatchObject({kind: "file", path: "elsewhere/x.yaml"});
    expect(chooseRun("demo", found)).toMatchObject({kind: "demo"});
    expect(chooseRun("pulsebook", found)).toMatchObject({kind: "file", path: "pulsebook.yaml"});
    expect(() => chooseRun("c", found)).toThrow("PULSEBOOK_RUN=c: no run of that name (no runs/c.yaml); the runs here: pulsebook, a, b, demo");
  });

  it("refuses to guess among several runs/ files", () => {
    expect(() => chooseRun(undefined, {rootFile: false, runsDir: ["runs/a.yaml", "runs/b.yaml"]}))
      .toThrow("2 run files in runs/ (a, b) and none chosen: set PULSEBOOK_RUN=NAME (e.g. PULSEBOOK_RUN=a npm run build), or add pulsebook.yaml");
  });
});

describe("a project with run files (Node side)", () => {
  let root: string;
  const put = (path: string, text: string) => { mkdirSync(dirname(join(root, path)), {recursive: true}); writeFileSync(join(root, path), text); };
  const saved = process.env.PULSEBOOK_RUN;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "pulsebook-runfile-"));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PULSEBOOK_RUN;
    else process.env.PULSEBOOK_RUN = saved;
  });
  afterAll(() => rmSync(root, {recursive: true, force: true}));

  it("fails naming the run file and the input when the input is missing or not cait HDF5; never the demo", async () => {
    put("runs/gone.yaml", "version: 1\ninput: ../data/gone.h5\n");
    const gone = activeRun(root, "gone");
    expect(gone.kind).toBe("run");
    await expect(ensureRunInput(gone)).rejects.toThrow(`run gone (${join(root, "runs/gone.yaml")}): input: ${join(root, "data/gone.h5")} does not exist (key input)`);
    put("data/text.h5", "not an HDF5 file at all\n".repeat(40));
    put("runs/text.yaml", "version: 1\ninput: ../data/text.h5\n");
    await expect(ensureRunInput(activeRun(root, "text"))).rejects.toThrow(/^run text \(.*runs\/text\.yaml\): input: .*data\/text\.h5: not an HDF5 file/);
  });

  it("converts a raw .rdt input once into the reuse store and reads it as the run's file", async () => {
    const raw = fileURLToPath(new URL("./fixtures/cait-mock/raw/", import.meta.url));
    put("runs/rawmock.yaml", `version: 1\ninput: {rdt: ${join(raw, "mock_001.rdt")}, channels: [0, 1]}\n`);
    const active = activeRun(root, "rawmock");
    const first = await ensureRunInput(active);
    expect(first).toMatch(/\.pulsebook\/store\/runs\/rawmock\/input\/[0-9a-f]+\/rawmock\.h5$/);
    const header = await runHeader(active, root);
    // cait's mock run: 8 events, 6 test pulses, 4 noise traces of 2 channels.
    expect(header.groups).toEqual({events: 8, testpulses: 6, noise: 4});
    expect(header.channels).toHaveLength(2);
    const mtime = statSync(first).mtimeMs;
    expect(await ensureRunInput(activeRun(root, "rawmock"))).toBe(first);
    expect(statSync(first).mtimeMs).toBe(mtime);
  }, 60_000);

  it("names the key of an inline process config under process:, in the run file", () => {
    put("runs/bad.yaml", "version: 1\ninput: ../data/x.h5\nprocess: {sev: {selection: 'label = 1; DROP TABLE x'}}\n");
    const active = activeRun(root, "bad");
    if (active.kind !== "run") throw new Error("expected a run");
    const dataset = {path: "x.h5", layout: {sampleFrequency_Hz: 25000, recordLength: 1024, triggerIndex: 256}, channels: [], groups: {events: 10}, hasLabels: false, unit: "V", sources: {}} as unknown as Dataset;
    expect(() => runProcessConfig(active.run, "/x.h5", dataset, root)).toThrow(/^runs\/bad\.yaml: process\.sev\.selection must be a single SQL predicate/);
    put("runs/badfile.yaml", "version: 1\ninput: ../data/x.h5\nprocess: ../process.yaml\n");
    put("process.yaml", "version: 1\nnps: {window: hann}\n");
    const fromFile = activeRun(root, "badfile");
    if (fromFile.kind !== "run") throw new Error("expected a run");
    expect(() => runProcessConfig(fromFile.run, "/x.h5", dataset, root)).toThrow(`runs/badfile.yaml → process process.yaml: nps.window must be "tukey" or "none", got "hann"`);
  });

  it("changes the loader-cache key, and drops cached loader outputs, when the chosen run or its file changes", () => {
    rmSync(join(root, "runs"), {recursive: true, force: true});
    put("runs/a.yaml", "version: 1\ninput: a.h5\n");
    put("runs/b.yaml", "version: 1\ninput: b.h5\n");
    const a = activeRunKey(root, "a"), b = activeRunKey(root, "b");
    expect(a).not.toBe(b);
    expect(activeRunKey(root, "a")).toBe(a);
    expect(() => chosenRunFile(root, undefined)).toThrow(/2 run files in runs\/ \(a, b\) and none chosen/);
    put("runs/a.yaml", "version: 1\ninput: a.h5\ntitle: renamed\n");
    expect(activeRunKey(root, "a")).not.toBe(a);

    // A loader declaring @run is re-run when PULSEBOOK_RUN changes between builds.
    put("src/data/run.json.ts", "// pulsebook-depends: @run\nprocess.stdout.write('{}');\n");
    put("src/data/other.json.ts", "process.stdout.write('{}');\n");
    const cached = (n: string) => put(`src/.observablehq/cache/data/${n}`, "{}");
    process.env.PULSEBOOK_RUN = "a";
    cached("run.json"); cached("other.json");
    refreshLoaderCache({root});
    cached("run.json"); cached("other.json");
    expect(refreshLoaderCache({root}).dropped).toEqual([]);
    process.env.PULSEBOOK_RUN = "b";
    expect(refreshLoaderCache({root}).dropped).toEqual(["src/.observablehq/cache/data/run.json"]);
  });
});
