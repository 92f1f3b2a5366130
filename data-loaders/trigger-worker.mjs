// Entry of a trigger worker thread (see streamTrigger.ts): TypeScript via tsx, installed packages
// as they are (hooks/dependenciesAsIs.mjs), as in the main thread, then the worker itself.
import {register} from "tsx/esm/api";

register();
await import("./hooks/registerDependenciesAsIs.mjs");
await import("./triggerWorker.ts");
