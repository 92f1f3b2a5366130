// The run the pages show, for the run banner (src/components/runBanner.js): title, name, run
// file, data file, events × channels, record length, sample rate, unit, and the declared
// record sample; "demo" when no run file is configured (docs/runs.md).
// pulsebook-depends: @run
import {runHeader} from "../../data-loaders/run.js";

process.stdout.write(JSON.stringify(await runHeader()));
