// The anomaly-search report's Web Worker (src/workers/anomaly.ts and the lib/ code it runs),
// bundled into one script the page starts with `new Worker(url)`.
// pulsebook-depends: src/workers lib
import {bundleWorker} from "../../data-loaders/workerBundle.js";

process.stdout.write(await bundleWorker("src/workers/anomaly.ts"));
