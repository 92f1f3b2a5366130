// One measured run of the features pipeline in a fresh process, so that peak RSS belongs to it
// alone. Prints one JSON line.
import {writeFeatures} from "../data-loaders/features.js";

const [input, output, chunkEvents] = process.argv.slice(2);
const t0 = performance.now();
const {rows, events} = await writeFeatures(input, output, {chunkEvents: Number(chunkEvents ?? 64), command: "bench"});
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({rows, events, seconds, maxRSS_MiB: process.resourceUsage().maxRSS / 1024}));
