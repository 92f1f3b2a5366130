// The processed run's event parts end to end, in the order and at the byte ranges that
// processed-parts.json gives (read by the page with HTTP range requests).
// pulsebook-depends: @run
import {runProcessedParts} from "../../data-loaders/run.js";

process.stdout.write((await runProcessedParts()).bytes);
