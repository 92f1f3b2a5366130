// summary.json of the processed run (the demo's when no run is configured): config, provenance,
// SEV/NPS counts, OF resolutions (predicted and measured) and the calibration of each channel.
// pulsebook-depends: @run
import {runProcessSummary} from "../../data-loaders/run.js";

process.stdout.write(await runProcessSummary());
