// Main pulse parameters of the demo test pulses, one row per (test pulse, channel), plus the
// test-pulse amplitude (TPA) the pulser was set to. Input of the calibration tutorial.
import {ensureDemoFile} from "../../data-loaders/demo.js";
import {testpulseFeatures} from "../../data-loaders/features.js";

process.stdout.write(await testpulseFeatures(await ensureDemoFile(), "src/data/testpulse-features.parquet.ts"));
