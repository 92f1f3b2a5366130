// Child of the import memory test: imports argv[2] into argv[3] and prints the RSS after the
// first chunk (h5wasm started, buffers allocated) and the most over every later chunk.
import {register} from "tsx/esm/api";

register();
const {importTraces} = await import("../../data-loaders/import/importTraces.ts");
let first = 0, peak = 0;
await importTraces(process.argv[2], process.argv[3], {
  sampleFrequency_Hz: 1e5, layout: "ecs", warn: () => {},
  onProgress() {
    const rss = process.memoryUsage().rss;
    if (first === 0) first = rss;
    else peak = Math.max(peak, rss);
  }
});
console.log(JSON.stringify({first, peak}));
