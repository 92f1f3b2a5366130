// Fuzz inputs for every kind of file `pulsebook` reads, each a small case: the files to write in
// a fresh folder, the command to run on them, and what exit 0 must mean. Mutations are seeded
// (lib/math/random.ts), grammar-like inputs (predicates, label values, YAML values) come from
// fast-check with a seed, so case k of a run is the same every time.
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import * as fc from "fast-check";
import {stringify as yamlStringify} from "yaml";
import {Rng} from "../../lib/math/random.js";
import {encodeLabelsCsv} from "../../lib/labels/csv.js";
import {LABEL_CODES, type LabelEntry} from "../../lib/labels/book.js";
import {encodeParquet} from "../../data-loaders/io/parquet.js";
import {h5} from "../../data-loaders/io/node.js";

/** What exit 0 must produce: the valid input's output, any output (the data changed), or nothing (the input is bad). */
export type Expect = "same" | "changed" | "reject";

export interface Case {
  /** The command as the tables name it ("labels import"). */
  command: string;
  /** The kind of input mutated ("hdf5", "rdt", "yaml", …) and how. */
  input: string;
  mutation: string;
  expect: Expect;
  /** Files to write into the case folder: name → bytes or text. */
  files: {[name: string]: Uint8Array | string | undefined};
  /** Files copied from the base folder (name in the case folder → base path). */
  copies?: {[name: string]: string};
  argv: string[];
  /** What the command writes (relative to the case folder), fingerprinted on exit 0. */
  out: string;
  /** The baseline to compare with (a key of Base.baselines) when exit 0. */
  baseline: string;
  /** Strings of which a clear message names one (the files, datasets, keys, options). */
  names: string[];
  /** Extra judge on exit 0 (labels import: the labels written are the expected ones). */
  judge?: {labels: {channels: number; events: number; values: number[]}};
}

/** The valid inputs every case starts from, made once per run (setup in run.ts). */
export interface Base {
  dir: string;
  /** Simulated module (pulsebook's simulator): path, channels, events, sample regions. */
  sim: string;
  simShape: {channels: number; events: number; L: number};
  simLabels: number[];
  /** cait's own processed mock file (vendored). */
  cait: string;
  /** Byte ranges of each base file holding dataset values (a mutation there changes data). */
  dataRegions: {[path: string]: [number, number][]};
  features: string;
  raw: {rdt: string; par: string; con: string};
  streams: {ch0: string; ch1: string; db: string; dig: string; test: string};
  repo: string;
}

// ---------------------------------------------------------------------------------------------
// Byte mutations

function inRegions(offset: number, regions: [number, number][]): boolean {
  return regions.some(([a, b]) => offset >= a && offset < b);
}

/** k seeded byte changes; half the offsets in the first 16 kB (superblock, headers, B-trees). */
export function mutateBytes(bytes: Uint8Array, rng: Rng, regions: [number, number][] = []): {bytes: Uint8Array; what: string; touchesData: boolean} {
  const out = bytes.slice();
  const k = 1 + rng.int(4);
  const where: string[] = [];
  let touchesData = false;
  for (let i = 0; i < k; i++) {
    const head = rng.uniform() < 0.5;
    const at = head ? rng.int(Math.min(out.length, 16384)) : rng.int(out.length);
    const how = rng.int(4);
    const old = out[at];
    out[at] = how === 0 ? old ^ (1 << rng.int(8)) : how === 1 ? 0xff : how === 2 ? 0 : rng.int(256);
    if (out[at] === old) out[at] = old ^ 0x01;
    if (inRegions(at, regions)) touchesData = true;
    where.push(`${at}:${old.toString(16)}→${out[at].toString(16)}`);
  }
  return {bytes: out, what: `bytes ${where.join(",")}`, touchesData};
}

export function truncate(bytes: Uint8Array, rng: Rng): {bytes: Uint8Array; what: string} {
  const keep = rng.uniform() < 0.3 ? rng.int(Math.min(bytes.length, 4096)) : rng.int(bytes.length);
  return {bytes: bytes.slice(0, keep), what: `truncated to ${keep} of ${bytes.length} B`};
}

// ---------------------------------------------------------------------------------------------
// HDF5 variants built with h5wasm from the simulated module

type Variant = {name: string; expect: Expect; build: (file: any, lib: any, src: any) => void};

/** Copies every dataset of `src` except those `skip` names. */
function copyAll(lib: any, src: any, dst: any, skip: (path: string) => boolean) {
  const walk = (g: any, prefix: string) => {
    for (const key of g.keys()) {
      const path = `${prefix}${key}`;
      const item = g.get(key);
      if (item instanceof lib.Group) {
        if (!skip(path)) walk(item, `${path}/`);
      } else if (item instanceof lib.Dataset && !skip(path)) {
        const [group, name] = path.includes("/") ? [path.slice(0, path.lastIndexOf("/")), path.slice(path.lastIndexOf("/") + 1)] : ["", path];
        const parent = group ? (dst.get(group) ?? dst.create_group(group)) : dst;
        parent.create_dataset({name, data: item.value, shape: item.shape, dtype: item.dtype});
      }
    }
  };
  walk(src, "");
}

const HDF5_VARIANTS: Variant[] = (() => {
  const ev = (expect: Expect, name: string, make: (data: Float32Array, shape: number[], g: any, lib: any) => void): Variant => ({
    name, expect,
    build(dst, lib, src) {
      copyAll(lib, src, dst, (p) => p === "events/event");
      const ds = src.get("events/event");
      make(ds.value as Float32Array, ds.shape as number[], dst.get("events"), lib);
    }
  });
  const meta = (expect: Expect, name: string, key: string, make: (g: any) => void): Variant => ({
    name, expect,
    build(dst, lib, src) {
      copyAll(lib, src, dst, (p) => p === `metainfo/${key}`);
      make(dst.get("metainfo"));
    }
  });
  return [
    {name: "rebuilt (same values)", expect: "same", build: (dst, lib, src) => copyAll(lib, src, dst, () => false)},
    ev("same", "events/event as float64", (d, s, g) => g.create_dataset({name: "event", data: Float64Array.from(d), shape: s, dtype: "<d"})),
    ev("same", "events/event chunked and gzip", (d, s, g) => g.create_dataset({name: "event", data: d, shape: s, dtype: "<f", chunks: [1, 1, s[2]], compression: "gzip"})),
    ev("changed", "events/event as int16", (d, s, g) => g.create_dataset({name: "event", data: Int16Array.from(d, (x) => Math.round(x * 1000)), shape: s, dtype: "<h"})),
    ev("reject", "events/event rank 2", (d, s, g) => g.create_dataset({name: "event", data: d, shape: [s[0] * s[1], s[2]], dtype: "<f"})),
    ev("reject", "events/event rank 4", (d, s, g) => g.create_dataset({name: "event", data: d, shape: [s[0], s[1], 1, s[2]], dtype: "<f"})),
    ev("reject", "events/event rank 1", (d, s, g) => g.create_dataset({name: "event", data: d, shape: [d.length], dtype: "<f"})),
    ev("reject", "events/event zero channels", (d, s, g) => g.create_dataset({name: "event", data: new Float32Array(0), shape: [0, s[1], s[2]], dtype: "<f"})),
    ev("changed", "events/event zero records", (d, s, g) => g.create_dataset({name: "event", data: new Float32Array(0), shape: [s[0], 0, s[2]], dtype: "<f"})),
    ev("reject", "events/event zero samples", (d, s, g) => g.create_dataset({name: "event", data: new Float32Array(0), shape: [s[0], s[1], 0], dtype: "<f"})),
    ev("reject", "events/event 3 samples", (d, s, g) => g.create_dataset({name: "event", data: new Float32Array(s[0] * s[1] * 3), shape: [s[0], s[1], 3], dtype: "<f"})),
    ev("reject", "events/event declares 2^38 records", (d, s, g) => {
      const ds = g.create_dataset({name: "event", data: d.subarray(0, s[0] * s[2]), shape: [s[0], 1, s[2]], maxshape: [s[0], null, s[2]], dtype: "<f", chunks: [1, 1, s[2]]});
      ds.resize([s[0], 2 ** 38, s[2]]);
    }),
    ev("reject", "events/event declares 2^40 channels", (d, s, g) => {
      const ds = g.create_dataset({name: "event", data: d.subarray(0, s[2]), shape: [1, 1, s[2]], maxshape: [null, null, s[2]], dtype: "<f", chunks: [1, 1, s[2]]});
      ds.resize([2 ** 40, s[1], s[2]]);
    }),
    ev("reject", "events/event declares 2^27 samples (gzip)", (d, s, g) => {
      const ds = g.create_dataset({name: "event", data: d.subarray(0, s[0] * s[2]), shape: [s[0], 1, s[2]], maxshape: [s[0], 1, null], dtype: "<f", chunks: [1, 1, s[2]], compression: "gzip"});
      ds.resize([s[0], 1, 2 ** 27]);
    }),
    ev("reject", "events/event dangling soft link", (d, s, g) => g.create_soft_link("/nowhere/event", "event")),
    ev("reject", "events/event external link", (d, s, g) => g.create_external_link("elsewhere.h5", "/events/event", "event")),
    ev("reject", "events/event is a group", (d, s, g) => g.create_group("event")),
    ev("reject", "events/event strings", (d, s, g) => g.create_dataset({name: "event", data: ["a", "b", "c", "d"], shape: [2, 2], dtype: "S1"})),
    ev("reject", "events/event NaN sample", (d, s, g) => { const x = d.slice(); x[Math.floor(x.length / 2) + 17] = NaN; g.create_dataset({name: "event", data: x, shape: s, dtype: "<f"}); }),
    ev("reject", "events/event Inf sample", (d, s, g) => { const x = d.slice(); x[s[2] * 3 + 5] = Infinity; g.create_dataset({name: "event", data: x, shape: s, dtype: "<f"}); }),
    {name: "no events group", expect: "reject", build: (dst, lib, src) => copyAll(lib, src, dst, (p) => p === "events")},
    {name: "no metainfo", expect: "changed", build: (dst, lib, src) => copyAll(lib, src, dst, (p) => p === "metainfo")},
    meta("changed", "no sample_frequency", "sample_frequency", () => {}),
    meta("reject", "sample_frequency 0", "sample_frequency", (g) => g.create_dataset({name: "sample_frequency", data: BigInt64Array.of(0n), shape: [], dtype: "<q"})),
    meta("reject", "sample_frequency −25000", "sample_frequency", (g) => g.create_dataset({name: "sample_frequency", data: BigInt64Array.of(-25000n), shape: [], dtype: "<q"})),
    meta("reject", "sample_frequency NaN", "sample_frequency", (g) => g.create_dataset({name: "sample_frequency", data: Float64Array.of(NaN), shape: [], dtype: "<d"})),
    meta("reject", "sample_frequency a string", "sample_frequency", (g) => g.create_dataset({name: "sample_frequency", data: "25 kHz"})),
    meta("reject", "sample_frequency an array", "sample_frequency", (g) => g.create_dataset({name: "sample_frequency", data: Float64Array.of(25000, 10000), shape: [2], dtype: "<d"})),
    meta("changed", "sample_frequency 10 kHz", "sample_frequency", (g) => g.create_dataset({name: "sample_frequency", data: BigInt64Array.of(10000n), shape: [], dtype: "<q"})),
    meta("reject", "record_length disagrees", "record_length", (g) => g.create_dataset({name: "record_length", data: BigInt64Array.of(1000n), shape: [], dtype: "<q"})),
    {name: "labels wrong shape", expect: "reject", build(dst, lib, src) {
      copyAll(lib, src, dst, (p) => p === "events/labels");
      const s = src.get("events/labels").shape as number[];
      dst.get("events").create_dataset({name: "labels", data: new Float64Array(s[0] * (s[1] + 3)).fill(1), shape: [s[0], s[1] + 3], dtype: "<d"});
    }},
    {name: "labels out of class range", expect: "reject", build(dst, lib, src) {
      copyAll(lib, src, dst, (p) => p === "events/labels");
      const s = src.get("events/labels").shape as number[];
      dst.get("events").create_dataset({name: "labels", data: new Float64Array(s[0] * s[1]).fill(1e12), shape: s, dtype: "<d"});
    }},
    {name: "labels NaN", expect: "reject", build(dst, lib, src) {
      copyAll(lib, src, dst, (p) => p === "events/labels");
      const s = src.get("events/labels").shape as number[];
      dst.get("events").create_dataset({name: "labels", data: new Float64Array(s[0] * s[1]).fill(NaN), shape: s, dtype: "<d"});
    }},
    {name: "hours too short", expect: "changed", build(dst, lib, src) {
      copyAll(lib, src, dst, (p) => p === "events/hours");
      dst.get("events").create_dataset({name: "hours", data: Float64Array.of(1, 2), shape: [2], dtype: "<d"});
    }}
  ];
})();

async function buildVariant(base: Base, v: Variant, path: string): Promise<void> {
  const lib = await h5();
  const src = new lib.File(base.sim, "r");
  const dst = new lib.File(path, "w");
  try {
    v.build(dst, lib, src);
  } finally {
    dst.close();
    src.close();
  }
}

/** One HDF5 input: a structural variant, a truncation or byte mutations of a base file. */
async function hdf5Input(base: Base, rng: Rng, scratch: string, which: "sim" | "cait" = rng.uniform() < 0.7 ? "sim" : "cait"): Promise<{bytes: Uint8Array; mutation: string; expect: Expect}> {
  const r = rng.uniform();
  if (which === "sim" && r < 0.3) {
    const v = HDF5_VARIANTS[rng.int(HDF5_VARIANTS.length)];
    const path = join(scratch, `variant-${process.pid}.h5`);
    await buildVariant(base, v, path);
    return {bytes: new Uint8Array(readFileSync(path)), mutation: `${which}: ${v.name}`, expect: v.expect};
  }
  const src = which === "sim" ? base.sim : base.cait;
  const bytes = new Uint8Array(readFileSync(src));
  if (r < 0.45) {
    const t = truncate(bytes, rng);
    return {bytes: t.bytes, mutation: `${which}: ${t.what}`, expect: "reject"};
  }
  const m = mutateBytes(bytes, rng, base.dataRegions[src]);
  // A byte of a dataset's values may change the output; one elsewhere (headers, attributes, free space) may not.
  return {bytes: m.bytes, mutation: `${which}: ${m.what}${m.touchesData ? " (data)" : ""}`, expect: m.touchesData ? "changed" : "same"};
}

// ---------------------------------------------------------------------------------------------
// Generators per command. Each returns the case for index k of the run (seeded by seed and k).

type Gen = (base: Base, rng: Rng, k: number, seed: number) => Promise<Case>;

const h5Command = (command: string, argv: (input: string) => string[], out: string, which?: "sim" | "cait"): Gen => async (base, rng) => {
  const w = which ?? (rng.uniform() < 0.7 ? "sim" : "cait");
  const m = await hdf5Input(base, rng, base.dir, w);
  return {
    command, input: "hdf5", mutation: m.mutation, expect: m.expect,
    files: {"in.h5": m.bytes}, argv: argv("in.h5"), out, baseline: `${command}:${w}`, names: ["in.h5"]
  };
};

const features = h5Command("features", (i) => ["features", i, "--out", "out.parquet", "--quiet"], "out.parquet");
const classify = h5Command("classify", (i) => ["classify", i, "--backend", "cpu", "--out", "out.parquet", "--quiet"], "out.parquet");

/** The simulated module's labels for a label table of rows; returns the labels the file must end with. */
function labelsAfter(base: Base, entries: readonly LabelEntry[]): number[] {
  const v = base.simLabels.slice();
  for (const e of entries) v[e.channel * base.simShape.events + e.event] = e.label;
  return v;
}

/** Label tables: property-based rows (valid or not), text mutations of a valid CSV, Parquet tables. */
const labelsImport: Gen = async (base, rng, k, seed) => {
  const {channels: C, events: N} = base.simShape;
  const r = rng.uniform();
  const common = {command: "labels import", copies: {"in.h5": base.sim}, out: "in.h5#events/labels", baseline: "labels import:sim"};
  const valid = fc.record({
    event: fc.integer({min: 0, max: N - 1}), channel: fc.integer({min: 0, max: C - 1}),
    label: fc.constantFrom(...LABEL_CODES), author: fc.string({maxLength: 8}), time: fc.constant(""), note: fc.string({maxLength: 20})
  });
  const validEntries = fc.uniqueArray(valid, {minLength: 1, maxLength: 2 * N, selector: (e) => `${e.event}:${e.channel}`});
  if (r < 0.3) {
    // Valid tables, as the labeling page writes them: exit 0 and exactly these labels.
    const [entries] = fc.sample(validEntries, {seed: seed * 7919 + k, numRuns: 1});
    const parquet = rng.uniform() < 0.3;
    const file = parquet ? "labels.parquet" : "labels.csv";
    const bytes = parquet ? await labelsParquet(entries) : encodeLabelsCsv(entries);
    // One in five without --replace: refused exactly when the table changes a label the file holds.
    const policy = rng.uniform() < 0.2 ? [] : ["--replace"];
    const conflicts = entries.filter((e) => { const was = base.simLabels[e.channel * N + e.event]; return was !== 0 && was !== e.label; }).length;
    const refused = !policy.length && conflicts > 0;
    return {...common, input: parquet ? "parquet labels" : "csv labels", mutation: `valid table of ${entries.length} rows${policy.length ? "" : `, no --replace (${conflicts} conflicts)`}`, expect: refused ? "reject" : "changed",
      files: {[file]: bytes}, argv: ["labels", "import", file, "in.h5", ...policy, "--quiet"], names: [file],
      judge: refused ? undefined : {labels: {channels: C, events: N, values: labelsAfter(base, entries)}}};
  }
  if (r < 0.6) {
    // One bad cell among valid rows: values the issue found wrapped, truncated or misread.
    const [entries] = fc.sample(validEntries, {seed: seed * 7919 + k, numRuns: 1});
    const bad = fc.sample(fc.oneof(
      fc.constantFrom("1e12", "-5", "1.5", "NaN", "0x3", "", " ", "Infinity", "1e400", "3.0000000001", "٣", "+1", "1_0", "true", "null", "undefined", "0b1", "007", `${N}`, `${2 ** 31}`, `${2 ** 53 + 1}`),
      fc.string({maxLength: 6}), fc.double().map(String), fc.integer({min: -(2 ** 40), max: 2 ** 40}).map(String)
    ), {seed: seed * 31 + k, numRuns: 1})[0];
    const column = ["event", "channel", "label", "time"][rng.int(4)];
    const rows = entries.map((e) => [String(e.event), String(e.channel), String(e.label), e.author, e.time, e.note]);
    const at = rng.int(rows.length);
    rows[at][["event", "channel", "label", "author", "time", "note"].indexOf(column)] = bad;
    const csv = encodeLabelsCsv([]).split("\n")[0] + "\n" + ["event,channel,label,author,time,note", ...rows.map((row) => row.map(csvCell).join(","))].join("\n") + "\n";
    // Whether the cell is one a strict reader may accept (then the labels must be exactly right).
    const acceptable = okCell(column, bad, base);
    const fixed = entries.map((e, i) => i === at && acceptable ? {...e, [column]: column === "time" ? e.time : Number(bad)} : e);
    return {...common, input: "csv labels", mutation: `row ${at + 1} ${column} = ${JSON.stringify(bad)}`, expect: acceptable ? "changed" : "reject",
      files: {"labels.csv": csv}, argv: ["labels", "import", "labels.csv", "in.h5", "--replace", "--quiet"], names: ["labels.csv"],
      judge: acceptable && column !== "time" ? {labels: {channels: C, events: N, values: labelsAfter(base, fixed)}} : undefined};
  }
  if (r < 0.85) {
    // Text mutations of a valid CSV.
    const [entries] = fc.sample(validEntries, {seed: seed * 7919 + k, numRuns: 1});
    const text = encodeLabelsCsv(entries);
    const lines = text.split("\n");
    const muts: [string, () => string, Expect][] = [
      ["unclosed quote", () => lines.map((l, i) => (i === 2 ? l.replace(/,([^,]*)$/, ',"$1') : l)).join("\n"), "reject"],
      ["stray quote", () => lines.map((l, i) => (i === 2 ? l.replace(/,/, ',x"') : l)).join("\n"), "reject"],
      ["no version line", () => lines.slice(1).join("\n"), "changed"],
      ["version 99", () => text.replace(/format_version \d+/, "format_version 99"), "reject"],
      ["no header", () => [lines[0], ...lines.slice(2)].join("\n"), "reject"],
      ["extra field in the rows", () => lines.map((l, i) => (i < 2 || !l ? l : `${l},x`)).join("\n"), "reject"],
      ["a field missing in the rows", () => lines.map((l, i) => (i < 2 || !l ? l : l.replace(/,[^,]*$/, ""))).join("\n"), "reject"],
      ["CRLF", () => text.replace(/\n/g, "\r\n"), "changed"],
      ["BOM", () => `\ufeff${text}`, "changed"],
      ["empty", () => "", "reject"],
      ["only header", () => lines.slice(0, 2).join("\n") + "\n", "changed"],
      ["binary junk", () => String.fromCharCode(...Array.from({length: 200}, () => rng.int(256))), "reject"],
      ["row duplicated", () => [...lines.slice(0, 3), lines[2], ...lines.slice(3)].join("\n"), "reject"],
      ["truncated mid-row", () => text.slice(0, Math.max(lines[0].length + lines[1].length + 4, text.length - 7)), "changed"]
    ];
    const [name, make, expect] = muts[rng.int(muts.length)];
    const same = ["CRLF", "BOM", "no version line"].includes(name);
    return {...common, input: "csv labels", mutation: name, expect,
      files: {"labels.csv": make()}, argv: ["labels", "import", "labels.csv", "in.h5", "--replace", "--quiet"], names: ["labels.csv"],
      judge: same ? {labels: {channels: C, events: N, values: labelsAfter(base, entries)}} : undefined};
  }
  if (r < 0.93) {
    const [entries] = fc.sample(validEntries, {seed: seed * 7919 + k, numRuns: 1});
    const bytes = await labelsParquet(entries);
    const m = rng.uniform() < 0.5 ? truncate(bytes, rng) : mutateBytes(bytes, rng);
    return {...common, input: "parquet labels", mutation: m.what, expect: "changed",
      files: {"labels.parquet": m.bytes}, argv: ["labels", "import", "labels.parquet", "in.h5", "--replace", "--quiet"], names: ["labels.parquet"]};
  }
  // A valid table into a damaged file.
  const m = await hdf5Input(base, rng, base.dir, "sim");
  const entries = [{event: 0, channel: 0, label: 1, author: "", time: "", note: ""}];
  return {command: "labels import", input: "hdf5", mutation: m.mutation, expect: m.expect,
    files: {"labels.csv": encodeLabelsCsv(entries), "in.h5": m.bytes}, argv: ["labels", "import", "labels.csv", "in.h5", "--replace", "--quiet"],
    out: "in.h5#events/labels", baseline: "labels import:sim", names: ["in.h5", "labels.csv"]};
};

const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Whether a strict reader may accept `cell` in `column` (a plain decimal integer in range; a date). */
function okCell(column: string, cell: string, base: Base): boolean {
  if (column === "time") return cell.trim() === "" || !Number.isNaN(new Date(cell.trim()).getTime());
  if (!/^\s*\d+\s*$/.test(cell)) return false;
  const n = Number(cell);
  if (column === "event") return n < base.simShape.events;
  if (column === "channel") return n < base.simShape.channels;
  return LABEL_CODES.includes(n);
}

async function labelsParquet(entries: readonly LabelEntry[]): Promise<Uint8Array> {
  const arrow = await import("apache-arrow");
  const parquet = await import("parquet-wasm");
  const {encodeLabelsParquet} = await import("../../lib/labels/parquet.js");
  return encodeLabelsParquet({arrow, parquet} as never, entries);
}

// Predicates: a little grammar with allowed and forbidden parts.
const COLUMNS = ["pulse_height_V", "onset_ms", "rise_time_ms", "decay_time_ms", "baseline_slope_V_per_s", "label", "channel", "event"];
const FORBIDDEN = ["read_text('/etc/hostname')", "read_csv('http://example.invalid/x.csv')", "glob('/*')", "(SELECT 1)", "getenv('HOME')", "current_setting('threads')", "1; DROP TABLE t", "1 -- c", "1=0) OR (1=1", "t.label", "count(*)"];
const predicate: fc.Arbitrary<{text: string; forbidden: boolean}> = fc.letrec<{expr: {text: string; forbidden: boolean}}>((tie) => ({
  expr: fc.oneof(
    {depthSize: "small", withCrossShrink: true},
    fc.record({c: fc.constantFrom(...COLUMNS, "no_such_column", "\"pulse_height_V\""), op: fc.constantFrom("<", ">", "=", "<>", ">=", "<=", "!="), v: fc.oneof(fc.double({noNaN: true, noDefaultInfinity: true}).map(String), fc.integer().map(String), fc.constantFrom("NULL", "'a'", "TRUE", "1e400", "-0"))})
      .map(({c, op, v}) => ({text: `${c} ${op} ${v}`, forbidden: false})),
    fc.record({a: tie("expr"), b: tie("expr"), op: fc.constantFrom("AND", "OR")}).map(({a, b, op}) => ({text: `(${a.text}) ${op} (${b.text})`, forbidden: a.forbidden || b.forbidden})),
    tie("expr").map((a) => ({text: `NOT (${a.text})`, forbidden: a.forbidden})),
    fc.record({f: fc.constantFrom("abs", "sqrt", "ln", "exp", "round", "isnan"), c: fc.constantFrom(...COLUMNS)}).map(({f, c}) => ({text: `${f}(${c}) > 0`, forbidden: false})),
    fc.record({c: fc.constantFrom(...COLUMNS), lo: fc.integer({min: -10, max: 10}), hi: fc.integer({min: -10, max: 10})}).map(({c, lo, hi}) => ({text: `${c} BETWEEN ${lo} AND ${hi}`, forbidden: false})),
    fc.constantFrom(...FORBIDDEN).map((t) => ({text: t, forbidden: true})),
    fc.string({maxLength: 12}).map((t) => ({text: t, forbidden: false}))
  )
})).expr;

const cutJson = (fields: {[k: string]: unknown}) => JSON.stringify({format: "pulsebook-cut", format_version: 1, name: "fuzz", kind: "sql", where: "onset_ms BETWEEN -5 AND 5", channel: 0, ...fields}, null, 2);

const cuts: Gen = async (base, rng, k, seed) => {
  const common = {command: "cuts", copies: {"f.parquet": base.features}, out: "out.parquet", baseline: "cuts:sim"};
  const argv = (cutFile: string) => ["cuts", "f.parquet", cutFile, "--out", "out.parquet"];
  const r = rng.uniform();
  if (r < 0.45) {
    const [p] = fc.sample(predicate, {seed: seed * 104729 + k, numRuns: 1});
    return {...common, input: "cut predicate", mutation: `where ${JSON.stringify(p.text)}`, expect: p.forbidden ? "reject" : "changed",
      files: {"c.cut.json": cutJson({where: p.text, channel: rng.uniform() < 0.5 ? 0 : undefined})}, argv: argv("c.cut.json"),
      // A predicate the table cannot run is reported with the table and the cut's name.
      names: ["c.cut.json", 'f.parquet: cut "fuzz"']};
  }
  if (r < 0.55) {
    // Rewritings of the valid predicate that change nothing.
    const same = ["(onset_ms BETWEEN -5 AND 5)", "  onset_ms   BETWEEN -5 AND 5 ", "onset_ms >= -5 AND onset_ms <= 5", "NOT (onset_ms < -5 OR onset_ms > 5)", "\"onset_ms\" BETWEEN -5.0 AND 5.0", "onset_ms between -5 and 5"];
    const w = same[rng.int(same.length)];
    return {...common, input: "cut predicate", mutation: `equivalent where ${JSON.stringify(w)}`, expect: "same", files: {"c.cut.json": cutJson({where: w})}, argv: argv("c.cut.json"), names: ["c.cut.json"]};
  }
  if (r < 0.8) {
    const bad: [string, string][] = [
      ["kind polygon, 2 vertices", cutJson({kind: "polygon", x: "onset_ms", y: "pulse_height_V", polygon: [[0, 0], [1, 1]]})],
      ["kind polygon, NaN vertex", cutJson({kind: "polygon", x: "onset_ms", y: "pulse_height_V", polygon: [[0, 0], [1, 1], ["NaN", 2]]})],
      ["kind polygon, unknown column", cutJson({kind: "polygon", x: "nope", y: "pulse_height_V", polygon: [[0, 0], [1, 1], [0, 2]]})],
      ["kind unknown", cutJson({kind: "lua"})],
      ["format_version 2", cutJson({format_version: 2})],
      ["format missing", cutJson({format: undefined})],
      ["where a number", cutJson({where: 5})],
      ["where an array", cutJson({where: ["a", "b"]})],
      ["where empty", cutJson({where: ""})],
      ["where huge", cutJson({where: "onset_ms > 0 AND ".repeat(20000) + "x"})],
      ["where deep parentheses", cutJson({where: "(".repeat(5000) + "TRUE" + ")".repeat(5000)})],
      ["channel −1", cutJson({channel: -1})],
      ["channel 99", cutJson({channel: 99})],
      ["channel 0.5", cutJson({channel: 0.5})],
      ["channel '0'", cutJson({channel: "0"})],
      ["name missing", cutJson({name: undefined})],
      ["not JSON", "{format: pulsebook-cut"],
      ["empty file", ""],
      ["JSON null", "null"],
      ["JSON array", "[]"],
      ["deep JSON", "[".repeat(100000) + "]".repeat(100000)],
      ["truncated JSON", cutJson({}).slice(0, 40)],
      ["binary", String.fromCharCode(...Array.from({length: 300}, () => rng.int(256)))]
    ];
    const [name, text] = bad[rng.int(bad.length)];
    const expect: Expect = name === "channel 99" ? "reject" : "reject";
    return {...common, input: "cut file", mutation: name, expect, files: {"c.cut.json": text}, argv: argv("c.cut.json"), names: ["c.cut.json"]};
  }
  if (r < 0.9) {
    const paths: [string, string[]][] = [["cut file is a folder", ["cuts", "f.parquet", ".", "--out", "out.parquet"]], ["cut file missing", ["cuts", "f.parquet", "missing.cut.json"]],
      ["features missing", ["cuts", "nope.parquet", "c.cut.json"]], ["out into a missing folder", ["cuts", "f.parquet", "c.cut.json", "--out", "no/such/dir/o.parquet"]],
      ["out is a folder", ["cuts", "f.parquet", "c.cut.json", "--out", "."]]];
    const [name, a] = paths[rng.int(paths.length)];
    // A missing folder for --out is made (as mkdir -p would): the table must be the valid one.
    if (name === "out into a missing folder") return {...common, out: "no/such/dir/o.parquet", input: "paths", mutation: name, expect: "same", files: {"c.cut.json": cutJson({})}, argv: a, names: ["no/such/dir"]};
    return {...common, input: "paths", mutation: name, expect: "reject", files: {"c.cut.json": cutJson({})}, argv: a, names: ["missing.cut.json", "nope.parquet", "no/such/dir", "--out", ".:", "f.parquet", "c.cut.json"]};
  }
  const bytes = new Uint8Array(readFileSync(base.features));
  const m = rng.uniform() < 0.5 ? truncate(bytes, rng) : mutateBytes(bytes, rng);
  return {...common, copies: undefined, input: "parquet features", mutation: m.what, expect: "changed", files: {"f.parquet": m.bytes, "c.cut.json": cutJson({})}, argv: argv("c.cut.json"), names: ["f.parquet"]};
};

/** Feature tables for the tree model: damaged bytes, or columns missing, extra, of other types. */
const classifyTrees: Gen = async (base, rng) => {
  const common = {command: "classify-trees", out: "out.parquet", baseline: "classify-trees:sim"};
  const argv = ["classify-trees", "f.parquet", "--model", join(base.repo, "models/trees-all"), "--out", "out.parquet", "--quiet"];
  const bytes = new Uint8Array(readFileSync(base.features));
  if (rng.uniform() < 0.6) {
    const m = rng.uniform() < 0.4 ? truncate(bytes, rng) : mutateBytes(bytes, rng);
    return {...common, input: "parquet features", mutation: m.what, expect: "changed", files: {"f.parquet": m.bytes}, argv, names: ["f.parquet"]};
  }
  const {parquetValues} = await import("./outputs.js");
  const table = parquetValues(base.features).columns;
  const names = Object.keys(table);
  const pick = names[rng.int(names.length)];
  const ops: [string, Expect, (c: {[k: string]: unknown[]}) => void][] = [
    [`column ${pick} dropped`, pick === "event" || pick === "channel" ? "changed" : "reject", (c) => { delete c[pick]; }],
    [`column ${pick} renamed`, "reject", (c) => { c[`${pick}_x`] = c[pick]; delete c[pick]; }],
    ["extra column", "same", (c) => { c.extra = c[names[0]]; }],
    // Trees send a missing value down a default branch: NaN features are data.
    [`column ${pick} NaN`, "changed", (c) => { c[pick] = c[pick].map(() => NaN); }],
    ["no rows", "changed", (c) => { for (const n of Object.keys(c)) c[n] = []; }]
  ];
  const [what, expect, op] = ops[rng.int(ops.length)];
  const cols: {[k: string]: unknown[]} = {...table};
  op(cols);
  const typed = Object.fromEntries(Object.entries(cols).map(([n, v]) => [n, v.every((x) => Number.isInteger(x)) && n !== pick ? Int32Array.from(v as number[]) : Float64Array.from(v as number[], (x) => (typeof x === "string" ? Number(x) : x))]));
  return {...common, input: "parquet features", mutation: what, expect, files: {"f.parquet": encodeParquet(typed as never)}, argv, names: ["f.parquet", pick]};
};

/** Processing configs: YAML values of the wrong type, tags, deep nesting, paths outside. */
const BASE_CONFIG = {version: 1, input: "in.h5", output: "out", groups: ["events", "noise"], channels: "all", features: true,
  sev: {group: "events", selection: "label = 1", maxRecords: 100}, nps: {group: "noise", selection: "true"}, optimumFilter: {window: true},
  sevFit: {enabled: false}, calibration: false, trigger: {enabled: false}};

const processConfig: Gen = async (base, rng, k, seed) => {
  const common = {command: "process", copies: {"in.h5": base.sim}, out: "out", baseline: "process:sim", argv: ["process", "run.yaml", "--quiet"]};
  const r = rng.uniform();
  if (r < 0.45) {
    // A value of any type at a key (known or not).
    const keys = ["version", "input", "output", "groups", "channels", "features", "sev", "sev.group", "sev.selection", "sev.maxRecords", "sev.align",
      "nps", "nps.group", "nps.selection", "nps.window", "optimumFilter", "optimumFilter.search_ms", "sevFit", "calibration", "trigger", "trigger.threshold_sigma", "unknown_key", "sev.unknown"];
    const key = keys[rng.int(keys.length)];
    const [value] = fc.sample(fc.oneof(fc.string({maxLength: 10}), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
      fc.array(fc.oneof(fc.integer(), fc.string({maxLength: 4})), {maxLength: 3}), fc.dictionary(fc.string({maxLength: 4}), fc.integer(), {maxKeys: 2})), {seed: seed * 65537 + k, numRuns: 1});
    const cfg = structuredClone(BASE_CONFIG) as {[k: string]: any};
    const [a, b] = key.split(".");
    if (b) { if (typeof cfg[a] !== "object" || !cfg[a]) cfg[a] = {}; cfg[a][b] = value; } else cfg[a] = value;
    return {...common, input: "yaml config", mutation: `${key}: ${JSON.stringify(value)}`, expect: key.includes("unknown") ? "reject" : "changed",
      files: {"run.yaml": yamlStringify(cfg)}, names: ["run.yaml"], out: key === "output" && typeof value === "string" && value ? value : "out"};
  }
  const text = yamlStringify(BASE_CONFIG);
  const cases: [string, string | Uint8Array, Expect][] = [
    ["comments and reordered keys", "# a comment\n" + yamlStringify(Object.fromEntries(Object.entries(BASE_CONFIG).reverse())), "same"],
    ["CRLF", text.replace(/\n/g, "\r\n"), "same"],
    ["flow style", JSON.stringify(BASE_CONFIG), "same"],
    ["!!js/function tag", text.replace("input: in.h5", "input: !!js/function 'function(){return 1}'"), "reject"],
    ["custom tag", text.replace("output: out", "output: !include /etc/passwd"), "reject"],
    ["!!binary input", text.replace("input: in.h5", "input: !!binary aW4uaDU="), "reject"],
    ["!!set groups", text.replace(/groups:\n(  - \w+\n)+/, "groups: !!set {events, noise}\n"), "reject"],
    ["deep nesting", `version: 1\ninput: in.h5\nsev: ${"[".repeat(20000)}${"]".repeat(20000)}\n`, "reject"],
    ["deep mapping", `version: 1\ninput: in.h5\nsev: ${"{a: ".repeat(5000)}1${"}".repeat(5000)}\n`, "reject"],
    ["alias bomb", `a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n${text}`, "reject"],
    ["input ../ outside", text.replace("input: in.h5", "input: ../../../../../../etc/hostname"), "reject"],
    ["input /etc/passwd", text.replace("input: in.h5", "input: /etc/passwd"), "reject"],
    ["input a folder", text.replace("input: in.h5", "input: ."), "reject"],
    ["input missing", text.replace("input: in.h5", "input: missing.h5"), "reject"],
    ["output = input", text.replace("output: out", "output: in.h5"), "reject"],
    ["output = the config", text.replace("output: out", "output: run.yaml"), "reject"],
    ["output into /proc", text.replace("output: out", "output: /proc/self/out"), "reject"],
    ["duplicate key", `${text}version: 1\n`, "reject"],
    ["version 2", text.replace("version: 1", "version: 2"), "reject"],
    ["version '1'", text.replace("version: 1", "version: '1'"), "reject"],
    ["empty", "", "reject"],
    ["only a comment", "# nothing\n", "reject"],
    ["a list", "- 1\n- 2\n", "reject"],
    ["a scalar", "hello\n", "reject"],
    ["tabs", text.replace(/^ {2}/gm, "\t"), "reject"],
    ["invalid UTF-8", new Uint8Array([...new TextEncoder().encode(text), 0xff, 0xfe, 0x80]), "reject"],
    ["NUL bytes", text + "\0\0\0", "reject"],
    ["selection forbidden", text.replace("selection: label = 1", "selection: \"read_text('/etc/hostname') IS NOT NULL\""), "reject"],
    ["selection escape", text.replace("selection: label = 1", "selection: \"1=0) OR (1=1\""), "reject"],
    ["selection unknown column", text.replace("selection: label = 1", "selection: \"nope > 1\""), "reject"],
    ["channels [5]", text.replace("channels: all", "channels: [5]"), "reject"],
    ["channels [-1]", text.replace("channels: all", "channels: [-1]"), "reject"],
    ["channels [0.5]", text.replace("channels: all", "channels: [0.5]"), "reject"],
    ["maxRecords 1e300", text.replace("maxRecords: 100", "maxRecords: 1e300"), "changed"],
    ["maxRecords -1", text.replace("maxRecords: 100", "maxRecords: -1"), "reject"],
    ["input damaged", text, "changed"]
  ];
  const [name, body, expect] = cases[rng.int(cases.length)];
  if (name === "input damaged") {
    const m = await hdf5Input(base, rng, base.dir, "sim");
    return {...common, copies: undefined, input: "hdf5", mutation: m.mutation, expect: m.expect, files: {"run.yaml": body, "in.h5": m.bytes}, names: ["in.h5"]};
  }
  return {...common, input: "yaml config", mutation: name, expect, files: {"run.yaml": body}, names: ["run.yaml", "/etc/hostname", "/etc/passwd", "/proc/self/out"]};
};

/** Raw DAQ files (.rdt, .par, .con) for convert: truncated, bytes changed, .par lines damaged. */
const convert: Gen = async (base, rng) => {
  const files: {[n: string]: Uint8Array | string} = {};
  const copies: {[n: string]: string} = {"RUN.rdt": base.raw.rdt, "RUN.par": base.raw.par, "RUN.con": base.raw.con};
  const which = (["rdt", "par", "con"] as const)[rng.int(3)];
  let mutation: string;
  let expect: Expect;
  const bytes = new Uint8Array(readFileSync(base.raw[which]));
  const r = rng.uniform();
  if (which === "par" && r < 0.5) {
    const lines = new TextDecoder().decode(bytes).split("\n");
    const at = rng.int(lines.length);
    const [junk] = fc.sample(fc.oneof(fc.constantFrom("-1", "0", "1e30", "4000000000", "abc", "", "NaN", "99999999999999999999", "2.5", "0x10"), fc.string({maxLength: 8})), {seed: rng.int(1e9), numRuns: 1});
    const how = rng.int(3);
    if (how === 0) lines.splice(at, 1);
    else if (how === 1) lines[at] = lines[at].replace(/:.*$/, `: ${junk}`);
    else lines.splice(at, 0, lines[at]);
    mutation = `.par line ${at + 1} ${["deleted", `value ${JSON.stringify(junk)}`, "duplicated"][how]}`;
    expect = "changed";
    files["RUN.par"] = lines.join("\n");
  } else if (r < 0.7) {
    const t = truncate(bytes, rng);
    mutation = `.${which} ${t.what}`;
    expect = which === "con" ? "changed" : "reject";
    files[`RUN.${which}`] = t.bytes;
  } else {
    const m = mutateBytes(bytes, rng);
    mutation = `.${which} ${m.what}`;
    expect = "changed";
    files[`RUN.${which}`] = m.bytes;
  }
  delete copies[`RUN.${which}`];
  const channels = rng.uniform() < 0.9 ? "0,1" : (["5", "0,0", "-1", "1,0"] as const)[rng.int(4)];
  if (channels !== "0,1") expect = channels === "1,0" ? "changed" : "reject";
  return {command: "convert", input: which, mutation: `${mutation}${channels !== "0,1" ? `, --channels ${channels}` : ""}`, expect, files, copies,
    argv: ["convert", "RUN.rdt", "--channels", channels, "--out", "out.h5", "--quiet"], out: "out.h5", baseline: "convert:raw",
    names: [`RUN.${which}`, "--channels", "channel"]};
};

/** Streams for trigger: .csmpl, stamps, .db and the filter file damaged. */
const trigger: Gen = async (base, rng) => {
  const s = base.streams;
  const copies: {[n: string]: string} = {"S_Ch0.csmpl": s.ch0, "S_Ch1.csmpl": s.ch1, "S.db": s.db, "S.dig_stamps": s.dig, "S.test_stamps": s.test, "of.h5": base.cait};
  const names = Object.keys(copies);
  const which = names[rng.int(names.length)];
  const files: {[n: string]: Uint8Array} = {};
  let mutation: string;
  let expect: Expect;
  if (which === "of.h5") {
    const m = await hdf5Input(base, rng, base.dir, "cait");
    mutation = m.mutation;
    expect = m.expect;
    files[which] = m.bytes;
  } else {
    const bytes = new Uint8Array(readFileSync(copies[which]));
    if (rng.uniform() < 0.5) {
      const t = truncate(bytes, rng);
      mutation = `${which} ${t.what}`;
      expect = "changed";
      files[which] = t.bytes;
    } else {
      const m = mutateBytes(bytes, rng);
      mutation = `${which} ${m.what}`;
      expect = "changed";
      files[which] = m.bytes;
    }
  }
  delete copies[which];
  const thresholds = rng.uniform() < 0.9 ? "0.003,0.0025" : (["0.003,1e-300", "1e300,1e300", "0.003,0.0025,1"] as const)[rng.int(3)];
  return {command: "trigger", input: which.replace(/^S/, "").replace(/_Ch\d/, ""), mutation: `${mutation}${thresholds !== "0.003,0.0025" ? `, --threshold ${thresholds}` : ""}`,
    expect: thresholds === "0.003,0.0025,1" ? "reject" : thresholds === "0.003,0.0025" ? expect : "changed", files, copies,
    argv: ["trigger", "S_Ch0.csmpl", "S_Ch1.csmpl", "--of", "of.h5", "--threshold", thresholds, "--out", "out.h5", "--quiet"], out: "out.h5", baseline: "trigger:streams",
    names: [which, "--threshold"]};
};

/** train, one epoch on the simulated module, with damaged files. Slow: few of these. */
const train: Gen = async (base, rng) => {
  const m = await hdf5Input(base, rng, base.dir, "sim");
  return {command: "train", input: "hdf5", mutation: m.mutation, expect: m.expect === "same" ? "changed" : m.expect, files: {"in.h5": m.bytes}, copies: {"val.h5": base.sim},
    argv: ["train", "--data", "in.h5", "--validation", "val.h5", "--epochs", "1", "--batch", "8", "--backend", "cpu", "--out", "model", "--quiet"], out: "model/model.json", baseline: "train:sim", names: ["in.h5"]};
};

/** Command → (generator, share of the run). Shares follow how fast each command runs. */
export const GENERATORS: {[command: string]: {gen: Gen; share: number}} = {
  "features": {gen: features, share: 0.2},
  "classify": {gen: classify, share: 0.07},
  "labels import": {gen: labelsImport, share: 0.17},
  "cuts": {gen: cuts, share: 0.17},
  "classify-trees": {gen: classifyTrees, share: 0.08},
  "process": {gen: processConfig, share: 0.11},
  "convert": {gen: convert, share: 0.12},
  "trigger": {gen: trigger, share: 0.06},
  "train": {gen: train, share: 0.02}
};

/** Baseline command lines on the valid inputs (same folder layout as the cases). */
export function baselines(base: Base): {[key: string]: {argv: string[]; copies: {[n: string]: string}; out: string}} {
  const s = base.streams;
  return {
    "features:sim": {argv: ["features", "in.h5", "--out", "out.parquet", "--quiet"], copies: {"in.h5": base.sim}, out: "out.parquet"},
    "features:cait": {argv: ["features", "in.h5", "--out", "out.parquet", "--quiet"], copies: {"in.h5": base.cait}, out: "out.parquet"},
    "classify:sim": {argv: ["classify", "in.h5", "--backend", "cpu", "--out", "out.parquet", "--quiet"], copies: {"in.h5": base.sim}, out: "out.parquet"},
    "classify:cait": {argv: ["classify", "in.h5", "--backend", "cpu", "--out", "out.parquet", "--quiet"], copies: {"in.h5": base.cait}, out: "out.parquet"},
    "labels import:sim": {argv: ["labels", "import", "labels.csv", "in.h5", "--replace", "--quiet"], copies: {"in.h5": base.sim, "labels.csv": join(base.dir, "one-label.csv")}, out: "in.h5#events/labels"},
    "cuts:sim": {argv: ["cuts", "f.parquet", "c.cut.json", "--out", "out.parquet"], copies: {"f.parquet": base.features, "c.cut.json": join(base.dir, "base.cut.json")}, out: "out.parquet"},
    "classify-trees:sim": {argv: ["classify-trees", "f.parquet", "--model", join(base.repo, "models/trees-all"), "--out", "out.parquet", "--quiet"], copies: {"f.parquet": base.features}, out: "out.parquet"},
    "process:sim": {argv: ["process", "run.yaml", "--quiet"], copies: {"in.h5": base.sim, "run.yaml": join(base.dir, "base.yaml")}, out: "out"},
    "convert:raw": {argv: ["convert", "RUN.rdt", "--channels", "0,1", "--out", "out.h5", "--quiet"], copies: {"RUN.rdt": base.raw.rdt, "RUN.par": base.raw.par, "RUN.con": base.raw.con}, out: "out.h5"},
    "trigger:streams": {argv: ["trigger", "S_Ch0.csmpl", "S_Ch1.csmpl", "--of", "of.h5", "--threshold", "0.003,0.0025", "--out", "out.h5", "--quiet"],
      copies: {"S_Ch0.csmpl": s.ch0, "S_Ch1.csmpl": s.ch1, "S.db": s.db, "S.dig_stamps": s.dig, "S.test_stamps": s.test, "of.h5": base.cait}, out: "out.h5"},
    "train:sim": {argv: ["train", "--data", "in.h5", "--validation", "val.h5", "--epochs", "1", "--batch", "8", "--backend", "cpu", "--out", "model", "--quiet"], copies: {"in.h5": base.sim, "val.h5": base.sim}, out: "model/model.json"}
  };
}

/** Files the baselines need besides the base inputs. */
export function writeBaseExtras(base: Base): void {
  writeFileSync(join(base.dir, "one-label.csv"), encodeLabelsCsv([{event: 0, channel: 0, label: 1, author: "", time: "", note: ""}]));
  writeFileSync(join(base.dir, "base.cut.json"), cutJson({}));
  writeFileSync(join(base.dir, "base.yaml"), yamlStringify(BASE_CONFIG));
}

/** Writes a case's files into `dir`. */
export function materialise(c: {copies?: {[n: string]: string}; files?: {[n: string]: Uint8Array | string | undefined}}, dir: string): void {
  mkdirSync(dir, {recursive: true});
  for (const [name, src] of Object.entries(c.copies ?? {})) copyFileSync(src, join(dir, name));
  for (const [name, data] of Object.entries(c.files ?? {})) if (data !== undefined) writeFileSync(join(dir, name), data);
}
