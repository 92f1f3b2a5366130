// Metadata, never silent defaults (issue 16): a file in amperes at 1.25 MHz keeps its unit,
// rate, trigger and channel names through features → process → Parquet → summary.json; a file
// that says nothing gets cait's defaults, each announced once per run and recorded; disabled
// stages write nothing; a bad config fails before the feature pass, naming file and key.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import h5wasm from "h5wasm/node";
import {createCaitFile} from "../data-loaders/io/node.js";
import {processFromFile} from "../data-loaders/processFile.js";
import {readParquet, readParquetMetadata} from "../data-loaders/io/parquet.js";
import {formatSI, parseUnit, unitColumn, unitOf, voltsColumn} from "../lib/math/units.js";
import {parseProcessConfig} from "../lib/config/processConfig.js";
import {Rng} from "../lib/math/random.js";
import {runPulsebook as cli} from "./support/cli.js";

describe("units: names and printing", () => {
  it("prints values with the SI prefix that shows their digits", () => {
    expect(formatSI(3.2e-9, "A")).toBe("3.20 nA");
    expect(formatSI(1.5e-12, "A")).toBe("1.50 pA");
    expect(formatSI(0.0123, "V")).toBe("12.3 mV");
    expect(formatSI(4.2e-6, "V")).toBe("4.20 µV");
    expect(formatSI(-7.26e-8, "A", 2)).toBe("-73 nA");
    expect(formatSI(0.9997, "V")).toBe("1.00 V");
    expect(formatSI(999.7e-9, "A")).toBe("1.00 µA");
    expect(formatSI(25_000, "Hz")).toBe("25.0 kHz");
    expect(formatSI(1.25e6, "Hz")).toBe("1.25 MHz");
    expect(formatSI(0, "V")).toBe("0 V");
    expect(formatSI(NaN, "A")).toBe("NaN A");
    // Counts have no prefixes.
    expect(formatSI(12.3456, "ADC")).toBe("12.3 ADC counts");
    expect(formatSI(0.004567, "ADC")).toBe("0.00457 ADC counts");
    expect(formatSI(12345.6, "ADC")).toBe("12346 ADC counts");
  });

  it("names columns after the unit and back; volts names stay as they are", () => {
    const names = ["pulse_height_V", "record_var_V2", "baseline_slope_V_per_s", "psd_ch3_V2_per_Hz", "onset_ms", "label", "max_derivative_V_per_ms"];
    expect(names.map((n) => unitColumn(n, "V"))).toEqual(names);
    expect(names.map((n) => unitColumn(n, "A"))).toEqual(["pulse_height_A", "record_var_A2", "baseline_slope_A_per_s", "psd_ch3_A2_per_Hz", "onset_ms", "label", "max_derivative_A_per_ms"]);
    expect(unitColumn("pulse_height_V", "ADC")).toBe("pulse_height_ADC");
    for (const n of names.filter((x) => x.includes("_V"))) expect(voltsColumn(unitColumn(n, "ADC"), "ADC")).toBe(n);
    expect(voltsColumn("onset_ms", "A")).toBeUndefined();
    expect(["V", "V²", "V/s", "V/ms", "ms", ""].map((u) => unitOf(u, "A"))).toEqual(["A", "A²", "A/s", "A/ms", "ms", ""]);
    expect(["volts", "Amperes", "ADC counts", "counts", "A"].map(parseUnit)).toEqual(["V", "A", "ADC", "ADC", "A"]);
    expect(parseUnit("furlongs")).toBeUndefined();
  });

  it("config: the metadata keys are checked, naming the key", () => {
    const parse = (extra: string) => parseProcessConfig(`version: 1\ninput: x.h5\n${extra}`, "/d/run.yaml");
    const c = parse("sampleRate_Hz: 1.25e6\ntriggerIndex: 1024\nunit: amperes\nchannelNames: [TES A, TES B]");
    expect([c.sampleRate_Hz, c.triggerIndex, c.unit, c.channelNames]).toEqual([1.25e6, 1024, "A", ["TES A", "TES B"]]);
    expect(parse("").unit).toBeNull();
    expect(() => parse("unit: furlongs")).toThrow(/run\.yaml: unit must be the unit of the samples, "V", "A", "ADC".*got "furlongs"/);
    expect(() => parse("sampleRate_Hz: -5")).toThrow(/run\.yaml: sampleRate_Hz must be a number > 0, got -5/);
    expect(() => parse("triggerIndex: 10.5")).toThrow(/run\.yaml: triggerIndex must be an integer ≥ 0, got 10.5/);
    expect(() => parse("channelNames: [a, a]")).toThrow(/run\.yaml: channelNames lists "a" twice/);
    expect(() => parse("calibration: {line_keV: 5, amplitude: of_amplitude_mV}")).toThrow(/run\.yaml: calibration\.amplitude must be "pulse_height"/);
  });
});

// A TES-like module: 2 channels in amperes at 1.25 MHz, 4096 samples, trigger at 1024.
const FS = 1.25e6, L = 4096, TRIGGER = 1024, EVENTS = 48, NOISE = 32;
const AMP_A = [50e-9, 20e-9], NOISE_A = 1e-9, OFFSET_A = 3e-6;
const TAU_RISE = 12.5, TAU_DECAY = 250; // samples: 10 µs and 200 µs
const PEAK = (() => { let m = 0; for (let t = 0; t < L; t++) m = Math.max(m, Math.exp(-t / TAU_DECAY) - Math.exp(-t / TAU_RISE)); return m; })();

/** Records channel × event × sample: pulses of height AMP_A·(0.8–1.2) at the trigger (or none), white noise. */
function records(n: number, pulses: boolean, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(2 * n * L);
  for (let e = 0; e < n; e++) {
    const scale = 0.8 + 0.4 * rng.uniform();
    for (let c = 0; c < 2; c++) {
      const a = pulses ? AMP_A[c] * scale / PEAK : 0;
      const base = (c * n + e) * L;
      for (let s = 0; s < L; s++) {
        const t = s - TRIGGER;
        out[base + s] = OFFSET_A + rng.normal(0, NOISE_A) + (t >= 0 ? a * (Math.exp(-t / TAU_DECAY) - Math.exp(-t / TAU_RISE)) : 0);
      }
    }
  }
  return out;
}

/** A TES file through the library's writer, with its metadata (`dead`: noise records all zero). */
async function writeTes(path: string, dead = false): Promise<void> {
  await createCaitFile(path, {
    layout: {sampleFrequency_Hz: FS, recordLength: L, triggerIndex: TRIGGER},
    channelNumbers: [1, 2],
    groups: [{group: "events", count: EVENTS, labels: true}, {group: "noise", count: NOISE}],
    meta: {unit: "A", pretriggerIndex: TRIGGER, channelNames: ["TES A", "TES B"]}
  }, (w) => {
    w.write({group: "events", start: 0, count: EVENTS, nChannels: 2, recordLength: L, samples: records(EVENTS, true, 1), hours: new Float64Array(EVENTS).map((_, i) => i / 100), labels: new Int32Array(2 * EVENTS).fill(1)});
    w.write({group: "noise", start: 0, count: NOISE, nChannels: 2, recordLength: L, samples: dead ? new Float32Array(2 * NOISE * L) : records(NOISE, false, 2), hours: new Float64Array(NOISE).map((_, i) => i / 100)});
  });
}

/** A file as foreign tools write it: records and labels, no metainfo at all (volts-sized pulses). */
async function writeBare(path: string): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(path, "w");
  const scale = (x: Float32Array) => x.map((v) => v * 1e7); // 50 nA → 0.5 "V"
  const events = f.create_group("events");
  events.create_dataset({name: "event", data: scale(records(EVENTS, true, 3)), shape: [2, EVENTS, L], dtype: "<f"});
  events.create_dataset({name: "labels", data: new Float64Array(2 * EVENTS).fill(1), shape: [2, EVENTS], dtype: "<d"});
  f.create_group("noise").create_dataset({name: "event", data: scale(records(NOISE, false, 4)), shape: [2, NOISE, L], dtype: "<f"});
  f.close();
}

const CONFIG = (input: string, output: string, extra = "") => `version: 1
input: ${input}
output: ${output}
groups: [events, noise]
sev:
  selection: "label = 1"
nps:
  selection: "true"
${extra}`;

let dir: string;
const write = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
const table = (path: string) => {
  const t = readParquet(readFileSync(path), path);
  return (c: string) => Array.from(t.getChild(c)!.toArray() as ArrayLike<number>, Number);
};
const median = (x: number[]) => { const s = [...x].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const STACK = /\n\s+at /;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-metadata-"));
  await writeTes(join(dir, "tes.h5"));
  await writeBare(join(dir, "bare.h5"));
}, 60_000);

afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("a file in amperes at 1.25 MHz keeps its unit and rate", () => {
  it("through process: columns, Parquet metadata, summary.json and the log", async () => {
    const logs: string[] = [], warnings: string[] = [];
    const s = await processFromFile(write("tes.yaml", CONFIG("tes.h5", "out-tes")), {log: (m) => logs.push(m), warn: (m) => warnings.push(m), chunkEvents: 8});
    expect(warnings).toEqual([]);
    expect(s.unit).toBe("A");
    expect(s.layout).toEqual({sampleFrequency_Hz: FS, recordLength: L, triggerIndex: TRIGGER});
    expect(s.metadata).toEqual({unit: "A", channelNames: ["TES A", "TES B"], sources: {sampleFrequency_Hz: "file", triggerIndex: "file", unit: "file", channelNames: "file"}, assumed: []});
    const json = JSON.parse(readFileSync(join(dir, "out-tes", "summary.json"), "utf8"));
    expect(json.unit).toBe("A");
    expect(json.layout.sampleFrequency_Hz).toBe(FS);
    expect(json.metadata.assumed).toEqual([]);
    expect(json.channels.map((c: {name: string}) => c.name)).toEqual(["TES A", "TES B"]);
    // Summary numbers are named for the unit, and hold amperes.
    for (const c of [0, 1]) {
      const of = json.channels[c].optimumFilter;
      expect(Object.keys(of)).toEqual(["predictedResolution_A", "measuredResolution_A", "noiseRecords"]);
      // White noise of 1 nA per sample over a ~250-sample pulse: the filter resolves a few tens of pA.
      expect(of.predictedResolution_A).toBeGreaterThan(1e-11);
      expect(of.predictedResolution_A).toBeLessThan(2e-10);
      expect(of.measuredResolution_A / of.predictedResolution_A).toBeGreaterThan(0.6);
      expect(of.measuredResolution_A / of.predictedResolution_A).toBeLessThan(1.6);
      expect(json.channels[c].sev.amplitude_A).toBeGreaterThan(0.7 * AMP_A[c]);
      expect(json.channels[c].sev.amplitude_A).toBeLessThan(1.2 * AMP_A[c]);
    }

    const events = join(dir, "out-tes", "events.parquet");
    const {metadata} = await readParquetMetadata(readFileSync(events), events);
    expect(metadata["pulsebook.unit"]).toBe("A");
    expect(JSON.parse(metadata["pulsebook.layout"])).toEqual({sampleFrequency_Hz: FS, recordLength: L, triggerIndex: TRIGGER});
    expect(JSON.parse(metadata["pulsebook.metadata"]).assumed).toEqual([]);
    const columns = JSON.parse(metadata["pulsebook.columns"]) as {name: string; unit: string}[];
    expect(columns.find((c) => c.name === "pulse_height_A")?.unit).toBe("A");
    expect(columns.find((c) => c.name === "record_var_A2")?.unit).toBe("A²");
    const col = table(events);
    const channel = col("channel");
    // OF amplitudes in amperes: the injected heights, 50 nA and 20 nA ± 20 %, event by event.
    for (const c of [0, 1]) {
      const of = col("of_amplitude_A").filter((_, i) => channel[i] === c);
      expect(median(of) / AMP_A[c]).toBeGreaterThan(0.9);
      expect(median(of) / AMP_A[c]).toBeLessThan(1.1);
    }
    // Times at 1.25 MHz: the pulse starts at the trigger and rises in tens of µs (at cait's
    // assumed 25 kHz they would be 50 times longer).
    const onset = median(col("onset_ms")), rise = median(col("rise_time_ms"));
    expect(Math.abs(onset)).toBeLessThan(0.02);
    expect(rise).toBeGreaterThan(0.005);
    expect(rise).toBeLessThan(0.05);
    const nps = join(dir, "out-tes", "nps.parquet");
    expect(readParquet(readFileSync(nps), nps).schema.fields.map((f) => f.name)).toEqual(["frequency_Hz", "psd_ch0_A2_per_Hz", "psd_ch1_A2_per_Hz"]);
    const npsMeta = (await readParquetMetadata(readFileSync(nps), nps)).metadata;
    expect(npsMeta["pulsebook.unit"]).toBe("A");
    // The log shows the digits: nA and pA, never "0.0000 V".
    expect(logs.join("\n")).toMatch(/SEV ch0: 48 records, amplitude [\d.]+ nA/);
    expect(logs.join("\n")).toMatch(/OF ch1: resolution predicted [\d.]+ pA, measured [\d.]+ pA/);
    expect(logs.join("\n")).not.toMatch(/0\.0000|\bV\b/);
  }, 120_000);

  it("through `pulsebook features`: amperes columns and metadata, no warning", async () => {
    const r = await cli("features", join(dir, "tes.h5"), "--out", join(dir, "tes-features.parquet"), "--quiet");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const bytes = readFileSync(join(dir, "tes-features.parquet"));
    const names = readParquet(bytes, "f").schema.fields.map((f) => f.name);
    expect(names).toContain("pulse_height_A");
    expect(names.filter((n) => /_V(2|_per_|$)/.test(n))).toEqual([]);
    const {metadata} = await readParquetMetadata(bytes, "f");
    expect(metadata["pulsebook.unit"]).toBe("A");
    expect(JSON.parse(metadata["pulsebook.layout"]).sampleFrequency_Hz).toBe(FS);
  }, 240_000);
});

describe("a file that says nothing: cait's defaults, announced once and recorded", () => {
  it("warns once per assumption per run (not per record or chunk) and records what it assumed", async () => {
    const warnings: string[] = [];
    const s = await processFromFile(write("bare.yaml", CONFIG("bare.h5", "out-bare")), {warn: (m) => warnings.push(m), chunkEvents: 4});
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^warning: .*bare\.h5: no sample rate in the file \(metainfo\/sample_frequency\) or the config \(sampleRate_Hz\); assuming cait's default 25\.0 kHz$/);
    expect(warnings[1]).toMatch(/no trigger \(pre-trigger\) index .*\(metainfo\/trigger_index\) or the config \(triggerIndex\); assuming cait's L\/4 = sample 1024 of 4096$/);
    expect(warnings[2]).toMatch(/no unit .*\(metainfo\/unit\) or the config \(unit\); assuming V$/);
    expect(warnings[3]).toMatch(/no channel names .*\(channelNames\); assuming "phonon 0", "light 1"$/);
    expect(s.metadata.assumed).toEqual(["sampleFrequency_Hz", "triggerIndex", "unit", "channelNames"]);
    expect(s.layout).toEqual({sampleFrequency_Hz: 25_000, recordLength: L, triggerIndex: L / 4});
    const events = join(dir, "out-bare", "events.parquet");
    const meta = JSON.parse((await readParquetMetadata(readFileSync(events), events)).metadata["pulsebook.metadata"]);
    expect(meta.sources).toEqual({sampleFrequency_Hz: "assumed", triggerIndex: "assumed", unit: "assumed", channelNames: "assumed"});
    expect(JSON.parse(readFileSync(join(dir, "out-bare", "summary.json"), "utf8")).metadata.assumed).toHaveLength(4);
  }, 120_000);

  it("takes what the config gives (no warning, recorded as config); refuses what the file contradicts", async () => {
    const warnings: string[] = [];
    const given = "sampleRate_Hz: 1250000\ntriggerIndex: 1024\nunit: A\nchannelNames: [left, right]\n";
    const s = await processFromFile(write("given.yaml", CONFIG("bare.h5", "out-given", given)), {warn: (m) => warnings.push(m)});
    expect(warnings).toEqual([]);
    expect(s.metadata.sources).toEqual({sampleFrequency_Hz: "config", triggerIndex: "config", unit: "config", channelNames: "config"});
    expect(s.channels.map((c) => c.name)).toEqual(["left", "right"]);
    expect(readParquet(readFileSync(join(dir, "out-given", "events.parquet")), "e").schema.fields.map((f) => f.name)).toContain("pulse_height_A");
    await expect(processFromFile(write("contra.yaml", CONFIG("tes.h5", "out-contra", "sampleRate_Hz: 25000\n")))).rejects.toThrow(
      /contra\.yaml: sampleRate_Hz is 25000 Hz, but .*tes\.h5 says 1250000 Hz \(metainfo\/sample_frequency\)/);
    await expect(processFromFile(write("late.yaml", CONFIG("bare.h5", "out-late", "triggerIndex: 4096\n")))).rejects.toThrow(/late\.yaml: triggerIndex is 4096, but the records of .*bare\.h5 have 4096 samples/);
    expect(existsSync(join(dir, "out-late"))).toBe(false);
    await expect(processFromFile(write("strict.yaml", CONFIG("bare.h5", "out-strict", "assumeDefaults: false\nunit: V\n")))).rejects.toThrow(
      /strict\.yaml: assumeDefaults is false, but .*bare\.h5 does not give its sample rate \(metainfo\/sample_frequency\), trigger \(pre-trigger\) index \(metainfo\/trigger_index\), channel names \(metainfo\/channel_names\): give sampleRate_Hz, triggerIndex, channelNames in the config/);
    expect(existsSync(join(dir, "out-strict"))).toBe(false);
  }, 120_000);

  it("`pulsebook features` warns once per assumption", async () => {
    const r = await cli("features", join(dir, "bare.h5"), "--out", join(dir, "bare-features.parquet"), "--quiet");
    expect(r.code).toBe(0);
    expect(r.stderr.match(/^warning: /gm)).toHaveLength(4);
    expect(r.stderr).toMatch(/bare\.h5: no sample rate in the file \(metainfo\/sample_frequency\); assuming cait's default 25\.0 kHz/);
  }, 240_000);
});

describe("metainfo the file gets wrong is an error naming the dataset", () => {
  it("unknown unit, names not one per channel, trigger outside the record, non-positive rate", async () => {
    const {openCaitFile} = await import("../data-loaders/io/node.js");
    await h5wasm.ready;
    const cases: [string, (g: ReturnType<InstanceType<typeof h5wasm.File>["create_group"]>) => void, RegExp][] = [
      ["unit", (g) => g.create_dataset({name: "unit", data: "furlongs"}), /\[metainfo\/unit\]: unknown unit "furlongs" \(expected one of V, A, ADC\)/],
      ["names", (g) => g.create_dataset({name: "channel_names", data: ["only one"]}), /\[metainfo\/channel_names\]: expected 2 non-empty names \(one per channel\), found \["only one"\]/],
      ["trigger", (g) => g.create_dataset({name: "trigger_index", data: BigInt64Array.of(64n), shape: [], dtype: "<q"}), /\[metainfo\/trigger_index\]: invalid trigger index 64 \(expected an integer sample index in \[0, 64\)\)/],
      ["rate", (g) => g.create_dataset({name: "sample_frequency", data: Float64Array.of(-1), shape: [], dtype: "<d"}), /\[metainfo\/sample_frequency\]: invalid sample frequency -1/]
    ];
    for (const [name, meta, problem] of cases) {
      const path = join(dir, `badmeta-${name}.h5`);
      const f = new h5wasm.File(path, "w");
      f.create_group("events").create_dataset({name: "event", data: new Float32Array(2 * 3 * 64), shape: [2, 3, 64], dtype: "<f"});
      meta(f.create_group("metainfo"));
      f.close();
      await expect(openCaitFile(path), name).rejects.toThrow(problem);
    }
  });
});

describe("disabled stages write nothing", () => {
  it("optimumFilter: false leaves no optimum-filter.parquet, also where an earlier run wrote one", async () => {
    const out = join(dir, "out-stages");
    await processFromFile(write("all.yaml", CONFIG("tes.h5", "out-stages")));
    expect(existsSync(join(out, "optimum-filter.parquet"))).toBe(true);
    const s = await processFromFile(write("noof.yaml", CONFIG("tes.h5", "out-stages", "optimumFilter: false\n")));
    expect(existsSync(join(out, "optimum-filter.parquet"))).toBe(false);
    expect(s.channels[0].optimumFilter).toBeUndefined();
    expect(readParquet(readFileSync(join(out, "events.parquet")), "e").schema.fields.map((f) => f.name)).not.toContain("of_amplitude_A");
    await processFromFile(write("none.yaml", "version: 1\ninput: tes.h5\noutput: out-none\ngroups: [events, noise]\nsev: false\nnps: false\noptimumFilter: false\n"));
    expect(readdirSync(join(dir, "out-none")).filter((f) => !f.startsWith(".")).sort()).toEqual(["events.parquet", "noise.parquet", "summary.json"]);
  }, 180_000);
});

describe("pulsebook process fails fast and says where", () => {
  it("a selection written for volts on an amperes file: exit 1 naming file and key, before the feature pass", async () => {
    const bad = write("volts.yaml", CONFIG("tes.h5", "out-volts").replace(`"label = 1"`, `"label = 1 AND pulse_height_V > 1e-8"`));
    const r = await cli("process", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/volts\.yaml: sev\.selection selects from the events table of .*tes\.h5: no column pulse_height_V .*holds A: .*pulse_height_A for pulse_height_V/);
    expect(r.stderr).not.toMatch(STACK);
    // Nothing was computed: no stage store, no table.
    expect(existsSync(join(dir, "out-volts", ".store"))).toBe(false);
    expect(existsSync(join(dir, "out-volts", "events.parquet"))).toBe(false);
  }, 240_000);

  it("a later stage that fails: exit 1 naming config, file, stage, config key and channel, no stack trace", async () => {
    // Noise records that are all zero: the noise spectrum is zero, and the filter has nothing to weigh.
    await writeTes(join(dir, "dead.h5"), true);
    const r = await cli("process", write("dead.yaml", CONFIG("dead.h5", "out-dead")));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pulsebook: dead\.yaml → .*dead\.h5: stage optimumFilter \(config key optimumFilter\) failed: channel 0: RangeError: optimumFilter: /m);
    expect(r.stderr).not.toMatch(STACK);
    expect(existsSync(join(dir, "out-dead", "summary.json"))).toBe(false);
  }, 240_000);
});
