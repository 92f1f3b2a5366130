// `pulsebook labels merge` on real files: three analysts' exports of one simulated run (two
// Parquet, one CSV) merged; the printed kappa equals a kappa computed here from the files' rows,
// the consensus file holds the majority computed here, records its lineage, and `labels import`
// writes it into the run. Files of another run, files without a data set, an output inside the
// folder and an unknown referee are refused with the file named.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createHash} from "node:crypto";
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import {writeSimulation} from "../data-loaders/simulate.js";
import {datasetIdOfFile, readLabelsFile} from "../data-loaders/labels.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import {encodeLabelsParquet, decodeLabelsParquet} from "../lib/labels/parquet.js";
import {encodeLabelsCsv} from "../lib/labels/csv.js";
import type {LabelEntry} from "../lib/labels/book.js";
import {Rng} from "../lib/math/random.js";
import {runMain} from "./support/cli.js";
import {writeFeatures} from "../data-loaders/features.js";
import {agreementData} from "../data-loaders/labelAgreement.js";

const N = 40; // events; 2 channels
let dir: string, labelsDir: string, h5: string, dataset: string;
const rows: {[author: string]: Map<string, number>} = {};

/** A seeded analyst: labels `share` of the records, as `truth` says except a fraction `flip`. */
function analyst(name: string, seed: number, share: number, flip: number): LabelEntry[] {
  const rng = new Rng(seed);
  const out: LabelEntry[] = [];
  const classes = [1, 3, 4, 5];
  for (let event = 0; event < N; ++event) {
    for (let channel = 0; channel < 2; ++channel) {
      const truth = classes[(event * 7 + channel) % 4];
      if (rng.uniform() > share) continue;
      const label = rng.uniform() < flip ? classes[Math.floor(rng.uniform() * 4)] : truth;
      out.push({event, channel, label, author: name, time: `2026-12-0${seed}T08:00:00.000Z`, note: ""});
    }
  }
  rows[name] = new Map(out.map((e) => [`${e.event}/${e.channel}`, e.label]));
  return out;
}

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Cohen's kappa from two label maps, p_e from the class shares of the common records. */
function kappaOf(x: Map<string, number>, y: Map<string, number>): {n: number; kappa: number; disagree: number} {
  const common = [...x.keys()].filter((k) => y.has(k));
  const n = common.length;
  const agree = common.filter((k) => x.get(k) === y.get(k)).length;
  let pe = 0;
  for (const c of new Set(common.flatMap((k) => [x.get(k), y.get(k)]))) {
    pe += (common.filter((k) => x.get(k) === c).length / n) * (common.filter((k) => y.get(k) === c).length / n);
  }
  return {n, kappa: (agree / n - pe) / (1 - pe), disagree: n - agree};
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-merge-"));
  labelsDir = join(dir, "labels");
  mkdirSync(labelsDir);
  h5 = join(dir, "run.h5");
  await writeSimulation(h5, {events: N, seed: 5});
  dataset = datasetIdOfFile(h5);
  // The feature table of the run as labelled (a later test imports labels into run.h5, changing it).
  await writeFeatures(h5, join(dir, "run.parquet"));
  writeFileSync(join(labelsDir, "alice.parquet"), encodeLabelsParquet({arrow, parquet}, analyst("alice", 1, 0.9, 0.1), dataset));
  writeFileSync(join(labelsDir, "bob.parquet"), encodeLabelsParquet({arrow, parquet}, analyst("bob", 2, 0.8, 0.25), dataset));
  writeFileSync(join(labelsDir, "carol.csv"), encodeLabelsCsv(analyst("carol", 3, 0.5, 0.2), dataset));
  writeFileSync(join(labelsDir, "README.md"), "not a label file\n");
}, 120_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("pulsebook labels merge", () => {
  it("prints each pair's kappa and disagreements as computed from the files, and writes the majority consensus with its lineage", async () => {
    const out = join(dir, "consensus.parquet");
    const r = await runMain(["labels", "merge", labelsDir, "--out", out]);
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    for (const [a, b] of [["alice", "bob"], ["alice", "carol"], ["bob", "carol"]]) {
      const k = kappaOf(rows[a], rows[b]);
      expect(k.n).toBeGreaterThan(10);
      expect(r.out).toContain(`${a} vs ${b}: ${k.n} records in common, ${k.disagree} disagree, kappa ${k.kappa.toFixed(3)} [`);
    }
    // Noise (3) against the rest, computed here from the files' rows.
    const noise = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, v === 3 ? 1 : 0]));
    const kn = kappaOf(noise(rows.alice), noise(rows.bob));
    const countOf = (m: Map<string, number>, other: Map<string, number>) => [...m].filter(([k, v]) => other.has(k) && v === 3).length;
    expect(r.out).toMatch(new RegExp(`^ {3}3 Noise +alice ${countOf(rows.alice, rows.bob)}, bob ${countOf(rows.bob, rows.alice)}, both \\d+: kappa ${kn.kappa.toFixed(3)} \\[`, "m"));
    expect(r.out).toMatch(/Fleiss' kappa of all 3 authors on the \d+ records all labelled: \d\.\d{3}/);

    // The majority, computed here: more than half of the authors who labelled the record.
    const want = new Map<string, number>();
    let disagreed = 0;
    for (const key of new Set(Object.values(rows).flatMap((m) => [...m.keys()]))) {
      const votes = Object.values(rows).map((m) => m.get(key)).filter((v): v is number => v !== undefined);
      if (new Set(votes).size > 1) ++disagreed;
      if (votes.length < 2) continue;
      for (const c of new Set(votes)) if (votes.filter((v) => v === c).length * 2 > votes.length) want.set(key, c);
    }
    expect(r.out).toContain(`${disagreed} records disagreed on; consensus (majority)`);
    const decoded = decodeLabelsParquet({arrow, parquet}, new Uint8Array(readFileSync(out)), out);
    expect(new Map(decoded.entries.map((e) => [`${e.event}/${e.channel}`, e.label]))).toEqual(want);
    expect(decoded.dataset).toBe(dataset);
    expect(decoded.entries.every((e) => e.author === "consensus")).toBe(true);
    const lineage = JSON.parse(decoded.metadata.get("pulsebook.lineage")!);
    expect(lineage.rule).toBe("majority");
    expect(lineage.inputs).toEqual(["alice.parquet", "bob.parquet", "carol.csv"].map((f) => ({
      file: f, author: f.replace(/\..*$/, ""), sha256: sha(join(labelsDir, f)), records: rows[f.replace(/\..*$/, "")].size
    })));
    expect(decoded.metadata.get("pulsebook.consensus")).toMatch(/more than half of the authors/);

    // labels import takes the consensus (its data set id is the run's content hash).
    const imported = await runMain(["labels", "import", out, h5, "--replace"]);
    expect(imported.code).toBe(0);
    const f = await openCaitFile(h5);
    const labels = f.readChunk("events", 0, N).labels!;
    f.close();
    for (const [key, c] of want) {
      const [event, channel] = key.split("/").map(Number);
      expect(labels[channel * N + event]).toBe(c);
    }
  }, 60_000);

  it("with a referee, the unresolved records the referee labelled take the referee's class", async () => {
    const out = join(dir, "refereed.parquet");
    const r = await runMain(["labels", "merge", labelsDir, "--rule", "unanimous", "--referee", "carol", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    const got = new Map(readLabelsFile(out).entries.map((e) => [`${e.event}/${e.channel}`, e.label]));
    for (const key of new Set(Object.values(rows).flatMap((m) => [...m.keys()]))) {
      const votes = Object.values(rows).map((m) => m.get(key)).filter((v): v is number => v !== undefined);
      const unanimous = votes.length >= 2 && new Set(votes).size === 1;
      expect(got.get(key), key).toBe(unanimous ? votes[0] : rows.carol.get(key));
    }
  }, 30_000);

  it("refuses a file of another run, a file without a data set, an output inside the folder, and an unknown referee", async () => {
    const other = join(dir, "mixed");
    mkdirSync(other);
    writeFileSync(join(other, "alice.parquet"), readFileSync(join(labelsDir, "alice.parquet")));
    writeFileSync(join(other, "zed.parquet"), encodeLabelsParquet({arrow, parquet}, [{event: 0, channel: 0, label: 1, author: "zed", time: "", note: ""}], "other.h5#0123456789abcdef"));
    let r = await runMain(["labels", "merge", other, "--out", join(dir, "x.parquet")]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`zed.parquet: labels are for data set "other.h5#0123456789abcdef", but ${join(other, "alice.parquet")} is "${dataset}"`);

    rmSync(join(other, "zed.parquet"));
    writeFileSync(join(other, "yan.parquet"), encodeLabelsParquet({arrow, parquet}, [{event: 0, channel: 0, label: 1, author: "yan", time: "", note: ""}]));
    r = await runMain(["labels", "merge", other, "--out", join(dir, "x.parquet")]);
    expect(r.err).toMatch(/yan\.parquet: records no data set id/);

    r = await runMain(["labels", "merge", labelsDir, "--out", join(labelsDir, "consensus.parquet")]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/consensus\.parquet: is inside .*labels: the next merge would read the consensus as an author's labels/);

    r = await runMain(["labels", "merge", labelsDir, "--referee", "dave", "--out", join(dir, "x.parquet")]);
    expect(r.err).toMatch(/--referee dave: no file dave\.parquet \(authors: alice, bob, carol\)/);

    const empty = join(dir, "empty");
    mkdirSync(empty);
    r = await runMain(["labels", "merge", empty, "--out", join(dir, "x.parquet")]);
    expect(r.err).toMatch(/empty: holds no label files \(AUTHOR\.parquet\)/);
  }, 30_000);

  it("the agreement page's loader: the run's files by author, another run's file refused with the reason, no absolute paths", async () => {
    const features = join(dir, "run.parquet");
    const mixed = join(dir, "page-labels");
    mkdirSync(mixed);
    for (const f of ["alice.parquet", "carol.csv"]) writeFileSync(join(mixed, f), readFileSync(join(labelsDir, f)));
    writeFileSync(join(mixed, "zed.parquet"), encodeLabelsParquet({arrow, parquet}, [{event: 0, channel: 0, label: 1, author: "zed", time: "", note: ""}], "other.h5#0123456789abcdef"));
    const d = agreementData(mixed, features, {root: dir});
    expect(d.dataset).toBe(dataset);
    expect(d.example).toBeUndefined();
    expect(d.authors.map((a) => [a.author, a.file, a.event.length])).toEqual([["alice", "page-labels/alice.parquet", rows.alice.size], ["carol", "page-labels/carol.csv", rows.carol.size]]);
    expect(new Map(d.authors[0].event.map((e, i) => [`${e}/${d.authors[0].channel[i]}`, d.authors[0].label[i]]))).toEqual(rows.alice);
    expect(d.refused).toEqual([{file: "page-labels/zed.parquet", reason: `page-labels/zed.parquet: labels are for data set "other.h5#0123456789abcdef", but the run shown is "${dataset}": one labels folder holds the labels of one run`}]);
    expect(JSON.stringify(d)).not.toContain(dir);
    // An empty folder gives the example analysts, from the table's true labels.
    const empty = join(dir, "no-labels");
    mkdirSync(empty);
    const ex = agreementData(empty, features, {root: dir});
    expect(ex.example).toMatch(/^no-labels\/ holds no label files, so two simulated analysts are shown/);
    expect(ex.authors.map((a) => a.author)).toEqual(["example-A", "example-B"]);
    expect(ex.authors[0].event.length).toBeGreaterThan(0);
  }, 60_000);
});
