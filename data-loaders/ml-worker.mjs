// Entry of an inference worker thread (see mlPool.ts): TypeScript via tsx, installed packages
// as they are (see hooks/dependenciesAsIs.mjs) and TensorFlow.js from its ESM build, as in the
// main thread, then the worker's message loop.
import {register} from "tsx/esm/api";

register();
await import("./hooks/registerDependenciesAsIs.mjs");
await import("./tfjs/registerTfjsEsm.mjs");
await import("./mlWorker.ts");
