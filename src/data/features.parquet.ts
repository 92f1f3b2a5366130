// Main pulse parameters of the run's events (the demo's when no run is configured), one row per
// (event, channel), as Parquet.
// pulsebook-depends: @run
import {ensureRunFeatures} from "../../data-loaders/run.js";
import {fileToStdout} from "../../data-loaders/stdout.js";

await fileToStdout(await ensureRunFeatures());
