// The labeling page's Parquet decode worker (src/workers/featureDecode.ts, parquet-wasm's glue
// and apache-arrow), bundled into one script the page starts with `new Worker(url)`.
// pulsebook-depends: src/workers lib
import {bundleWorker} from "../../data-loaders/workerBundle.js";

process.stdout.write(await bundleWorker("src/workers/featureDecode.ts"));
