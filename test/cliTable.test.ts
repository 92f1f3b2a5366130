// The declarative CLI: help for every command in the table, usage errors naming the option and
// value (exit code 2), docs/cli.md in step with the table, and `pulsebook help` loading no
// heavy module.
import {describe, expect, it} from "vitest";
import {existsSync, readFileSync} from "node:fs";
import {dirname, join, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {COMMANDS, TREE_FEATURE_SETS} from "../data-loaders/cli/commands.js";
import {commandsMarkdown, REGENERATE, withCommandsSection} from "../data-loaders/cli/docs.js";
import {leaves, optionLabel} from "../data-loaders/cli/help.js";
import {parseCommandLine} from "../data-loaders/cli/parse.js";
import type {Command, Option, ValueSpec} from "../data-loaders/cli/spec.js";
import {runMain as run, runPulsebook} from "./support/cli.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COMMAND_LIST = leaves(COMMANDS);

/** A value the option accepts. */
function valid(spec: ValueSpec | {type: "boolean"}): string {
  switch (spec.type) {
    case "boolean": return "";
    case "string": return "x";
    case "integer": return String(spec.min);
    case "number": return String(spec.gt !== undefined ? (spec.le !== undefined ? (spec.gt + spec.le) / 2 : spec.gt + 1) : spec.ge ?? 0);
    case "enum": return spec.values[0];
    case "list": return `${valid(spec.of)},${valid(spec.of)}`;
  }
}

/** A value the option refuses, and the part of it the message must quote; none for free text. */
function invalid(spec: ValueSpec): {arg: string; quoted: string} | undefined {
  switch (spec.type) {
    case "string": return undefined;
    case "integer": return {arg: `${spec.min}.5`, quoted: `${spec.min}.5`};
    case "number": return {arg: "12mV", quoted: "12mV"};
    case "enum": return {arg: "bogus", quoted: "bogus"};
    case "list": {
      const bad = invalid(spec.of);
      return bad && {arg: `${valid(spec.of)},${bad.arg}`, quoted: bad.quoted};
    }
  }
}

/** Positional arguments and every required option, all acceptable. */
function validArgs(command: Command, except?: string): string[] {
  const args = (command.positionals ?? []).map((p) => `arg-${p.name}`);
  for (const [name, o] of Object.entries(command.options)) {
    if (o.required && name !== except) args.push(`--${name}`, valid(o.value));
  }
  return args;
}

const options = (command: Command) => Object.entries(command.options) as [string, Option][];

describe("help from the table", () => {
  it("every command: --help, -h and help NAME print its usage with every option, exit 0", async () => {
    expect(COMMAND_LIST.length).toBeGreaterThanOrEqual(15);
    for (const {path, command} of COMMAND_LIST) {
      for (const argv of [[...path, "--help"], [...path, "-h"], ["help", ...path], [...path, ...validArgs(command), "--help"]]) {
        const r = await run(argv);
        expect(r.code, argv.join(" ")).toBe(0);
        expect(r.out.startsWith(`Usage: pulsebook ${path.join(" ")}`), argv.join(" ")).toBe(true);
        expect(r.out).toContain(command.summary);
        for (const [name, o] of options(command)) expect(r.out, `${argv.join(" ")}: --${name}`).toContain(optionLabel(name, o));
        expect(r.err).toBe("");
      }
    }
  });

  it("the command list names every command with its usage line; a group lists its commands", async () => {
    for (const argv of [[], ["help"], ["--help"]]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      for (const {path, command} of COMMAND_LIST) {
        expect(r.out).toContain(`pulsebook ${path.join(" ")} `);
        expect(r.out).toContain(command.summary.split(" ").slice(0, 4).join(" "));
      }
    }
    const labels = await run(["labels", "--help"]);
    expect(labels.code).toBe(0);
    expect(labels.out).toContain("labels import");
    expect((await run(["help", "labels"])).out).toBe(labels.out);
  });

  it("the real binary answers `pulsebook process --help` (it used to say Unknown option)", async () => {
    const r = await runPulsebook("process", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toContain("Usage: pulsebook process CONFIG.yaml [--step STEP] [--shard I/N] [--shards N] [--threads N] [--quiet]");
  }, 30_000);

  it("shows the classify default model from the constant the code and the pages use", async () => {
    const {DEFAULT_MODEL_DIR} = await import("../data-loaders/ml.js");
    const classify = COMMAND_LIST.find(({path}) => path.join(" ") === "classify")!.command;
    expect(classify.options.model.default).toBe(DEFAULT_MODEL_DIR);
    const shown = relative(ROOT, DEFAULT_MODEL_DIR);
    expect(shown).toBe("models/cnn-full");
    expect(existsSync(join(DEFAULT_MODEL_DIR, "model.json"))).toBe(true);
    const r = await run(["help", "classify"]);
    expect(r.out).toMatch(new RegExp(`--model DIR +the model directory \\(default ${shown}\\)`));
  });

  it("the tree feature sets are the library's", async () => {
    const {FEATURE_SETS} = await import("../lib/ml/trees/treeData.js");
    expect([...TREE_FEATURE_SETS].sort()).toEqual(Object.keys(FEATURE_SETS).sort());
  });
});

describe("usage errors name the option and the value, exit 2", () => {
  it("an unknown option, for every command", async () => {
    for (const {path, command} of COMMAND_LIST) {
      const r = await run([...path, ...validArgs(command), "--no-such-option", "1"]);
      expect(r.code, path.join(" ")).toBe(2);
      expect(r.err).toContain(`unknown option --no-such-option for ${path.join(" ")}`);
      expect(r.err).toContain(`Run "pulsebook help ${path.join(" ")}" for usage.`);
    }
  });

  it("a missing required option, for every required option of every command", async () => {
    let n = 0;
    for (const {path, command} of COMMAND_LIST) {
      for (const [name, o] of options(command)) {
        if (!o.required) continue;
        const r = await run([...path, ...validArgs(command, name)]);
        expect(r.code, `${path.join(" ")} without --${name}`).toBe(2);
        expect(r.err).toMatch(new RegExp(`pulsebook: --${name}\\b.* is required`));
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(10);
  });

  it("a bad value, for every checked option of every command", async () => {
    let n = 0;
    for (const {path, command} of COMMAND_LIST) {
      for (const [name, o] of options(command)) {
        if (o.value.type === "boolean") {
          const r = await run([...path, ...validArgs(command), `--${name}=yes`]);
          expect(r.code).toBe(2);
          expect(r.err).toContain(`--${name} takes no value, got "yes"`);
          continue;
        }
        const bad = invalid(o.value);
        if (!bad) continue;
        const r = await run([...path, ...validArgs(command, name), `--${name}`, bad.arg]);
        expect(r.code, `${path.join(" ")} --${name} ${bad.arg}`).toBe(2);
        expect(r.err).toContain(`--${name}`);
        expect(r.err).toContain(`"${bad.quoted}"`);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(40);
  });

  it("a missing value, a forgotten value, missing or extra arguments, an unknown command", async () => {
    expect(await run(["simulate", "--events", "3", "--out"])).toMatchObject({code: 2, err: expect.stringContaining("--out needs a value (FILE.h5)")});
    expect(await run(["simulate", "--out", "--events", "3"])).toMatchObject({code: 2, err: expect.stringContaining(`--out needs a value (FILE.h5), got the option "--events"`)});
    expect(await run(["simulate", "--events", "3", "--out", "x.h5", "extra.h5"])).toMatchObject({code: 2, err: expect.stringContaining(`simulate takes no arguments, got "extra.h5"`)});
    expect(await run(["features", "--out", "x.parquet"])).toMatchObject({code: 2, err: expect.stringContaining("features expects IN.h5, got none")});
    expect(await run(["cuts", "f.parquet"])).toMatchObject({code: 2, err: expect.stringContaining(`cuts expects FEATURES.parquet CUT.cut.json…, got "f.parquet"`)});
    expect(await run(["labels"])).toMatchObject({code: 2, err: expect.stringContaining("labels needs a command (known: import, merge)")});
    expect(await run(["labels", "export"])).toMatchObject({code: 2, err: expect.stringContaining(`unknown labels command "export" (known: import, merge)`)});
    expect(await run(["help", "frobnicate"])).toMatchObject({code: 2, err: expect.stringContaining(`no command "frobnicate"`)});
    expect(await run(["anomaly-search", "--R", "-1", "--out", "x.json"])).toMatchObject({code: 2, err: expect.stringContaining(`--R must be a number ≥ 0, got "-1"`)});
    expect(await run(["trigger", "a.csmpl", "b.csmpl", "--of", "f.h5", "--threshold", "0.003", "--out", "o.h5"])).toMatchObject({code: 2, err: expect.stringContaining("--threshold gives 1 values for 2 streams")});
  });
});

describe("parsing", () => {
  const train = COMMAND_LIST.find(({path}) => path[0] === "train")!.command;

  it("fills defaults, parses lists and keeps empty list entries (a file's own labels)", () => {
    const {values} = parseCommandLine(train, ["train"], ["--data", "a.h5,b.h5", "--labels", ",B.csv", "--out", "m", "--backend", "wasm,cpu", "--lr", "1e-3"]);
    expect(values).toMatchObject({data: ["a.h5", "b.h5"], labels: ["", "B.csv"], backend: ["wasm", "cpu"], lr: 0.001, "events-per-module": 1000, holdout: 0.25, quiet: false});
    expect(values["validation-modules"]).toBeUndefined();
    // Model, epochs and batch depend on --init (a fresh network or fine-tuning): trainCommand fills them.
    expect([values.model, values.epochs, values.batch]).toEqual([undefined, undefined, undefined]);
    const anomaly = COMMAND_LIST.find(({path}) => path[0] === "anomaly-search")!.command;
    expect(parseCommandLine(anomaly, ["anomaly-search"], ["--out", "o.json", "--exposures", "2, 20", "--sigma=3e-46"]).values)
      .toMatchObject({exposures: [2, 20], sigma: 3e-46, R: 100, null: 10000});
    const convert = COMMAND_LIST.find(({path}) => path[0] === "convert")!.command;
    expect(parseCommandLine(convert, ["convert"], ["run.rdt", "--channels", "0, 1", "--no-con"]).values)
      .toMatchObject({channels: [0, 1], "no-con": true, con: undefined, quiet: false});
  });

  it("the commandLine handed to handlers is what was typed (provenance of written files)", () => {
    const features = COMMAND_LIST.find(({path}) => path[0] === "features")!.command;
    expect(parseCommandLine(features, ["features"], ["in.h5", "--out", "f.parquet"]).commandLine).toBe("pulsebook features in.h5 --out f.parquet");
  });
});

describe("docs/cli.md", () => {
  it("its command reference is the one generated from the table", () => {
    const path = join(ROOT, "docs", "cli.md");
    const doc = readFileSync(path, "utf8");
    const regenerated = withCommandsSection(doc, commandsMarkdown(COMMANDS));
    expect(doc, `docs/cli.md's command reference differs from data-loaders/cli/commands.ts: run \`${REGENERATE}\``).toBe(regenerated);
    // Every command is there, and the hand-written prose outside the region is kept.
    for (const {path: p} of COMMAND_LIST) expect(doc).toContain(`### \`pulsebook ${p.join(" ")}\``);
    expect(doc.slice(doc.indexOf("<!-- commands:end -->"))).toContain("Exit codes: 0 success");
  });
});

describe("`pulsebook help` loads no heavy module", () => {
  /** Every module reached from `file` by static imports (dynamic import() is what handlers use). */
  function staticImports(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
    if (seen.has(file)) return packages;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\bfrom\s+)?["']([^"']+)["']/gm)) {
      const spec = m[1];
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
        staticImports(existsSync(target) ? target : target.replace(/\.ts$/, ".mjs"), seen, packages);
      } else if (!spec.startsWith("node:")) packages.add(spec);
    }
    return packages;
  }

  it("the CLI's static import graph reaches neither TensorFlow.js, DuckDB, HDF5 nor Parquet", () => {
    const packages = [...staticImports(join(ROOT, "data-loaders", "cli", "main.ts"))];
    expect(packages.filter((p) => /tensorflow|duckdb|h5wasm|parquet|arrow/.test(p))).toEqual([]);
    // The walk does see packages: ml.ts, reached statically, would be caught.
    expect([...staticImports(join(ROOT, "data-loaders", "ml.ts"))].some((p) => p.startsWith("@tensorflow"))).toBe(true);
  });
});
