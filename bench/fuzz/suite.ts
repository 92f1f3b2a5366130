// The fuzz suite: makes the valid inputs, runs each command on them once (the baselines), then
// runs the generated cases and sorts every outcome (harness.ts). Used by `npm run fuzz`
// (run.ts, thousands of cases) and test/fuzz.test.ts (a seeded handful).
import {cpSync, mkdirSync, readFileSync, rmSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {Rng, hashString} from "../../lib/math/random.js";
import {writeSimulation} from "../../data-loaders/simulate.js";
import {h5} from "../../data-loaders/io/node.js";
import {baselines, GENERATORS, materialise, writeBaseExtras, type Base, type Case} from "./cases.js";
import {DEFAULT_LIMITS, Runner, unclearReason, type Limits, type RunResult, type Verdict} from "./harness.js";
import {outputFingerprint} from "./outputs.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const MOCK = join(REPO, "test/fixtures/cait-mock");

/** Byte ranges holding the values of each dataset (found by their own bytes; compressed ones are not found). */
export async function dataRegions(path: string): Promise<[number, number][]> {
  const lib = await h5();
  const bytes = readFileSync(path);
  const file = new lib.File(path, "r");
  const out: [number, number][] = [];
  try {
    const walk = (g: any) => {
      for (const key of g.keys()) {
        const item = g.get(key);
        if (item instanceof lib.Group) walk(item);
        else if (item instanceof lib.Dataset) {
          const v = item.value;
          if (!ArrayBuffer.isView(v)) continue;
          const raw = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
          // Whole (contiguous layout) or one piece per slice of the first axis (chunked by channel).
          const parts = Math.max(1, (item.shape as number[])[0] ?? 1);
          for (const n of [1, parts]) {
            const size = raw.length / n;
            if (!Number.isInteger(size) || size < 8) continue;
            const found: [number, number][] = [];
            for (let i = 0; i < n; i++) {
              const piece = raw.subarray(i * size, (i + 1) * size);
              const probe = piece.subarray(0, Math.min(piece.length, 64));
              const at = bytes.indexOf(probe);
              if (at >= 0 && bytes.indexOf(probe, at + 1) < 0 && bytes.subarray(at, at + piece.length).equals(piece)) found.push([at, at + piece.length]);
            }
            if (found.length === n) {
              out.push(...found);
              break;
            }
          }
        }
      }
    };
    walk(file);
  } finally {
    file.close();
  }
  return out;
}

export async function setupBase(dir: string): Promise<Base> {
  mkdirSync(dir, {recursive: true});
  const sim = join(dir, "sim.h5");
  await writeSimulation(sim, {events: 6, seed: 3, testpulses: 2, noise: 6});
  const cait = join(dir, "cait.h5");
  cpSync(join(MOCK, "mock_001-P_Ch0-L_Ch1.h5"), cait);
  const lib = await h5();
  const f = new lib.File(sim, "r");
  const shape = (f.get("events/event") as any).shape as number[];
  const simLabels = Array.from((f.get("events/labels") as any).value as ArrayLike<number>, Number);
  f.close();
  const raw = join(MOCK, "raw");
  const base: Base = {
    dir, sim, cait, simShape: {channels: shape[0], events: shape[1], L: shape[2]}, simLabels,
    dataRegions: {[sim]: await dataRegions(sim), [cait]: await dataRegions(cait)},
    features: join(dir, "features.parquet"),
    raw: {rdt: join(raw, "mock_001.rdt"), par: join(raw, "mock_001.par"), con: join(raw, "mock_001.con")},
    streams: {ch0: join(raw, "stream_001_Ch0.csmpl"), ch1: join(raw, "stream_001_Ch1.csmpl"), db: join(raw, "stream_001.db"),
      dig: join(raw, "stream_001.dig_stamps"), test: join(raw, "stream_001.test_stamps")},
    repo: REPO
  };
  writeBaseExtras(base);
  return base;
}

export interface Outcome {
  k: number;
  command: string;
  input: string;
  mutation: string;
  expect: Case["expect"];
  verdict: Verdict;
  /** Why unclear, what crashed, what differed. */
  why?: string;
  code: number;
  stderr: string;
  seconds: number;
}

export interface SuiteOptions {
  count: number;
  seed: number;
  /** Commands to fuzz (default all). */
  only?: readonly string[];
  limits?: Limits;
  /** Runner processes working in parallel (default 1). */
  jobs?: number;
  work: string;
  onOutcome?: (o: Outcome, done: number) => void;
}

export interface Table {
  inputs: number; clear: number; unclear: number; crash: number; correct: number; "silently-wrong": number;
  /** Mean seconds per input. */
  seconds: number;
}

/** Per command: counts of each verdict. */
export function tables(outcomes: readonly Outcome[]): {[command: string]: Table} {
  const out: {[command: string]: Table} = {};
  for (const o of outcomes) {
    const t = (out[o.command] ??= {inputs: 0, clear: 0, unclear: 0, crash: 0, correct: 0, "silently-wrong": 0, seconds: 0});
    t.seconds = (t.seconds * t.inputs + o.seconds) / (t.inputs + 1);
    t.inputs++;
    t[o.verdict]++;
  }
  for (const t of Object.values(out)) t.seconds = Math.round(t.seconds * 100) / 100;
  return out;
}

async function judge(c: Case, r: RunResult, dir: string, baseline: Map<string, string>): Promise<{verdict: Verdict; why?: string}> {
  if (r.crash) return {verdict: "crash", why: r.crash};
  if (r.code !== 0) {
    // Absolute paths under the case folder name a file too (the config's input, resolved).
    const why = unclearReason(r, [...c.names, dir]);
    return why ? {verdict: "unclear", why} : {verdict: "clear"};
  }
  // Exit 0: what was written must be right.
  if (c.expect === "reject") {
    const fp = await outputFingerprint(join(dir, c.out)).catch((e) => ({sha: `unreadable: ${e.message}`}));
    if (fp.sha === baseline.get(c.baseline)) return {verdict: "correct", why: "bad input, but the output equals the valid input's"};
    return {verdict: "silently-wrong", why: "exit 0 on an input that must be refused"};
  }
  if (c.judge) {
    const {hdf5Values} = await import("./outputs.js");
    const lib = await h5();
    const file = new lib.File(join(dir, c.out.split("#")[0]), "r");
    try {
      const got = Array.from((file.get("events/labels") as any)?.value ?? [], Number);
      const want = c.judge.labels.values;
      const bad = want.findIndex((w, i) => got[i] !== w);
      if (got.length !== want.length || bad >= 0) return {verdict: "silently-wrong", why: `labels differ at ${bad} (got ${got[bad]}, want ${want[bad]})`};
    } finally {
      file.close();
    }
    void hdf5Values;
    return {verdict: "correct"};
  }
  let fp: {sha: string; summary?: unknown};
  try {
    fp = await outputFingerprint(join(dir, c.out));
  } catch (e) {
    return {verdict: "silently-wrong", why: `exit 0 but the output is unreadable: ${(e as Error).message}`};
  }
  if (fp.sha === "absent") return {verdict: "silently-wrong", why: `exit 0 but ${c.out} was not written`};
  if (fp.sha === baseline.get(c.baseline)) return {verdict: "correct"};
  // A flipped byte in a link name or a group's link storage can take metainfo out of the file
  // (nothing left to read, not a damaged object): the command says so and what it assumes instead.
  if (c.expect === "same" && /^warning: .*; assuming /m.test(r.stderr)) return {verdict: "correct", why: "metadata gone from the file; the command warned what it assumed"};
  if (c.expect === "same") return {verdict: "silently-wrong", why: "exit 0 with output differing from the valid input's, for a change that changes no data"};
  return {verdict: "correct", why: "data changed; output accepted"};
}

/** Runs `count` cases; returns every outcome. */
export async function runSuite(o: SuiteOptions): Promise<{outcomes: Outcome[]; baselines: {[k: string]: string}}> {
  rmSync(o.work, {recursive: true, force: true});
  const base = await setupBase(join(o.work, "base"));
  const runner = new Runner(o.limits ?? DEFAULT_LIMITS);
  const commands = Object.keys(GENERATORS).filter((c) => !o.only || o.only.includes(c));
  const outcomes: Outcome[] = [];
  try {
    // The feature table of the simulated module is an input of cuts and classify-trees.
    const f = await runner.run(["features", base.sim, "--out", base.features, "--quiet"], base.dir);
    if (f.code !== 0) throw new Error(`features on the valid module failed (${f.crash ?? `exit ${f.code}`}): ${f.stderr}`);
    const baseline = new Map<string, string>();
    const needed = new Set(commands.flatMap((c) => Object.keys(baselines(base)).filter((k) => k.startsWith(`${c}:`))));
    for (const [key, b] of Object.entries(baselines(base))) {
      if (!needed.has(key)) continue;
      const dir = join(o.work, "baseline", key.replace(/[^\w]+/g, "-"));
      materialise(b, dir);
      const r = await runner.run(b.argv, dir);
      if (r.code !== 0) throw new Error(`baseline ${key} failed (${r.crash ?? r.code}): ${r.stderr}`);
      baseline.set(key, (await outputFingerprint(join(dir, b.out))).sha);
    }
    // Cases in an interleaved order by share, so that a shorter run still covers every command.
    const total = commands.reduce((s, c) => s + GENERATORS[c].share, 0);
    const plan: string[] = [];
    const credit = Object.fromEntries(commands.map((c) => [c, 0]));
    for (let k = 0; k < o.count; k++) {
      for (const c of commands) credit[c] += GENERATORS[c].share / total;
      const next = commands.reduce((a, b) => (credit[b] > credit[a] ? b : a));
      credit[next] -= 1;
      plan.push(next);
    }
    // `jobs` runners take the cases in turn; outcomes are kept in case order.
    let next = 0;
    const worker = async (runner: Runner) => {
      for (let k = next++; k < plan.length; k = next++) {
        const command = plan[k];
        const rng = new Rng(o.seed, hashString(command), k);
        const c = await GENERATORS[command].gen(base, rng, k, o.seed);
        const dir = join(o.work, "cases", String(k));
        materialise(c, dir);
        const r = await runner.run(c.argv, dir);
        const v = await judge(c, r, dir, baseline);
        const outcome: Outcome = {k, command: c.command, input: c.input, mutation: c.mutation, expect: c.expect, verdict: v.verdict, why: v.why,
          code: r.code, stderr: r.stderr.slice(0, 600), seconds: Math.round(r.seconds * 100) / 100};
        outcomes.push(outcome);
        o.onOutcome?.(outcome, outcomes.length);
        rmSync(dir, {recursive: true, force: true});
      }
    };
    const extra = Array.from({length: Math.max(0, (o.jobs ?? 1) - 1)}, () => new Runner(o.limits ?? DEFAULT_LIMITS));
    try {
      await Promise.all([runner, ...extra].map(worker));
    } finally {
      for (const r of extra) r.stop();
    }
    outcomes.sort((a, b) => a.k - b.k);
    return {outcomes, baselines: Object.fromEntries(baseline)};
  } finally {
    runner.stop();
  }
}

