// Entry of a feature worker thread (see featurePool.ts), run as the main thread runs (hooks/importSource.mjs).
import {importSource} from "./hooks/importSource.mjs";

await importSource("data-loaders/featureWorker.ts");
