// `pulsebook labels import`: label tables written into a cait file's events/labels, read back by
// the reader and by the features command; bad tables refused with the file untouched; and an
// import killed while it writes leaves the old file intact.

import {afterAll, beforeAll, describe, expect, it, vi} from "vitest";
import {spawn} from "node:child_process";
import {createHash} from "node:crypto";
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import h5wasm from "h5wasm/node";
import {createCaitFile, openCaitFile} from "../data-loaders/io/node.js";
import {readParquet} from "../data-loaders/io/parquet.js";
import {CRESST_LIKE, simulateChunk} from "../lib/sim/index.js";
import {writeSimulation} from "../data-loaders/simulate.js";
import {encodeLabelsParquet} from "../lib/labels/parquet.js";
import {encodeLabelsCsv} from "../lib/labels/csv.js";
import type {LabelEntry} from "../lib/labels/book.js";
import {PULSEBOOK_BIN as BIN, runPulsebook as run} from "./support/cli.js";

/** The CLI in this process (no start-up cost): exit code and what it printed on stderr. */
async function runHere(...args: string[]): Promise<{code: number; stderr: string}> {
  const {main} = await import("../data-loaders/cli/main.js");
  const lines: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    return {code: await main(args), stderr: lines.join("\n")};
  } finally {
    spy.mockRestore();
  }
}
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const T = "2026-11-23T07:00:00.000Z";
const entry = (event: number, channel: number, label: number): LabelEntry => ({event, channel, label, author: "t", time: T, note: ""});

async function fileLabels(path: string): Promise<Int32Array | undefined> {
  const f = await openCaitFile(path);
  try {
    return f.readChunk("events", 0, f.count("events")).labels;
  } finally {
    f.close();
  }
}

/** Labels per (event, channel) in a feature table written by the features command. */
function featureLabels(parquetPath: string): Map<string, number> {
  const t = readParquet(new Uint8Array(readFileSync(parquetPath)), parquetPath);
  const ev = t.getChild("event")!, ch = t.getChild("channel")!, lab = t.getChild("label");
  expect(lab, "feature table has a label column").toBeTruthy();
  const out = new Map<string, number>();
  for (let i = 0; i < t.numRows; ++i) out.set(`${ev.get(i)}/${ch.get(i)}`, Number(lab!.get(i)));
  return out;
}

let dir: string;
const N = 24;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-labels-"));
  await writeSimulation(join(dir, "sim.h5"), {events: N, seed: 3});
  // A file without events/labels, as a measured run has before anyone labelled it.
  await createCaitFile(join(dir, "bare.h5"), {layout: CRESST_LIKE.layout, channelNumbers: CRESST_LIKE.channelNumbers, groups: [{group: "events", count: N}]}, (w) => {
    const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: N, seed: 3});
    delete chunk.labels;
    w.write(chunk);
  });
}, 120_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("pulsebook labels import", () => {
  it("writes a Parquet table into existing labels, keeps the others, and the features command reads them", async () => {
    const h5 = join(dir, "sim.h5");
    const before = (await fileLabels(h5))!;
    const entries = [entry(0, 0, 7), entry(1, 0, 7), entry(5, 1, 99), entry(23, 1, 4), entry(2, 0, 0)];
    writeFileSync(join(dir, "l.parquet"), encodeLabelsParquet({arrow, parquet}, entries, "sim"));
    // The simulation's labels are set everywhere: the records whose class the table changes.
    const differ = entries.filter((e) => before[e.channel * N + e.event] !== 0 && before[e.channel * N + e.event] !== e.label).length;
    expect(differ).toBeGreaterThan(1);
    const hash = sha(h5);
    let r = await run("labels", "import", join(dir, "l.parquet"), h5);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${differ} records of ${join(dir, "l.parquet")} already hold another label in the file`);
    expect(r.stderr).toContain("--replace");
    expect(sha(h5)).toBe(hash);
    r = await run("labels", "import", join(dir, "l.parquet"), h5, "--replace");
    expect(r.stderr).toMatch(new RegExp(`wrote 5 labels \\(\\d+ changed, ${differ} of the file's labels replaced\\) into .*sim\\.h5 \\[events/labels\\]`));
    expect(r.code).toBe(0);
    const after = (await fileLabels(h5))!;
    const want = Int32Array.from(before);
    for (const e of entries) want[e.channel * N + e.event] = e.label;
    expect(Array.from(after)).toEqual(Array.from(want));
    // The simulated file's float64 labels stay float64 (cait's simulate_pulses writes them so).
    await h5wasm.ready;
    const f = new h5wasm.File(h5, "r");
    expect((f.get("events/labels") as unknown as {dtype: string}).dtype).toBe("<d");
    f.close();
    // No temporary file left behind.
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);

    const out = join(dir, "sim.parquet");
    expect((await run("features", h5, "--out", out, "--quiet")).code).toBe(0);
    const labels = featureLabels(out);
    for (const e of entries) expect(labels.get(`${e.event}/${e.channel}`)).toBe(e.label);
    expect(labels.get("3/0")).toBe(before[3]);
  }, 120_000);

  it("creates events/labels (int32, cait's class attributes) in a file that has none, from CSV", async () => {
    const h5 = join(dir, "bare.h5");
    expect(await fileLabels(h5)).toBeUndefined();
    writeFileSync(join(dir, "l.csv"), encodeLabelsCsv([entry(4, 0, 1), entry(4, 1, 1), entry(9, 0, 5)]));
    const r = await runHere("labels", "import", join(dir, "l.csv"), h5);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("created");
    const labels = (await fileLabels(h5))!;
    expect(labels.length).toBe(2 * N);
    expect([labels[4], labels[N + 4], labels[9], labels[N + 9]]).toEqual([1, 1, 5, 0]);
    expect(labels.reduce((a, b) => a + b, 0)).toBe(7);
    await h5wasm.ready;
    const f = new h5wasm.File(h5, "r");
    const ds = f.get("events/labels") as unknown as {dtype: string; attrs: {[k: string]: {value: unknown}}};
    expect(ds.dtype).toBe("<i");
    expect(Number(ds.attrs["Squid_Jump"].value)).toBe(4);
    expect(Number(ds.attrs["Test/Control_Pulse"].value)).toBe(2);
    f.close();
    const out = join(dir, "bare.parquet");
    expect((await run("features", h5, "--out", out, "--quiet")).code).toBe(0);
    expect(featureLabels(out).get("9/0")).toBe(5);
  }, 60_000);

  it("refuses a table naming records the file does not have, leaving the file untouched", async () => {
    const h5 = join(dir, "sim.h5");
    const hash = sha(h5);
    writeFileSync(join(dir, "bad.csv"), encodeLabelsCsv([entry(0, 0, 1), entry(N, 0, 1)]));
    let r = await runHere("labels", "import", join(dir, "bad.csv"), h5);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`bad.csv: row 2: event ${N} does not exist (${h5} has ${N} events)`);
    writeFileSync(join(dir, "bad2.csv"), encodeLabelsCsv([entry(0, 2, 1)]));
    r = await runHere("labels", "import", join(dir, "bad2.csv"), h5);
    expect(r.stderr).toContain("row 1: channel 2 does not exist");
    writeFileSync(join(dir, "bad.txt"), "x");
    r = await runHere("labels", "import", join(dir, "bad.txt"), h5);
    expect(r.stderr).toContain('unknown label file type ".txt"');
    r = await runHere("labels", "import", join(dir, "l.csv"));
    expect(r.code).toBe(2);
    expect(sha(h5)).toBe(hash);
  }, 60_000);

  it("--keep keeps the file's differing labels and imports the rest; --replace with --keep is refused", async () => {
    const h5 = join(dir, "keep.h5");
    copyFileSync(join(dir, "bare.h5"), h5);
    // A first analyst's labels, then a second table agreeing on one record, differing on two, new on one.
    writeFileSync(join(dir, "first.csv"), encodeLabelsCsv([entry(0, 0, 1), entry(1, 0, 3), entry(2, 1, 5)]));
    expect((await runHere("labels", "import", join(dir, "first.csv"), h5)).code).toBe(0);
    writeFileSync(join(dir, "second.csv"), encodeLabelsCsv([entry(0, 0, 1), entry(1, 0, 4), entry(2, 1, 0), entry(3, 0, 7)]));
    const hash = sha(h5);
    let r = await runHere("labels", "import", join(dir, "second.csv"), h5);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("2 records of");
    expect(r.stderr).toContain("event 1, channel 0: file Noise, ");
    expect(r.stderr).toContain("second.csv Squid_Jump; event 2, channel 1: file Spike,");
    expect(sha(h5)).toBe(hash);
    r = await runHere("labels", "import", join(dir, "second.csv"), h5, "--replace", "--keep");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--replace and --keep contradict each other");
    r = await runHere("labels", "import", join(dir, "second.csv"), h5, "--keep");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("wrote 2 labels (1 changed, 2 of the file's labels kept)");
    const labels = (await fileLabels(h5))!;
    expect([labels[0], labels[1], labels[N + 2], labels[3]]).toEqual([1, 3, 5, 7]);
    // The same table again changes nothing and conflicts the same way.
    r = await runHere("labels", "import", join(dir, "second.csv"), h5, "--replace");
    expect(r.stderr).toContain("wrote 4 labels (2 changed, 2 of the file's labels replaced)");
    const replaced = (await fileLabels(h5))!;
    expect([replaced[0], replaced[1], replaced[N + 2], replaced[3]]).toEqual([1, 4, 0, 7]);
  }, 60_000);

  it("leaves the old file intact when the import is killed while writing", async () => {
    const h5 = join(dir, "kill.h5");
    await writeSimulation(h5, {events: 120, seed: 5});
    const pristine = join(dir, "kill.pristine");
    copyFileSync(h5, pristine);
    const hash = sha(h5);
    const labelsBefore = (await fileLabels(h5))!;
    const entries = Array.from({length: 120}, (_, e) => entry(e, 0, 12));
    writeFileSync(join(dir, "k.parquet"), encodeLabelsParquet({arrow, parquet}, entries));
    let stoppedMidWrite = false;
    // The write window is short; in the rare case the import finished before it could be
    // stopped, start over from the pristine copy.
    for (let attempt = 0; attempt < 5 && !stoppedMidWrite; ++attempt) {
      copyFileSync(pristine, h5);
      const child = spawn(process.execPath, [BIN, "labels", "import", join(dir, "k.parquet"), h5, "--replace"], {stdio: "ignore"});
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      let tmp: string | undefined;
      const watcher = watch(dir, (_event, name) => {
        if (tmp || !name || !/^\.kill\.h5\.\d+\.[0-9a-f]+\.tmp$/.test(String(name))) return;
        // Freeze the importer the moment its temporary copy appears, then look.
        child.kill("SIGSTOP");
        tmp = join(dir, String(name));
      });
      await Promise.race([exited, new Promise<void>((resolve) => {
        const t = setInterval(() => { if (tmp) { clearInterval(t); resolve(); } }, 1);
      })]);
      watcher.close();
      if (tmp && existsSync(tmp) && sha(h5) === hash) {
        stoppedMidWrite = true;
        child.kill("SIGKILL");
        child.kill("SIGCONT");
      } else {
        child.kill("SIGCONT");
      }
      await exited;
    }
    expect(stoppedMidWrite).toBe(true);
    // The original: same bytes, opens, same labels. The dead importer's temporary file remains.
    expect(sha(h5)).toBe(hash);
    expect(Array.from((await fileLabels(h5))!)).toEqual(Array.from(labelsBefore));
    const leftovers = readdirSync(dir).filter((n) => /^\.kill\.h5\..*\.tmp$/.test(n));
    expect(leftovers).toHaveLength(1);
    // The next import cleans it up and completes.
    const r = await run("labels", "import", join(dir, "k.parquet"), h5, "--replace");
    expect(r.code).toBe(0);
    expect(readdirSync(dir).filter((n) => /^\.kill\.h5\..*\.tmp$/.test(n))).toEqual([]);
    expect(Array.from((await fileLabels(h5))!.subarray(0, 120))).toEqual(Array(120).fill(12));
  }, 120_000);
});
