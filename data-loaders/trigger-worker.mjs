// Entry of a trigger worker thread (see streamTrigger.ts), run as the main thread runs (hooks/importSource.mjs).
import {importSource} from "./hooks/importSource.mjs";

await importSource("data-loaders/triggerWorker.ts");
