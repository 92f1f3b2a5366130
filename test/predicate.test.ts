// Predicates are data, not code: the checker refuses what would read files, reach the network,
// start a statement or escape its parentheses, and accepts every predicate the project ships;
// the Node engine is locked down as well; cut files, configs and the CLI name the file and key.

import {describe, expect, it} from "vitest";
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import * as arrow from "apache-arrow";
import {checkPredicate, PredicateError} from "../lib/io/sqlPredicate.js";
import {ConfigError, parseProcessConfig} from "../lib/config/processConfig.js";
import {parseCut} from "../lib/cuts/cut.js";
import {sqlCutQuery} from "../lib/cuts/apply.js";
import {DataFileError} from "../lib/io/errors.js";
import {openFeatureDb} from "../data-loaders/io/sqlSelect.js";
import {encodeParquet} from "../data-loaders/io/parquet.js";
import {writeSimulation} from "../data-loaders/simulate.js";
import {runPulsebook as cli} from "./support/cli.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

// Each attack with a piece of the message that must name what is refused.
const ATTACKS: [string, RegExp][] = [
  ["read_text('/etc/passwd') IS NOT NULL", /function read_text at position 1 is not allowed/],
  ["(SELECT count(*) FROM read_csv('/etc/passwd')) > 0", /subquery \(SELECT at position 2\)/],
  ["read_csv('http://example.com/x.csv') IS NULL", /function read_csv at position 1 is not allowed/],
  ["label = 1 OR glob('/*') IS NULL", /function glob at position 14 is not allowed/],
  ["1=0) OR (1=1", /unbalanced "\)" at position 4/],
  ["label = 1; DROP TABLE features", /";" at position 10 is not allowed/],
  ["label = 1 -- AND pulse_height_V > 1", /comment "--" at position 11/],
  ["label = 1 /* hidden */", /comment "\/\*" at position 11/],
  ["event IN (SELECT event FROM features WHERE label = 1)", /subquery \(SELECT at position 11\)/],
  ["features.label = 1", /table reference features\. at position 1/],
  ["count(*) > 1", /function count at position 1 is not allowed/],
  ["label = 1 label = 2", /unexpected label at position 11/],
  ["(label = 1", /expected "\)", found the end of the predicate/],
  ["label = $1", /character "\$" at position 9/],
  ["CAST(label AS VARCHAR) = '1'", /CAST at position 1 is not allowed/]
];

describe("checkPredicate", () => {
  it.each(ATTACKS)("refuses %s", (predicate, message) => {
    expect(() => checkPredicate(predicate)).toThrow(PredicateError);
    expect(() => checkPredicate(predicate)).toThrow(message);
  });

  it("accepts the operators, functions and forms of the allowed subset, and returns the columns used", () => {
    expect(checkPredicate("onset_ms BETWEEN -5 AND 5")).toEqual(["onset_ms"]);
    expect(checkPredicate("label NOT IN (1, 8) AND NOT (rise_time_ms IS NULL)").sort()).toEqual(["label", "rise_time_ms"]);
    expect(checkPredicate(`CASE WHEN channel = 0 THEN pulse_height_V ELSE 2 * "pulse_height_V" END ^ 2 >= least(1, sqrt(abs(-.5e1)))`).sort()).toEqual(["channel", "pulse_height_V"]);
    expect(checkPredicate("true")).toEqual([]);
    expect(checkPredicate("name = 'it''s; -- fine'")).toEqual(["name"]);
  });

  it("with the table's columns, names an unknown one (case-insensitively, as DuckDB)", () => {
    expect(checkPredicate("LABEL = 1", ["event", "label"])).toEqual(["LABEL"]);
    expect(() => checkPredicate("labl = 1", ["event", "label"])).toThrow("no column labl (position 1) in the feature table; it has event, label");
  });

  it("accepts every predicate the project ships: demo cuts, config docs and tests, page defaults", () => {
    const shipped: string[] = [];
    for (const f of readdirSync(join(ROOT, "src/cuts")).filter((f) => f.endsWith(".cut.json"))) {
      const cut = JSON.parse(readFileSync(join(ROOT, "src/cuts", f), "utf8"));
      if (cut.kind === "sql") shipped.push(cut.where);
    }
    // Quoted values of selection keys in the docs' example config and in the tests' configs.
    for (const file of ["docs/processing-config.md", "test/process.test.ts", "test/processConfig.test.ts"]) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const m of text.matchAll(/(?:selection|lineSelection):\s*(\[[^\]\n]*\]|"[^"\n]*"|\n(?:\s+- "[^"\n]*"\n?)+)/gi)) {
        for (const q of m[1].matchAll(/"([^"]*)"/g)) if (!q[1].includes(";")) shipped.push(q[1]);
      }
    }
    // Defaults of the pages' SQL inputs.
    for (const page of ["src/tutorials/01-first-look.md", "src/tutorials/02-standard-event.md", "src/tools/cuts.md"]) {
      const text = readFileSync(join(ROOT, page), "utf8");
      for (const m of text.matchAll(/Inputs\.text\(\{label: "SQL[^"]*", value: "([^"]*)"/g)) shipped.push(m[1]);
    }
    expect(shipped.length).toBeGreaterThanOrEqual(12);
    for (const p of shipped) expect(() => checkPredicate(p), p).not.toThrow();
  });
});

describe("where predicates are read", () => {
  const cutText = (where: string) => JSON.stringify({format: "pulsebook-cut", format_version: 1, name: "evil", kind: "sql", where, channel: 0});

  it("a cut file names the file, the cut and the offending token", () => {
    expect(() => parseCut(cutText("read_text('/etc/passwd') IS NOT NULL"), "evil.cut.json")).toThrow(DataFileError);
    expect(() => parseCut(cutText("read_text('/etc/passwd') IS NOT NULL"), "evil.cut.json")).toThrow(/^evil\.cut\.json: sql cut "evil": "where" must be a single predicate: function read_text at position 1/);
    expect(() => sqlCutQuery({format: "pulsebook-cut", format_version: 1, name: "raw", kind: "sql", where: "1=0) OR (1=1", channel: 0})).toThrow(/cut "raw".*unbalanced/);
  });

  it("a processing config names the file and the key", () => {
    const config = (selection: string) => `version: 1\ninput: run.h5\nsev:\n  selection: ["label = 1", ${JSON.stringify(selection)}]\n`;
    const err = (text: string) => {
      try {
        parseProcessConfig(text, "/data/run.yaml");
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return "parsed";
    };
    expect(err(config("read_text('/etc/passwd') IS NOT NULL"))).toMatch(/^run\.yaml: sev\.selection\[1\] must be a single SQL predicate: function read_text at position 1 is not allowed/);
    expect(err(config("1=0) OR (1=1"))).toMatch(/^run\.yaml: sev\.selection\[1\] must be a single SQL predicate: unbalanced "\)" at position 4/);
    expect(err("version: 1\ninput: run.h5\ncalibration:\n  line_keV: 5.9\n  lineSelection: \"label = 1 -- x\"\n")).toMatch(/^run\.yaml: calibration\.lineSelection must be a single SQL predicate: comment "--"/);
  });
});

describe("the Node engine", () => {
  const table = arrow.makeTable({event: Int32Array.of(0, 1, 2, 3), channel: Int32Array.of(0, 1, 0, 1), label: Int32Array.of(1, 1, 2, 1)});

  it("selects with a predicate bound to its channel, and refuses one that would escape it", async () => {
    const db = await openFeatureDb(table);
    try {
      expect(Array.from(db.selectEvents("label = 1", {channel: 0}))).toEqual([0]);
      expect(() => db.selectEvents("1=0) OR (1=1", {channel: 0})).toThrow(/unbalanced/);
      expect(() => db.selectEvents("labl = 1", {channel: 0})).toThrow(/no column labl/);
    } finally {
      db.close();
    }
  });

  it("has no file or network access and loads no extensions, even for raw SQL, and fails fast", async () => {
    const db = await openFeatureDb(table);
    try {
      const t0 = Date.now();
      expect(() => db.query(`SELECT * FROM read_text('${join(ROOT, "package.json")}')`)).toThrow(/Permission Error/);
      expect(() => db.query("SELECT * FROM glob('/*')")).toThrow(/Permission Error/);
      expect(() => db.query("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')")).toThrow(/disabled|Permission|extension/i);
      expect(() => db.query("SET enable_external_access = true")).toThrow(/locked/);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      db.close();
    }
  });
});

describe("the CLI refuses an attack with the file named, exit 1, no stack trace, in seconds", () => {
  it("pulsebook cuts and pulsebook process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pulsebook-predicate-"));
    try {
      writeFileSync(join(dir, "f.parquet"), encodeParquet({event: Int32Array.of(0, 1), channel: Int32Array.of(0, 0), pulse_height_V: Float64Array.of(0.1, 0.2)}, {}));
      writeFileSync(join(dir, "evil.cut.json"), JSON.stringify({format: "pulsebook-cut", format_version: 1, name: "evil", kind: "sql", where: "read_csv('http://example.com/x.csv') IS NULL"}));
      let t0 = Date.now();
      const cuts = await cli("cuts", join(dir, "f.parquet"), join(dir, "evil.cut.json"));
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(cuts.code).toBe(1);
      expect(cuts.stderr).toMatch(/evil\.cut\.json: sql cut "evil": "where" must be a single predicate: function read_csv at position 1 is not allowed/);
      expect(cuts.stderr).not.toMatch(/\n\s+at /);

      // The input does not exist: the config is refused before anything is read.
      writeFileSync(join(dir, "run.yaml"), `version: 1\ninput: nope.h5\nnps:\n  selection: "glob('/*') IS NULL"\n`);
      t0 = Date.now();
      const proc = await cli("process", join(dir, "run.yaml"));
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(proc.code).toBe(1);
      expect(proc.stderr).toMatch(/run\.yaml: nps\.selection must be a single SQL predicate: function glob at position 1 is not allowed/);
      expect(proc.stderr).not.toMatch(/\n\s+at /);

      // A column the table lacks is found when the selection runs: still the file and key.
      await writeSimulation(join(dir, "run.h5"), {events: 20, testpulses: 5, noise: 10, seed: 3});
      writeFileSync(join(dir, "cols.yaml"), `version: 1\ninput: run.h5\noutput: out\nnps:\n  selection: "no_such_column > 1"\noptimumFilter: false\ncalibration: false\nsevFit: false\n`);
      const cols = await cli("process", join(dir, "cols.yaml"));
      expect(cols.code).toBe(1);
      expect(cols.stderr).toMatch(/cols\.yaml: nps\.selection selects from the noise table of \S*run\.h5: no column "?no_such_column"?/);
      expect(cols.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  }, 120_000);
});
