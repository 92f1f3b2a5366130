// FFT-based DSP stages on one record length, in one process (run by bench/run.ts, section
// "fft"): rfft+irfft, OF design, OF amplitudes (float64 and the float32 batch path), NPS, the
// aligned SEV, the SEV fit and the OF trigger on a stream. Records are made here (pulse plus
// AR(1) and white noise in the time domain), so any length works, and the same script runs
// against another checkout's lib/ (the "before" figures): `tsx bench/fft-worker.ts LIB_ROOT N`.
// Prints one JSON line; a stage the code cannot do on this length is reported as its error.
import {pathToFileURL} from "node:url";
import {join} from "node:path";

const [root, nArg, recordsArg] = process.argv.slice(2);
const n = Number(nArg), R = Number(recordsArg ?? 400);
const lib = (p: string) => import(pathToFileURL(join(root, "lib", p)).href);
const fft = await lib("dsp/fft.ts");
const {optimumFilter, ofAmplitude} = await lib("dsp/optimumFilter.ts");
const {ofBatch} = await lib("dsp/ofBatch.ts");
const conv = await lib("dsp/realConvolver.ts");
const {noisePowerSpectrum} = await lib("dsp/nps.ts");
const {StandardEventBuilder} = await lib("dsp/standardEvent.ts");
const {fitRecord, prepareSevFit} = await lib("dsp/sevFit.ts");
const {triggerStream} = await lib("dsp/trigger.ts");
const {Rng} = await lib("math/random.ts");

const fs = 25000;
const layout = {sampleFrequency_Hz: fs, recordLength: n, triggerIndex: n >> 2};
const rng = new Rng(12345, n);
const phi = 0.95, se = 0.3e-3, sw = 1e-3;
function noise(len: number): Float64Array {
  const x = new Float64Array(len);
  let a = rng.normal(0, se / Math.sqrt(1 - phi * phi));
  for (let i = 0; i < len; i++) {
    x[i] = a + rng.normal(0, sw);
    a = phi * a + rng.normal(0, se);
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
const pulses = Array.from({length: R}, (_, r) => {
  const x = noise(n), d = rng.int(40) - 20, A = 0.02 * (1 + rng.uniform());
  for (let i = 0; i < n; i++) x[i] += A * (sev[(i - d + n) % n] ?? 0);
  return Float32Array.from(x);
});

const out: {[k: string]: number | string} = {record_length: n, records: R};
function measure(name: string, count: number, f: () => number): void {
  try {
    f(); // warm-up (plans, wasm)
    const t0 = performance.now();
    const sink = f();
    const s = (performance.now() - t0) / 1000;
    if (!Number.isFinite(sink)) throw new Error("non-finite result");
    out[name] = count / s;
  } catch (e) {
    out[name] = `fails: ${(e as Error).message}`;
  }
}

const x64 = Float64Array.from(noiseRecords[0]);
const spec = new Float64Array(n + 2), y = new Float64Array(n);
const reps = 200;
measure("rfft_irfft_per_s", reps, () => {
  for (let i = 0; i < reps; i++) fft.irfft(fft.rfft(x64, spec), n, y);
  return y[0];
});
let of: ReturnType<typeof optimumFilter> | undefined;
measure("of_design_per_s", 5, () => {
  for (let i = 0; i < 5; i++) of = optimumFilter(sev, psd, layout, {window: "tukey"});
  return of!.resolution_V;
});
measure("of_float64_records_per_s", R, () => {
  let s = 0;
  for (const r of pulses) s += ofAmplitude(of, r).amplitude_V;
  return s;
});
out.of_batch_backend = conv.convolverBackend ? conv.convolverBackend(n) : "pffft";
let batch: {amplitude(r: ArrayLike<number>): {amplitude_V: number}; dispose(): void} | undefined;
try {
  batch = await ofBatch(of);
} catch (e) {
  out.of_batch_records_per_s = `fails: ${(e as Error).message}`;
}
if (batch) {
  measure("of_batch_records_per_s", R, () => {
    let s = 0;
    for (const r of pulses) s += batch!.amplitude(r).amplitude_V;
    return s;
  });
  batch.dispose();
}
measure("nps_records_per_s", R, () => noisePowerSpectrum(noiseRecords, layout, {window: "tukey"}).psd_V2_per_Hz[5]);
measure("sev_aligned_records_per_s", R, () => {
  const b = new StandardEventBuilder(layout, {align: true});
  for (const r of pulses) b.add(r);
  return b.result().amplitude_V;
});
measure("sev_fit_records_per_s", R, () => {
  const plan = prepareSevFit(sev, layout, {baselineOrder: 3, maxShift_ms: 5});
  let s = 0;
  for (const r of pulses) s += fitRecord(plan, r).height_V;
  return s;
});
const stream_s = 20;
const stream = noise(stream_s * fs);
for (let t = n; t + n < stream.length; t += 3 * n) for (let i = 0; i < n; i++) stream[t + i] += 0.03 * sev[i];
const pffft = await conv.loadPffft();
for (const [name, opt] of [["trigger_float64_x_real_time", {}], ["trigger_float32_x_real_time", {pffft}]] as const) {
  measure(name, stream_s, () => {
    if (!of) throw new Error("no filter");
    return triggerStream(of, stream, {threshold_V: 6 * of.resolution_V, ...opt}).length;
  });
}
console.log(JSON.stringify(out));
