// Entry of an inference worker thread (see mlPool.ts): TypeScript via tsx and TensorFlow.js
// from its ESM build, as in the main thread, then the worker's message loop.
import {register} from "tsx/esm/api";

register();
await import("./tfjs/registerTfjsEsm.mjs");
await import("./mlWorker.ts");
