import {describe, expect, it} from "vitest";
import {readFileSync} from "node:fs";
import {resolve} from "node:path";
import {configHash, forChannel, parseProcessConfig, ConfigError, PROCESS_CONFIG_VERSION} from "../lib/config/processConfig.js";

const FILE = "/data/runs/run.yaml";
const parse = (text: string, file = FILE) => parseProcessConfig(text, file);
const err = (text: string, file = FILE) => {
  try {
    parse(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("parseProcessConfig", () => {
  it("fills defaults and resolves paths against the config's folder", () => {
    const c = parse("version: 1\ninput: raw/bck_001.h5\n");
    expect(c.version).toBe(PROCESS_CONFIG_VERSION);
    expect(c.source).toBe("/data/runs/run.yaml");
    expect(c.input).toBe("/data/runs/raw/bck_001.h5");
    expect(c.output).toBe("/data/runs/run.out");
    expect(c.groups).toEqual(["events", "testpulses", "noise"]);
    expect(c.channels).toBe("all");
    expect(c.features.enabled).toBe(true);
    expect(c.sev).toEqual({enabled: true, group: "events", selection: "label = 1", align: true, maxRecords: null});
    expect(c.nps).toEqual({enabled: true, group: "noise", selection: "true", window: "tukey"});
    expect(c.optimumFilter).toEqual({enabled: true, window: true, search_ms: null});
    expect(c.sevFit.enabled).toBe(false);
    expect(c.calibration.enabled).toBe(false);
    expect(c.calibration.line_keV).toBeNull();
    expect(c.trigger).toEqual({enabled: false, threshold_sigma: 5, noise_rate_Hz: null, deadTime_ms: 0});
    expect(parse("version: 1\ninput: /abs/x.h5\noutput: ../out\n").output).toBe("/data/out");
  });

  it("reads a full config (YAML and the same as JSON)", () => {
    const yaml = `
version: 1
input: bck.h5
output: processed/
groups: [events, testpulses]
channels: [0, 1]
features: true
sev:
  selection: ["label = 1 AND pulse_height_V BETWEEN 0.4 AND 0.6", "label = 1"]
  align: false
  maxRecords: 500
nps: {group: noise, window: none}
optimumFilter: {window: false, search_ms: [-20, 20]}
sevFit: {baselineOrder: 1, truncationLevel_V: [2.5, null]}
calibration:
  polyOrder: interpolate
  line_keV: 5.895
  lineSelection: "pulse_height_V BETWEEN 0.4 AND 0.6"
  interpolation: linear
  medianWindow: 3
  maxGap_h: 0.25
trigger: {noise_rate_Hz: 0.01, deadTime_ms: 655}
`;
    const c = parse(yaml);
    expect(c.output).toBe("/data/runs/processed");
    expect(c.groups).toEqual(["events", "testpulses"]);
    expect(c.channels).toEqual([0, 1]);
    expect(forChannel(c.sev.selection, 0)).toContain("BETWEEN");
    expect(c.sev.maxRecords).toBe(500);
    expect(c.optimumFilter).toEqual({enabled: true, window: false, search_ms: [-20, 20]});
    expect(c.sevFit).toEqual({enabled: true, baselineOrder: 1, truncationLevel_V: [2.5, null], maxShift_ms: 5});
    expect(forChannel(c.sevFit.truncationLevel_V, 1)).toBeNull();
    expect(() => forChannel(c.sevFit.truncationLevel_V, 2, "sevFit.truncationLevel_V")).toThrow(/no value for channel 2/);
    expect(c.calibration.enabled).toBe(true);
    expect(c.calibration.polyOrder).toBe("interpolate");
    expect(c.calibration.line_keV).toBe(5.895);
    expect(c.trigger).toEqual({enabled: true, threshold_sigma: null, noise_rate_Hz: 0.01, deadTime_ms: 655});
    const json = JSON.stringify({version: 1, input: "bck.h5", output: "processed/", groups: ["events", "testpulses"], channels: [0, 1], features: true,
      sev: {selection: ["label = 1 AND pulse_height_V BETWEEN 0.4 AND 0.6", "label = 1"], align: false, maxRecords: 500},
      nps: {group: "noise", window: "none"}, optimumFilter: {window: false, search_ms: [-20, 20]},
      sevFit: {baselineOrder: 1, truncationLevel_V: [2.5, null]},
      calibration: {polyOrder: "interpolate", line_keV: 5.895, lineSelection: "pulse_height_V BETWEEN 0.4 AND 0.6", interpolation: "linear", medianWindow: 3, maxGap_h: 0.25},
      trigger: {noise_rate_Hz: 0.01, deadTime_ms: 655}});
    const fromJson = parse(json, "/data/runs/run.json");
    expect(configHash(fromJson)).toBe(configHash(c));
  });

  it("names the file and the exact key of a bad value", () => {
    expect(err("version: 1\ninput: a.h5\ncalibration: {line_keV: 5.9, polyOrder: 5}\n")).toBe('run.yaml: calibration.polyOrder must be 1, 2, 3 or "interpolate", got 5');
    expect(err("version: 1\ninput: a.h5\nsevFit: {truncationLevel_V: [1, -2]}\n")).toBe("run.yaml: sevFit.truncationLevel_V[1] must be a number > 0, got -2");
    expect(err("version: 1\ninput: a.h5\ngroups: [events, pulses]\n")).toMatch(/^run\.yaml: groups\[1\] must be "events", "testpulses" or "noise", got "pulses"$/);
    expect(err("version: 1\ninput: a.h5\noptimumFilter: {search_ms: [20, -20]}\n")).toMatch(/optimumFilter\.search_ms must have from_ms < to_ms/);
    expect(err("version: 1\ninput: a.h5\ntrigger: {threshold_sigma: 5, noise_rate_Hz: 1}\n")).toMatch(/^run\.yaml: trigger sets both/);
    expect(err("version: 1\ninput: a.h5\ncalibration: {polyOrder: 2}\n")).toMatch(/calibration\.line_keV is required/);
    expect(err("version: 1\ninput: a.h5\ncalibration: {line_keV: 5.9, medianWindow: 4}\n")).toMatch(/calibration\.medianWindow must be odd/);
    expect(err("version: 1\ninput: a.h5\nsev: {selection: 'label = 1; DROP TABLE features'}\n")).toMatch(/sev\.selection must be a single SQL predicate/);
    expect(err("version: 1\n")).toBe("run.yaml: input must be a path (string), got nothing");
    expect(err("version: 1\ninput: a.h5\nfeatures: yes please\n")).toMatch(/features must be a mapping/);
  });

  it("rejects unknown keys, with a hint for a wrong case", () => {
    expect(err("version: 1\ninput: a.h5\ncalibration: {polyorder: 2}\n")).toBe("run.yaml: calibration.polyorder is not a known key (did you mean polyOrder?); known here: enabled, tpaSource, amplitude, polyOrder, line_keV, lineSelection, interpolation, medianWindow, maxGap_h");
    expect(err("version: 1\ninput: a.h5\noutptu: x\n")).toMatch(/^run\.yaml: outptu is not a known key/);
  });

  it("checks the version", () => {
    expect(err("input: a.h5\n")).toMatch(/^run\.yaml: version is missing/);
    expect(err("version: 2\ninput: a.h5\nnewThing: 1\n")).toMatch(/^run\.yaml: version is 2, but this Pulsebook reads config version 1 only/);
    expect(err("version: '1'\ninput: a.h5\n")).toBe('run.yaml: version must be 1, got "1"');
  });

  it("reports syntax errors and duplicate keys with their line", () => {
    expect(err("version: 1\ninput: [a.h5\n")).toMatch(/^run\.yaml: is not valid YAML \(line \d+, column \d+\)/);
    expect(err("version: 1\ninput: a.h5\ninput: b.h5\n")).toMatch(/^run\.yaml: is not valid YAML \(line 3/);
    expect(err("{\"version\": 1,}", "/x/run.json")).toMatch(/^run\.json: is not valid JSON/);
    expect(err("")).toMatch(/is empty/);
  });

  it("hashes settings stably: key order does not matter, values do, the file's location does not", () => {
    const a = parse("version: 1\ninput: /d/a.h5\noutput: /d/out\nnps: {window: none, group: noise}\n");
    const b = parse("nps: {group: noise, window: none}\noutput: /d/out\ninput: /d/a.h5\nversion: 1\n", "/elsewhere/copy.yml");
    const c = parse("version: 1\ninput: /d/a.h5\noutput: /d/out\nnps: {window: tukey}\n");
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash(c));
  });

  it("the example in docs/processing-config.md parses", () => {
    const doc = readFileSync(resolve(import.meta.dirname, "../docs/processing-config.md"), "utf8");
    const block = /```yaml\n([\s\S]*?)```/.exec(doc);
    expect(block).not.toBeNull();
    const c = parse(block![1], "/runs/example.yaml");
    expect(c.calibration.enabled).toBe(true);
    // Every key the parser knows is documented.
    for (const key of ["version", "input", "output", "groups", "channels", "sampleRate_Hz", "triggerIndex", "unit", "channelNames", "assumeDefaults", "features", "sev", "nps", "optimumFilter", "sevFit", "calibration", "trigger",
      "selection", "align", "maxRecords", "window", "search_ms", "baselineOrder", "truncationLevel_V", "maxShift_ms", "tpaSource", "amplitude",
      "polyOrder", "line_keV", "lineSelection", "interpolation", "medianWindow", "maxGap_h", "threshold_sigma", "noise_rate_Hz", "deadTime_ms", "enabled"]) {
      expect(doc, key).toContain(`\`${key}\``);
    }
  });
});
