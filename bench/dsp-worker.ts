// DSP throughput, in one process (run by bench/run.ts): optimum-filter amplitudes (records/s),
// the OF trigger over a continuous stream (samples/s and × real time), and the per-record SEV
// fit with a cubic baseline (records/s). Same work as bench/python/dsp_numpy.py. OF amplitudes
// both ways: the PFFFT batch path the process runner uses, and the float64 fft.js reference.
// Prints one JSON line.
import {optimumFilter, ofAmplitude} from "../lib/dsp/optimumFilter.js";
import {ofBatch} from "../lib/dsp/ofBatch.js";
import {loadPffft} from "../lib/dsp/realConvolver.js";
import {fitRecord, prepareSevFit} from "../lib/dsp/sevFit.js";
import {thresholdFromResolution, triggerStream} from "../lib/dsp/trigger.js";
import {CRESST_LIKE, normalisedTemplate, simulateChunk} from "../lib/sim/index.js";
import {simulateStream} from "../lib/sim/stream.js";
import {chunkRecord} from "../lib/types.js";

const {layout, channels} = CRESST_LIKE;
const ch = channels[0];
const sev = normalisedTemplate(ch.pulse, layout);
const of = optimumFilter(sev, ch.noisePsd_V2_per_Hz, layout, {window: "tukey"});
const seconds = (t0: number) => (performance.now() - t0) / 1000;

// Records: 2000 simulated events = 4000 records, made before timing.
const {chunk} = simulateChunk(CRESST_LIKE, {group: "events", start: 0, count: 2000, seed: 3});
const records = Array.from({length: chunk.count * chunk.nChannels}, (_, k) => chunkRecord(chunk, k % chunk.nChannels, Math.floor(k / chunk.nChannels)));

let t0 = performance.now();
let sink = 0;
for (const r of records) sink += ofAmplitude(of, r).amplitude_V;
const ofSeconds = seconds(t0);
const batch = await ofBatch(of);
t0 = performance.now();
for (const r of records) sink += batch.amplitude(r).amplitude_V;
const ofBatchSeconds = seconds(t0);
batch.dispose();

const stream_s = 600;
const stream = simulateStream(CRESST_LIKE, {duration_s: stream_s, seed: 4, channels: [0], pulses: {rate_Hz: 0.5}}).channels[0];
t0 = performance.now();
const threshold_V = thresholdFromResolution(5, of.resolution_V);
const triggers64 = triggerStream(of, stream, {threshold_V});
const trig64Seconds = seconds(t0);
const pffft = await loadPffft();
t0 = performance.now();
const triggers = triggerStream(of, stream, {threshold_V, pffft});
const trigSeconds = seconds(t0);

const plan = prepareSevFit(sev, layout, {baselineOrder: 3, maxShift_ms: 5});
const nFit = 1000;
t0 = performance.now();
for (let k = 0; k < nFit; k++) sink += fitRecord(plan, records[2 * k]).height_V;
const fitSeconds = seconds(t0);

console.log(JSON.stringify({
  of_records: records.length,
  of_records_per_s: records.length / ofBatchSeconds,
  of_float64_reference_records_per_s: records.length / ofSeconds,
  trigger_stream_s: stream_s,
  trigger_samples_per_s: stream.length / trigSeconds,
  trigger_x_real_time: stream.length / trigSeconds / layout.sampleFrequency_Hz,
  trigger_float64_reference_x_real_time: stream.length / trig64Seconds / layout.sampleFrequency_Hz,
  triggers: triggers.length,
  triggers_float64_reference: triggers64.length,
  sev_fit_records: nFit,
  sev_fit_records_per_s: nFit / fitSeconds,
  checksum: Number.isFinite(sink) ? 1 : 0
}));
