// Labels are never silently wrong or lost: two `pulsebook labels import` runs into one file keep
// both runs' labels (the file lock serialises them); a lock left by a dead process is taken
// over, one held by a live process is waited for and then refused clearly; bad label values,
// non-decimal record indices and broken CSV quoting are refused naming the file and the row;
// a table exported from another data set is refused unless --force.

import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {spawn, spawnSync, type ChildProcess} from "node:child_process";
import {createHash} from "node:crypto";
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync} from "node:fs";
import {hostname, tmpdir} from "node:os";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import h5wasm from "h5wasm/node";
import {openCaitFile} from "../data-loaders/io/node.js";
import {writeSimulation} from "../data-loaders/simulate.js";
import {acquireFileLock, lockPathOf, readLockOwner, withFileLock} from "../data-loaders/io/fileLock.js";
import {datasetIdOfFile} from "../data-loaders/labels.js";
import {encodeLabelsCsv} from "../lib/labels/csv.js";
import {encodeLabelsParquet} from "../lib/labels/parquet.js";
import type {LabelEntry} from "../lib/labels/book.js";
import {PULSEBOOK_BIN, runMain, runPulsebook} from "./support/cli.js";

const T = "2026-12-05T03:00:00.000Z";
const entry = (event: number, channel: number, label: number): LabelEntry => ({event, channel, label, author: "t", time: T, note: ""});
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

async function fileLabels(path: string): Promise<Int32Array> {
  const f = await openCaitFile(path);
  try {
    return f.readChunk("events", 0, f.count("events")).labels!;
  } finally {
    f.close();
  }
}

/** The pid of a process that has exited (pids are not reused this fast). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {encoding: "utf8"});
  return Number(r.stdout);
}

let dir: string, pristine: string, other: string;
const N = 200;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pulsebook-labels-safety-"));
  pristine = join(dir, "pristine.h5");
  other = join(dir, "other.h5");
  await writeSimulation(pristine, {events: N, seed: 11});
  await writeSimulation(other, {events: N, seed: 12});
}, 120_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** A fresh copy of the simulated file. */
function fresh(name: string): string {
  const h5 = join(dir, name);
  copyFileSync(pristine, h5);
  return h5;
}

describe("concurrent labels import", () => {
  it("two imports started together into one file keep both tables' labels (3 trials)", async () => {
    // Disjoint records with classes the simulation never assigns, so each table's mark is visible.
    const a = Array.from({length: N / 2}, (_, k) => entry(2 * k, 0, 13));
    const b = Array.from({length: N / 2}, (_, k) => entry(2 * k + 1, 1, 17));
    writeFileSync(join(dir, "a.csv"), encodeLabelsCsv(a));
    writeFileSync(join(dir, "b.parquet"), encodeLabelsParquet({arrow, parquet}, b));
    for (let trial = 0; trial < 3; ++trial) {
      const h5 = fresh("together.h5");
      const before = await fileLabels(h5);
      const [ra, rb] = await Promise.all([
        runPulsebook("labels", "import", join(dir, "a.csv"), h5, "--replace"),
        runPulsebook("labels", "import", join(dir, "b.parquet"), h5, "--replace")
      ]);
      expect([ra.code, rb.code, ra.stderr, rb.stderr]).toEqual([0, 0, expect.stringContaining(`wrote ${N / 2} labels`), expect.stringContaining(`wrote ${N / 2} labels`)]);
      const want = Int32Array.from(before);
      for (const e of [...a, ...b]) want[e.channel * N + e.event] = e.label;
      expect(Array.from(await fileLabels(h5)), `trial ${trial}`).toEqual(Array.from(want));
      expect(existsSync(lockPathOf(h5))).toBe(false);
    }
  }, 180_000);

  it("two imports started together that label one record differently: one is written, the other refused against its result (3 trials)", async () => {
    writeFileSync(join(dir, "clear.csv"), encodeLabelsCsv([entry(7, 0, 0)]));
    writeFileSync(join(dir, "c13.csv"), encodeLabelsCsv([entry(7, 0, 13)]));
    writeFileSync(join(dir, "c17.csv"), encodeLabelsCsv([entry(7, 0, 17)]));
    for (let trial = 0; trial < 3; ++trial) {
      const h5 = fresh("contested.h5");
      // Record (7, 0) unlabeled, so either table alone goes in without --replace.
      expect((await runMain(["labels", "import", join(dir, "clear.csv"), h5, "--replace"])).code).toBe(0);
      const rs = await Promise.all([runPulsebook("labels", "import", join(dir, "c13.csv"), h5), runPulsebook("labels", "import", join(dir, "c17.csv"), h5)]);
      expect(rs.map((r) => r.code).sort(), `trial ${trial}`).toEqual([0, 1]);
      const won = rs[0].code === 0 ? 13 : 17, lost = rs[0].code === 0 ? rs[1] : rs[0];
      const [winner, loser] = won === 13 ? ["Stick_Event", "c17.csv"] : ["Cosinus_Tail", "c13.csv"];
      expect(lost.stderr).toContain(`1 record of ${join(dir, loser)} already holds another label in the file (event 7, channel 0: file ${winner}, `);
      expect((await fileLabels(h5))[7]).toBe(won);
      expect(existsSync(lockPathOf(h5))).toBe(false);
    }
  }, 120_000);

  it("an import that starts while another is mid-write waits for it and keeps its labels", async () => {
    // The interleaving that loses an update, made certain: A is frozen after copying the file
    // (its temporary sibling exists), B runs meanwhile, then A resumes and renames its copy.
    const a = [entry(10, 0, 13), entry(11, 1, 13)];
    const b = [entry(20, 0, 17), entry(21, 1, 17)];
    writeFileSync(join(dir, "fa.csv"), encodeLabelsCsv(a));
    writeFileSync(join(dir, "fb.csv"), encodeLabelsCsv(b));
    const h5 = fresh("frozen.h5");
    const before = await fileLabels(h5);
    const start = (table: string) => {
      const child = spawn(process.execPath, [PULSEBOOK_BIN, "labels", "import", join(dir, table), h5, "--replace"], {stdio: ["ignore", "ignore", "pipe"]});
      let stderr = "";
      child.stderr!.on("data", (d) => { stderr += d; });
      const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
      return {child, exited, stderr: () => stderr};
    };
    const until = (ready: () => boolean) => new Promise<void>((resolve) => {
      const t = setInterval(() => { if (ready()) { clearInterval(t); resolve(); } }, 2);
    });
    let frozen = false;
    let A: ReturnType<typeof start> | undefined;
    const watcher = watch(dir, (_event, name) => {
      if (frozen || !A || !/^\.frozen\.h5\.\d+\.[0-9a-f]+\.tmp$/.test(String(name))) return;
      A.child.kill("SIGSTOP");
      frozen = true;
    });
    A = start("fa.csv");
    let aDone = false;
    void A.exited.then(() => { aDone = true; });
    await until(() => frozen || aDone);
    watcher.close();
    expect(frozen, "A was frozen mid-write").toBe(true);
    const B = start("fb.csv");
    let bDone = false;
    void B.exited.then(() => { bDone = true; });
    // B either finishes (no lock: the lost update follows) or says it is waiting for A.
    await until(() => bDone || B.stderr().includes("waiting for"));
    (A.child as ChildProcess).kill("SIGCONT");
    expect([await A.exited, await B.exited]).toEqual([0, 0]);
    const want = Int32Array.from(before);
    for (const e of [...a, ...b]) want[e.channel * N + e.event] = e.label;
    expect(Array.from(await fileLabels(h5))).toEqual(Array.from(want));
    expect(B.stderr()).toContain(`waiting for pid ${A.child.pid} on ${hostname()} to finish writing ${h5}`);
  }, 120_000);

  it("takes over a lock left by a dead process", async () => {
    const h5 = fresh("stale.h5");
    const pid = deadPid();
    writeFileSync(lockPathOf(h5), JSON.stringify({pid, host: hostname(), time: T, token: "dead0000"}));
    writeFileSync(join(dir, "s.csv"), encodeLabelsCsv([entry(5, 0, 14)]));
    const r = await runMain(["labels", "import", join(dir, "s.csv"), h5, "--wait", "5", "--replace"]);
    expect(r.err).toContain("wrote 1 labels");
    expect(r.code).toBe(0);
    expect((await fileLabels(h5))[5]).toBe(14);
    expect(existsSync(lockPathOf(h5))).toBe(false);
    // No lock can be taken in a folder that does not exist: a message, not a stack trace.
    const nowhere = join(dir, "no-such-folder", "x.h5");
    const r2 = await runMain(["labels", "import", join(dir, "s.csv"), nowhere]);
    expect([r2.code, r2.err]).toEqual([1, `pulsebook: ${nowhere}: folder ${join(dir, "no-such-folder")} does not exist`]);
  }, 60_000);

  it("waits for a live holder, then refuses naming it; serialises writers in one process", async () => {
    const h5 = fresh("held.h5");
    const hash = sha(h5);
    const held = await acquireFileLock(h5);
    try {
      expect(readLockOwner(lockPathOf(h5))).toMatchObject({pid: process.pid, host: hostname()});
      writeFileSync(join(dir, "h.csv"), encodeLabelsCsv([entry(6, 0, 14)]));
      const t0 = Date.now();
      const r = await runMain(["labels", "import", join(dir, "h.csv"), h5, "--wait", "0.4"]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`waiting for pid ${process.pid} on ${hostname()} to finish writing ${h5}`);
      expect(r.err).toContain(`pulsebook: ${h5}: another process is writing this file (pid ${process.pid} on ${hostname()}, since ${held.owner.time}); gave up after waiting`);
      expect(r.err).not.toContain("    at ");
      expect(r.err).toContain(`remove ${lockPathOf(h5)}`);
      expect(sha(h5)).toBe(hash);
    } finally {
      held.release();
    }
    expect(existsSync(lockPathOf(h5))).toBe(false);
    // In one process: the second critical section starts only after the first has ended.
    const log: string[] = [];
    const section = (name: string) => withFileLock(h5, async () => {
      log.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      log.push(`${name} out`);
    }, {pollMs: 5});
    await Promise.all([section("a"), section("b")]);
    expect(log).toEqual(["a in", "a out", "b in", "b out"]);
  }, 60_000);
});

describe("label values", () => {
  const H = "# pulsebook labels, format_version 1\nevent,channel,label,author,time,note\n";
  const refuse = async (name: string, content: string | Uint8Array, message: string) => {
    const h5 = join(dir, "values.h5");
    if (!existsSync(h5)) copyFileSync(pristine, h5);
    const hash = sha(h5);
    const path = join(dir, name);
    writeFileSync(path, content);
    const r = await runMain(["labels", "import", path, h5]);
    expect(r.code, name).toBe(1);
    expect(r.err, name).toContain(`${path}: ${message}`);
    expect(sha(h5), name).toBe(hash);
  };

  it("refuses CSV labels outside cait's classes and non-decimal record indices, naming file and row", async () => {
    for (const [k, bad] of ["1e12", "-5", "1.5", "NaN", "Frog", ""].entries()) {
      await refuse(`label${k}.csv`, `${H}0,0,1,a,,\n1,0,${bad},a,,\n`, `row 4: ${JSON.stringify(bad)} is not a cait label class`);
    }
    await refuse("hex.csv", `${H}0x3,0,1,a,,\n`, `row 3: event must be an integer ≥ 0 in decimal digits, got "0x3"`);
    await refuse("exp.csv", `${H}1,1e1,1,a,,\n`, `row 3: channel must be an integer ≥ 0 in decimal digits, got "1e1"`);
    await refuse("neg.csv", `${H}-1,0,1,a,,\n`, `row 3: event must be an integer ≥ 0 in decimal digits, got "-1"`);
    await refuse("frac.csv", `${H}2.0,0,1,a,,\n`, `row 3: event must be an integer ≥ 0 in decimal digits, got "2.0"`);
  }, 60_000);

  it("refuses the same values in Parquet tables", async () => {
    const table = (columns: {[name: string]: arrow.Vector}) =>
      parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(columns), "stream")));
    const ints = (...v: number[]) => arrow.makeVector(Int32Array.from(v));
    for (const [k, bad] of [1e12, -5, 1.5, NaN].entries()) {
      await refuse(`label${k}.parquet`, table({event: ints(0, 1), channel: ints(0, 0), label: arrow.makeVector(Float64Array.of(1, bad))}),
        `row 2: ${JSON.stringify(String(bad))} is not a cait label class`);
    }
    await refuse("label-big.parquet", table({event: ints(0), channel: ints(0), label: arrow.makeVector(BigInt64Array.of(1_000_000_000_000n))}),
      `row 1: "1000000000000" is not a cait label class`);
    await refuse("label-text.parquet", table({event: ints(0), channel: ints(0), label: arrow.vectorFromArray(["NaN"], new arrow.Utf8())}),
      `row 1: "NaN" is not a cait label class`);
    await refuse("event-frac.parquet", table({event: arrow.makeVector(Float64Array.of(0, 2.5)), channel: ints(0, 0), label: ints(1, 1)}),
      "row 2: event must be an integer ≥ 0 in decimal digits, got 2.5");
    await refuse("event-hex.parquet", table({event: arrow.vectorFromArray(["0x3"], new arrow.Utf8()), channel: ints(0), label: ints(1)}),
      `row 1: event must be an integer ≥ 0 in decimal digits, got "0x3"`);
  }, 60_000);

  it("refuses broken CSV quoting instead of swallowing rows", async () => {
    await refuse("unclosed.csv", `${H}0,0,1,a,,"oops\n1,0,2,a,,\n2,0,3,a,,\n`,
      "line 3: quoted field never closed (the quote opened on this line runs to the end of the file)");
    await refuse("stray.csv", `${H}0,0,1,a,,say "hi"\n`, "line 3: quote inside an unquoted field");
    await refuse("after.csv", `${H}0,0,1,a,,"hi"x\n`, "line 3: text after the closing quote of a field");
    await refuse("short.csv", `${H}0,0,1\n`, "line 3: 3 fields, but the header has 6");
    // A note spanning lines is fine, and later rows are named by the line they start on.
    await refuse("multiline.csv", `${H}0,0,1,a,,"two\nlines"\n1,0,Frog,a,,\n`, `row 5: "Frog" is not a cait label class`);
  }, 60_000);
});

describe("labels read from a cait file", () => {
  it("refuses values outside cait's classes in events/labels instead of wrapping them", async () => {
    await h5wasm.ready;
    for (const bad of [1e12, -5, 1.5, NaN]) {
      const h5 = fresh("badcodes.h5");
      const f = new h5wasm.File(h5, "a");
      // float64, as cait's simulated files store labels: channel 1, event 7.
      (f.get("events/labels") as unknown as {write_slice(r: number[][], v: Float64Array): void}).write_slice([[1, 2], [7, 8]], Float64Array.of(bad));
      f.close();
      const file = await openCaitFile(h5);
      try {
        expect(() => file.readChunk("events", 0, 20)).toThrow(`${h5} [events/labels]: label of event 7, channel 1 is ${bad}, not a cait label class`);
        // Chunks not holding the bad record read as before.
        expect(file.readChunk("events", 8, 20).labels).toHaveLength(40);
      } finally {
        file.close();
      }
      // labels import would keep it: refused, the file untouched, even with --replace.
      writeFileSync(join(dir, "one.csv"), encodeLabelsCsv([entry(3, 0, 1)]));
      const hash = sha(h5);
      const r = await runMain(["labels", "import", join(dir, "one.csv"), h5, "--replace"]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`${h5} [events/labels]: label of event 7, channel 1 is ${bad}, not a cait label class (0–20 or 99); not importing`);
      expect(sha(h5)).toBe(hash);
    }
  }, 120_000);
});

describe("data set check", () => {
  it("refuses a table exported from another data set unless --force", async () => {
    const h5 = fresh("mine.h5");
    const hash = sha(h5);
    const path = join(dir, "foreign.csv");
    writeFileSync(path, encodeLabelsCsv([entry(3, 1, 15)], datasetIdOfFile(other)));
    let r = await runMain(["labels", "import", path, h5]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${path}: labels are for data set "${datasetIdOfFile(other)}", but ${h5} is "${datasetIdOfFile(h5)}"`);
    expect(r.err).toContain("not importing (--force imports anyway)");
    expect(sha(h5)).toBe(hash);
    // A table counting another number of records is refused the same way.
    writeFileSync(join(dir, "rows.csv"), encodeLabelsCsv([entry(3, 1, 15)], `features.parquet#${2 * N + 1}rows`));
    r = await runMain(["labels", "import", join(dir, "rows.csv"), h5]);
    expect(r.err).toContain(`labels are for a feature table of ${2 * N + 1} records, but ${h5} has ${N} events × 2 channels = ${2 * N}`);
    expect(sha(h5)).toBe(hash);

    r = await runMain(["labels", "import", path, h5, "--force", "--replace"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`warning (--force): labels are for data set "${datasetIdOfFile(other)}"`);
    expect((await fileLabels(h5))[N + 3]).toBe(15);

    // Its own data set's table goes in without --force.
    const h5b = fresh("own.h5");
    writeFileSync(join(dir, "own.csv"), encodeLabelsCsv([entry(3, 1, 16)], datasetIdOfFile(h5b)));
    r = await runMain(["labels", "import", join(dir, "own.csv"), h5b, "--replace"]);
    expect(r.code).toBe(0);
    expect((await fileLabels(h5b))[N + 3]).toBe(16);
  }, 60_000);
});
