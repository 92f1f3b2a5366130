// One measured run of the features pipeline in a fresh process, so that peak RSS belongs to it
// alone. Prints one JSON line. `baselineRSS_MiB` is the peak after loading the wasm libraries
// and before reading any record: h5wasm's module alone takes most of it, whatever the file.
import h5wasm from "h5wasm/node";
import "parquet-wasm";

await h5wasm.ready;
const baselineRSS_MiB = process.resourceUsage().maxRSS / 1024;
const {writeFeatures} = await import("../data-loaders/features.js");
const [input, output, chunkEvents] = process.argv.slice(2);
const t0 = performance.now();
const {rows, events} = await writeFeatures(input, output, {chunkEvents: Number(chunkEvents ?? 64), command: "bench"});
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({rows, events, seconds, baselineRSS_MiB, maxRSS_MiB: process.resourceUsage().maxRSS / 1024}));
