// FFT-based DSP stages on one record length, in one process (run by bench/run.ts, section
// "fft"): rfft+irfft, OF design, OF amplitudes (float64 and the float32 batch path), NPS, the
// aligned SEV, the SEV fit and the OF trigger on a stream. Records are made here (pulse plus
// AR(1) and white noise in the time domain), so any length works.
//   tsx bench/fft-worker.ts LIB_ROOT N RECORDS [BEFORE_LIB_ROOT]
// With BEFORE_LIB_ROOT (another checkout's lib/, e.g. extracted from git) both are measured in
// this process, stage by stage in alternation, best of 5 each: on a shared machine the load
// then hits both sides alike. Prints one JSON line {after, before?}; a stage the code cannot do
// on this length is reported as its error.
import {pathToFileURL} from "node:url";
import {join} from "node:path";

const [root, nArg, recordsArg, beforeRoot] = process.argv.slice(2);
const n = Number(nArg), R = Number(recordsArg ?? 200);
const fs = 25000;
const layout = {sampleFrequency_Hz: fs, recordLength: n, triggerIndex: n >> 2};

// The data, made once with plain JS (no lib code), shared by both sides.
let seed = 12345 + n;
function uniform(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return (seed + 0.5) / 2147483648;
}
function normal(sd: number): number {
  return sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
const phi = 0.95, se = 0.3e-3, sw = 1e-3;
function noise(len: number): Float64Array {
  const x = new Float64Array(len);
  let a = normal(se / Math.sqrt(1 - phi * phi));
  for (let i = 0; i < len; i++) {
    x[i] = a + normal(sw);
    a = phi * a + normal(se);
  }
  return x;
}
const psd = new Float64Array((n >> 1) + 1);
for (let k = 1; k < psd.length; k++) psd[k] = ((2 * k === n ? 1 : 2) * (sw * sw + (se * se) / (1 - 2 * phi * Math.cos((2 * Math.PI * k) / n) + phi * phi))) / fs;
const sev = new Float64Array(n);
{
  const tr = 0.0004 * fs, td = 0.006 * fs;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const t = i - (n >> 2);
    sev[i] = t <= 0 ? 0 : Math.exp(-t / td) - Math.exp(-t / tr);
    m = Math.max(m, sev[i]);
  }
  for (let i = 0; i < n; i++) sev[i] /= m;
}
const noiseRecords = Array.from({length: R}, () => Float32Array.from(noise(n)));
const pulses = Array.from({length: R}, () => {
  const x = noise(n), d = Math.floor(40 * uniform()) - 20, A = 0.02 * (1 + uniform());
  for (let i = 0; i < n; i++) x[i] += A * sev[(i - d + n) % n];
  return Float32Array.from(x);
});
const stream_s = 20;
const stream = noise(stream_s * fs);
for (let t = n; t + n < stream.length; t += 3 * n) for (let i = 0; i < n; i++) stream[t + i] += 0.03 * sev[i];

interface Stage {
  count: number;
  run(): number;
}

/** The stages on the lib/ under `libRoot`; one that cannot be set up is its error message. */
async function stages(libRoot: string): Promise<{[name: string]: Stage | string}> {
  const lib = (p: string) => import(pathToFileURL(join(libRoot, "lib", p)).href);
  const fft = await lib("dsp/fft.ts");
  const {optimumFilter, ofAmplitude} = await lib("dsp/optimumFilter.ts");
  const {ofBatch} = await lib("dsp/ofBatch.ts");
  const conv = await lib("dsp/realConvolver.ts");
  const {noisePowerSpectrum} = await lib("dsp/nps.ts");
  const {StandardEventBuilder} = await lib("dsp/standardEvent.ts");
  const {fitRecord, prepareSevFit} = await lib("dsp/sevFit.ts");
  const {triggerStream} = await lib("dsp/trigger.ts");
  const out: {[name: string]: Stage | string} = {};
  const x64 = Float64Array.from(noiseRecords[0]);
  const spec = new Float64Array(n + 2), y = new Float64Array(n);
  out.rfft_irfft_per_s = {count: 200, run: () => {
    for (let i = 0; i < 200; i++) fft.irfft(fft.rfft(x64, spec), n, y);
    return y[0];
  }};
  let of: {resolution_V: number} | undefined;
  try {
    of = optimumFilter(sev, psd, layout, {window: "tukey"});
  } catch (e) {
    return Object.fromEntries(["rfft_irfft_per_s", "of_design_per_s", "of_float64_records_per_s", "of_batch_records_per_s", "nps_records_per_s", "sev_aligned_records_per_s", "sev_fit_records_per_s", "trigger_float64_x_real_time", "trigger_float32_x_real_time"].map((k) => [k, `fails: ${(e as Error).message}`]));
  }
  out.of_design_per_s = {count: 5, run: () => {
    for (let i = 0; i < 5; i++) of = optimumFilter(sev, psd, layout, {window: "tukey"});
    return of!.resolution_V;
  }};
  out.of_float64_records_per_s = {count: R, run: () => pulses.reduce((s, r) => s + ofAmplitude(of, r).amplitude_V, 0)};
  const batch = await ofBatch(of);
  out.of_batch_records_per_s = {count: R, run: () => pulses.reduce((s, r) => s + batch.amplitude(r).amplitude_V, 0)};
  out.nps_records_per_s = {count: R, run: () => noisePowerSpectrum(noiseRecords, layout, {window: "tukey"}).psd_V2_per_Hz[5]};
  out.sev_aligned_records_per_s = {count: R, run: () => {
    const b = new StandardEventBuilder(layout, {align: true});
    for (const r of pulses) b.add(r);
    return b.result().amplitude_V;
  }};
  out.sev_fit_records_per_s = {count: R, run: () => {
    const plan = prepareSevFit(sev, layout, {baselineOrder: 3, maxShift_ms: 5});
    return pulses.reduce((s, r) => s + fitRecord(plan, r).height_V, 0);
  }};
  const pffft = await conv.loadPffft();
  out.trigger_float64_x_real_time = {count: stream_s, run: () => triggerStream(of, stream, {threshold_V: 6 * of!.resolution_V}).length};
  out.trigger_float32_x_real_time = {count: stream_s, run: () => triggerStream(of, stream, {threshold_V: 6 * of!.resolution_V, pffft}).length};
  return out;
}

const sides: [string, {[name: string]: Stage | string}][] = [["after", await stages(root)]];
if (beforeRoot) sides.push(["before", await stages(beforeRoot)]);
const result: {[side: string]: {[k: string]: number | string}} = {};
for (const [side] of sides) result[side] = {record_length: n, records: R};
const best = new Map<string, number>();
const REPS = beforeRoot ? 5 : 3;
for (const name of Object.keys(sides[0][1])) {
  for (const [, st] of sides) {
    const s = st[name];
    try {
      if (typeof s !== "string") s.run(); // warm-up: plans, wasm
    } catch (e) {
      st[name] = `fails: ${(e as Error).message}`;
    }
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const [side, st] of sides) {
      const s = st[name];
      if (typeof s === "string") continue;
      const t0 = performance.now();
      const sink = s.run();
      const t = (performance.now() - t0) / 1000;
      if (!Number.isFinite(sink)) throw new Error(`${side} ${name}: non-finite result`);
      best.set(`${side}/${name}`, Math.min(best.get(`${side}/${name}`) ?? Infinity, t));
    }
  }
  for (const [side, st] of sides) {
    const s = st[name];
    result[side][name] = typeof s === "string" ? s : s.count / best.get(`${side}/${name}`)!;
  }
}
console.log(JSON.stringify(result));
