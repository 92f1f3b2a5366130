// CPU µs per record of the records pass's kernels (OF amplitude, SEV fit, both as one pass) and
// of the features kernel (lib/dsp/featureKernel.ts: main parameters, moments, derivative extremes,
// the copy into wasm memory and the threshold walks included) on real records, start-up
// excluded, with several implementations (other checkouts' lib/) timed alternately in one
// process, so that load moves them alike; and how far each one's columns are from the first one's
// (the bounds a golden recapture states).
//   npx tsx bench/record-kernels.ts --run DIR [--lib DIR …] [--events N (300)] [--repeat R (3)]
//   npx tsx bench/record-kernels.ts --input FILE.h5 [--lib DIR …] …   (the features kernel alone)
// DIR: a `pulsebook process` output (its .store holds the SEV and the optimum filter); its
// summary.json names the input file. --lib: a checkout's root (default this one), repeatable.
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";
import {decodeStageOutput} from "../data-loaders/pipeline/store.js";
import {openCaitFile} from "../data-loaders/io/node.js";
import type {EventChunk, RecordGroup} from "../lib/types.js";
import type {KernelSpec, RecordKernel} from "../lib/pipeline/process/kernels.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const {values} = parseArgs({options: {run: {type: "string"}, input: {type: "string"}, lib: {type: "string", multiple: true}, events: {type: "string", default: "300"}, repeat: {type: "string", default: "3"}}});
if (!values.run && !values.input) throw new Error("record-kernels: --run DIR (a process output) or --input FILE (features kernel only) is required");
const run = values.run;
const libs = values.lib?.length ? values.lib : [ROOT];
const events = Number(values.events), repeat = Number(values.repeat);

const stageOutput = (run: string, stage: string) => {
  const dir = join(run, ".store", stage);
  const [lineage] = readdirSync(dir).filter((f) => /^[0-9a-f]{64}$/.test(f));
  const file = join(dir, lineage, "output.bin");
  return decodeStageOutput(new Uint8Array(readFileSync(file)), file);
};
const input = run ? (JSON.parse(readFileSync(join(run, "summary.json"), "utf8")).input.path as string) : values.input!;
const file = await openCaitFile(input);
const {layout, channels} = file.dataset;
const nChannels = channels.length, all = channels.map((_, c) => c);
const chunks: EventChunk[] = (["events", "testpulses", "noise"] as RecordGroup[]).map((g) => file.readChunk(g, 0, Math.min(events, file.count(g))));
const records = chunks.reduce((s, c) => s + c.count * nChannels, 0);
const specs: {[name: string]: KernelSpec} = {};
if (run) {
  const sev = stageOutput(run, "sev"), optimumFilter = stageOutput(run, "optimumFilter");
  specs.of = {stage: "ofAmplitude", optimumFilter, channels: all};
  specs.sevFit = {stage: "sevFit", sev, params: {baselineOrder: 3, maxShift_ms: 5, truncationLevel_V: null}, channels: all};
  specs.pass = {stage: "pass", kernels: [specs.of, specs.sevFit]};
}

type Open = (spec: KernelSpec, l: typeof layout, n: number, input: string) => Promise<RecordKernel>;
const impls = await Promise.all(libs.map(async (dir) => (await import(join(dir, "lib/pipeline/process/openKernel.ts"))).openKernel as Open));
const kernels = await Promise.all(impls.map((open) => Promise.all(Object.values(specs).map((s) => open(s, layout, nChannels, input)))));
const names = Object.keys(specs);

// The features kernel: every record of the chunks, one call each, as computeFeatures makes them.
type FeatureKernel = (record: Float32Array, out: object, sums: object) => Float64Array;
const featureKernels = await Promise.all(libs.map(async (dir) => {
  const k = await import(join(dir, "lib/dsp/featureKernel.ts"));
  const m = await import(join(dir, "lib/dsp/mainParameters.ts"));
  return {run: k.kernelMainParameters as FeatureKernel, out: m.emptyMainParameters() as object, sums: k.emptySmoothedRecordSums() as object};
}));
const featureRecords = chunks.flatMap((c) => Array.from({length: c.count * c.nChannels}, (_, r) => c.samples.subarray(r * c.recordLength, (r + 1) * c.recordLength)));
const featureTimes = libs.map(() => [] as number[]);
const featurePass = (i: number) => {
  const {run: kernel, out, sums} = featureKernels[i];
  for (const x of featureRecords) kernel(x, out, sums);
};

const cpuUs = () => { const u = process.cpuUsage(); return u.user + u.system; };
const times = libs.map(() => names.map(() => [] as number[]));
const columns: {[name: string]: Float64Array[]}[] = libs.map(() => ({}));
for (const k of kernels) for (const kernel of k) for (const c of chunks) kernel.columns(c); // warm-up
libs.forEach((_, i) => featurePass(i));
for (let r = 0; r < repeat; r++) {
  for (let i = 0; i < libs.length; i++) {
    const t0 = cpuUs();
    featurePass(i);
    featureTimes[i].push((cpuUs() - t0) / featureRecords.length);
    for (let s = 0; s < names.length; s++) {
      const t0 = cpuUs();
      const out = chunks.map((c) => kernels[i][s].columns(c));
      times[i][s].push((cpuUs() - t0) / records);
      if (names[s] === "pass") for (const name of Object.keys(out[0])) columns[i][name] = out.map((o) => o[name]);
    }
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const result: {[k: string]: unknown} = {records, events_per_group: events, repeat};
libs.forEach((dir, i) => {
  result[dir] = Object.fromEntries(names.map((n, s) => [`${n}_us_per_record`, +median(times[i][s]).toFixed(1)]));
  (result[dir] as {[k: string]: unknown}).features_us_per_record = +median(featureTimes[i]).toFixed(1);
});
// Differences from the first implementation, per column and group: worst |Δ| relative to |value|,
// and for the fit, |Δh| in units of the fit RMS and Δshift in ms.
const groups = chunks.map((c) => c.group);
for (let i = 1; i < libs.length; i++) {
  const d: {[k: string]: unknown} = {};
  for (const name of Object.keys(columns[0])) {
    d[name] = groups.map((g, gi) => {
      const a = columns[i][name][gi], b = columns[0][name][gi];
      let rel = 0, abs = 0;
      for (let j = 0; j < a.length; j++) {
        if (Number.isNaN(a[j]) && Number.isNaN(b[j])) continue;
        abs = Math.max(abs, Math.abs(a[j] - b[j]));
        rel = Math.max(rel, Math.abs(a[j] - b[j]) / Math.max(Math.abs(b[j]), 1e-300));
      }
      return {group: g, max_abs: abs, max_rel: rel};
    });
  }
  const h0 = columns[0].fit_height_V, h1 = columns[i].fit_height_V, rms = columns[0].fit_rms_V;
  if (h0) {
    d.fit_height_over_rms = groups.map((g, gi) => {
      let big = 0, small = 0;
      for (let j = 0; j < h0[gi].length; j++) {
        const x = Math.abs(h1[gi][j] - h0[gi][j]);
        if (Math.abs(h0[gi][j]) >= 20 * rms[gi][j]) big = Math.max(big, x / Math.abs(h0[gi][j]));
        else small = Math.max(small, x / rms[gi][j]);
      }
      return {group: g, big_pulses_rel: big, others_in_rms: small};
    });
  }
  result[`diff_${libs[i]}`] = d;
}
// One line per implementation and per compared column.
for (const [k, v] of Object.entries(result)) {
  if (k.startsWith("diff_")) for (const [c, d] of Object.entries(v as object)) console.log(`${k} ${c}: ${JSON.stringify(d)}`);
  else console.log(`${k}: ${JSON.stringify(v)}`);
}
file.close();
for (const k of kernels) for (const kernel of k) kernel.dispose();
