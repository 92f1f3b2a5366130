// Entry of an inference worker thread (see mlPool.ts), run as the main thread runs
// (hooks/importSource.mjs), TensorFlow.js from its ESM build; then the worker's message loop.
import {importSource} from "./hooks/importSource.mjs";

await importSource("data-loaders/mlWorker.ts", {tfjs: true});
