// Simulates the benchmark file in a fresh process and reports its speed and peak RSS.
import {writeSimulation} from "../data-loaders/simulate.js";

const [output, events, seed] = process.argv.slice(2);
const t0 = performance.now();
await writeSimulation(output, {events: Number(events), seed: Number(seed)});
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({events: Number(events), seconds, maxRSS_MiB: process.resourceUsage().maxRSS / 1024}));
