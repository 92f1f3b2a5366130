// Raw DAQ data at scale (`npm run bench`, or `npx tsx bench/raw.ts` alone):
//   1. `.rdt` → HDF5 conversion of a ≥ 1 GB run made by repeating raw/mock_001.rdt: MB/s of input
//   2. trigger_csmpl on two ≥ 1 GB `.csmpl` streams made by repeating raw/stream_001_Ch{0,1}.csmpl,
//      with cait's filter and thresholds: samples/s per stream and the multiple of real time at 25 kHz
// (cait's files as vendored for the tests in test/fixtures/cait-mock: 36 records, 33 s of streams).
// Each in a fresh process, with peak RSS, and the same on the original (small) files to show that
// memory does not grow with the input. The big files live in a temporary folder, removed at the end.
// Figures go to bench/results/raw.json.  Options: --gb G (default 1: minimum size of each big file)
import {execFileSync} from "node:child_process";
import {closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync} from "node:fs";
import {cpus, tmpdir, totalmem} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REF = join(ROOT, "test", "fixtures", "cait-mock");
const RAW = join(REF, "raw");
const OF = join(REF, "mock_001-P_Ch0-L_Ch1.h5");
const THRESHOLDS = "0.003,0.0025";
const FS_HZ = 25_000;
const {values} = parseArgs({options: {gb: {type: "string", default: "1"}}});
const minBytes = Number(values.gb) * 1e9;
const tsx = join(ROOT, "node_modules", ".bin", "tsx");
const work = mkdtempSync(join(tmpdir(), "pulsebook-bench-raw-"));

function worker(args: string[]): {[k: string]: number} {
  const out = execFileSync(tsx, [join(ROOT, "bench", "raw-worker.ts"), ...args], {encoding: "utf8", stdio: ["ignore", "pipe", "inherit"]});
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

/** Writes `src` repeated until the file holds at least `minBytes`; returns the repeat count. */
function repeat(src: string, dst: string): number {
  const bytes = readFileSync(src);
  const times = Math.ceil(minBytes / bytes.length);
  const fd = openSync(dst, "w");
  try {
    for (let i = 0; i < times; i++) writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  return times;
}

const results: {[k: string]: unknown} = {
  date: new Date().toISOString(),
  machine: {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_GiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version}
};
try {
  // 1. conversion
  const rdt = join(work, "big.rdt");
  const copies = repeat(join(RAW, "mock_001.rdt"), rdt);
  copyFileSync(join(RAW, "mock_001.par"), join(work, "big.par"));
  const rdtBytes = statSync(rdt).size;
  console.error(`converting ${rdt} (${(rdtBytes / 1e9).toFixed(2)} GB, mock_001.rdt × ${copies})`);
  const conv = worker(["convert", rdt, join(work, "big.h5")]);
  const h5Bytes = statSync(join(work, "big.h5")).size;
  rmSync(join(work, "big.h5"));
  rmSync(rdt);
  const small = worker(["convert", join(RAW, "mock_001.rdt"), join(work, "small.h5")]);
  results.convert = {
    input_GB: rdtBytes / 1e9, output_GB: h5Bytes / 1e9, records: conv.records, seconds: conv.seconds,
    MB_per_s: rdtBytes / 1e6 / conv.seconds, records_per_s: conv.records / conv.seconds,
    peak_RSS_MiB: conv.maxRSS_MiB, wasm_baseline_RSS_MiB: conv.baselineRSS_MiB,
    peak_RSS_MiB_on_the_original: small.maxRSS_MiB, original_MB: statSync(join(RAW, "mock_001.rdt")).size / 1e6
  };

  // 2. stream trigger
  const streams = [0, 1].map((c) => join(work, `big_Ch${c}.csmpl`));
  const reps = streams.map((s, c) => repeat(join(RAW, `stream_001_Ch${c}.csmpl`), s));
  const streamBytes = statSync(streams[0]).size;
  console.error(`triggering 2 streams of ${(streamBytes / 1e9).toFixed(2)} GB (stream_001_Ch{0,1}.csmpl × ${reps[0]})`);
  const trig = worker(["trigger", OF, join(work, "trig.h5"), THRESHOLDS, ...streams]);
  const trig32 = worker(["trigger32", OF, join(work, "trig32.h5"), THRESHOLDS, ...streams]);
  for (const s of streams) rmSync(s);
  const trigSmall = worker(["trigger", OF, join(work, "trig-small.h5"), THRESHOLDS, ...[0, 1].map((c) => join(RAW, `stream_001_Ch${c}.csmpl`))]);
  const samples = trig.samples_per_stream;
  results.trigger = {
    method: "record-windows (cait trigger_csmpl)", stream_GB_each: streamBytes / 1e9, streams: 2, samples_per_stream: samples,
    stream_duration_h: samples / FS_HZ / 3600, seconds: trig.seconds,
    samples_per_s_per_stream: samples / trig.seconds,
    real_time_multiple_at_25kHz: samples / FS_HZ / trig.seconds,
    triggers: trig.triggers, triggers_on_the_original_times_copies: (trigSmall.triggers as unknown as number[]).map((n) => n * reps[0]),
    note: "extra triggers over 'original × copies' are at the joins of the copies, where the stream jumps",
    peak_RSS_MiB: trig.maxRSS_MiB, peak_RSS_MiB_on_the_original: trigSmall.maxRSS_MiB, original_MB_each: statSync(join(RAW, "stream_001_Ch0.csmpl")).size / 1e6
  };
  results.trigger_float32 = {
    method: "record-windows, PFFFT float32 (--float32)", seconds: trig32.seconds,
    samples_per_s_per_stream: samples / trig32.seconds,
    real_time_multiple_at_25kHz: samples / FS_HZ / trig32.seconds,
    triggers: trig32.triggers, speedup_vs_float64: trig.seconds / trig32.seconds, peak_RSS_MiB: trig32.maxRSS_MiB
  };
} finally {
  rmSync(work, {recursive: true, force: true});
}
mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
const outFile = join(ROOT, "bench", "results", "raw.json");
writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
console.log(JSON.stringify(results, null, 2));
console.error(`wrote ${outFile}`);
