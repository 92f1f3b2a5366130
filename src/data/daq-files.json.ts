// Input of the tutorial "From the DAQ": cait's mock raw files converted and triggered with
// Pulsebook, next to cait's own results — the conversion compared dataset by dataset with cait's
// file, the stream triggers with stream_trigger_reference.json, and the streams reduced to a
// min–max band per pixel column for plotting.
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import h5wasm from "h5wasm/node";
import {convertRdt} from "../../data-loaders/convert.js";
import {triggerCsmpl} from "../../data-loaders/streamTrigger.js";
import {adcToVolts} from "../../lib/io/rdt.js";

const REF = fileURLToPath(new URL("../../../shared/reference-data/cait-mock/", import.meta.url));
const RAW = join(REF, "raw");
const CAIT = join(REF, "mock_001-P_Ch0-L_Ch1.h5");
const ref = JSON.parse(readFileSync(join(REF, "stream_trigger_reference.json"), "utf8"));
await h5wasm.ready;

type Ds = {shape: number[]; dtype: string; value: ArrayBufferView | number | bigint};
function bytes(v: Ds["value"]): Buffer {
  const view = ArrayBuffer.isView(v) ? v : typeof v === "bigint" ? BigInt64Array.of(v) : Float64Array.of(v);
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

const tmp = mkdtempSync(join(tmpdir(), "pulsebook-daq-"));
try {
  // 1. Records: .rdt/.par/.con → HDF5, compared with cait's conversion.
  const converted = join(tmp, "mock_001.h5");
  const conv = await convertRdt(join(RAW, "mock_001.rdt"), converted, {channels: [0, 1]});
  const a = new h5wasm.File(CAIT, "r"), b = new h5wasm.File(converted, "r");
  const paths = ["events/event", "testpulses/event", "noise/event"];
  for (const g of ["events", "testpulses", "noise"]) for (const d of ["hours", "time_s", "time_mus", "dac_output"]) paths.push(`${g}/${d}`);
  paths.push("testpulses/testpulseamplitude", "controlpulses/hours", "controlpulses/pulse_height");
  const metaKeys = (a.get("metainfo") as unknown as {keys(): string[]}).keys();
  const conversion = paths.map((path) => {
    const x = a.get(path) as unknown as Ds, y = b.get(path) as unknown as Ds;
    return {dataset: path, shape: y.shape.join(" × "), dtype: y.dtype, identical: x.dtype === y.dtype && bytes(x.value).equals(bytes(y.value))};
  });
  const metaIdentical = metaKeys.filter((k) => bytes((a.get(`metainfo/${k}`) as unknown as Ds).value).equals(bytes((b.get(`metainfo/${k}`) as unknown as Ds).value))).length;
  conversion.push({dataset: `metainfo/* (${metaKeys.length} scalars)`, shape: "", dtype: "int64/float64", identical: metaIdentical === metaKeys.length});
  a.close();
  b.close();

  // 2. Streams: cait's trigger_csmpl with cait's filter and thresholds.
  const streams = [0, 1].map((c) => join(RAW, `stream_001_Ch${c}.csmpl`));
  const thresholds_V = [ref.ch0.threshold, ref.ch1.threshold];
  const trig = await triggerCsmpl(streams, join(tmp, "stream.h5"), {of: CAIT, thresholds_V});
  const cols = 1500;
  const channels = streams.map((path, c) => {
    const raw = readFileSync(path);
    const x = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
    const per = Math.floor(x.length / cols);
    const band = Array.from({length: cols}, (_, j) => {
      let lo = Infinity, hi = -Infinity;
      for (let i = j * per; i < (j + 1) * per; i++) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
      }
      return {t: +((j * per) / 25_000).toFixed(3), lo: adcToVolts(lo), hi: adcToVolts(hi)};
    });
    const want = ref[`ch${c}`];
    const ours = trig.triggers[c].map((t) => ({sample: t.sample, time_s: t.time_s, height_V: t.amplitude_V, recordStart: t.recordStart}));
    const cait = want.trigger_sample.map((s: number, i: number) => ({sample: s, time_s: want.trigger_time_s[i], height_V: want.height[i], recordStart: Math.round(want.record_start_s[i] * 25_000)}));
    return {threshold_V: thresholds_V[c], band, ours, cait};
  });
  // One test-pulse record of each channel, as written (every 8th sample).
  const f = new h5wasm.File(trig.out, "r");
  const tp = (f.get("testpulses/event") as unknown as {slice(r: [number, number][]): Float32Array}).slice([[0, 2], [0, 1], [0, 16384]]);
  const tpa = Number((f.get("testpulses/testpulseamplitude") as unknown as {value: Float64Array}).value[0]);
  f.close();
  const record = Array.from({length: 2 * 2048}, (_, j) => {
    const c = j < 2048 ? 0 : 1, k = (j % 2048) * 8;
    return {channel: c === 0 ? "phonon (Ch0)" : "light (Ch1)", t_ms: ((k - 4096) / 25_000) * 1000, V: +tp[c * 16384 + k].toFixed(6)};
  });
  process.stdout.write(JSON.stringify({
    conversion, counts: conv.counts, controlPulses: conv.controlPulses,
    stream: {
      channels, counts: trig.counts, startTick: trig.startTick,
      stamps: Array.from(trig.stampSamples ?? [], (s, i) => ({sample: s, tpa: trig.stamps!.tpa[i]})),
      slots: ref.pulse_onset_samples, testPulse: {tpa, record}
    }
  }));
} finally {
  rmSync(tmp, {recursive: true, force: true});
}
