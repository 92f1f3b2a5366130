// Main pulse parameters of the demo events, one row per (event, channel), as Parquet.
import {ensureDemoFeatures} from "../../data-loaders/demo.js";
import {fileToStdout} from "../../data-loaders/stdout.js";

await fileToStdout(await ensureDemoFeatures());
