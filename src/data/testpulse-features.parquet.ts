// Main pulse parameters of the run's test pulses (the demo's when no run is configured), one row
// per (test pulse, channel), plus the test-pulse amplitude (TPA) the pulser was set to. Input
// of the calibration tutorial.
// pulsebook-depends: @run
import {runTestpulseFeatures} from "../../data-loaders/run.js";

process.stdout.write(await runTestpulseFeatures("src/data/testpulse-features.parquet.ts"));
