// One measured raw-data run in a fresh process (peak RSS belongs to it alone); prints one JSON line.
//   raw-worker.ts convert RUN.rdt OUT.h5
//   raw-worker.ts trigger|trigger32 OF.h5 OUT.h5 THRESHOLDS STREAM…   (trigger32: PFFFT float32)
import h5wasm from "h5wasm/node";

await h5wasm.ready;
const baselineRSS_MiB = process.resourceUsage().maxRSS / 1024;
const [mode, ...args] = process.argv.slice(2);
const t0 = performance.now();
let info: object;
if (mode === "convert") {
  const {convertRdt} = await import("../data-loaders/convert.js");
  const r = await convertRdt(args[0], args[1], {channels: [0, 1], command: "bench"});
  info = {records: r.records, counts: r.counts};
} else {
  const {triggerCsmpl} = await import("../data-loaders/streamTrigger.js");
  const [of, out, thresholds, ...streams] = args;
  const r = await triggerCsmpl(streams, out, {of, thresholds_V: thresholds.split(",").map(Number), command: "bench", precision: mode === "trigger32" ? "float32" : "float64"});
  info = {samples_per_stream: r.streamSamples, streams: streams.length, triggers: r.triggers.map((t) => t.length), counts: r.counts};
}
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({...info, seconds, baselineRSS_MiB, maxRSS_MiB: process.resourceUsage().maxRSS / 1024}));
