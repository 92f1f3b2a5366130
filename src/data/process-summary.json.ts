// summary.json of the processed demo run: config, provenance, SEV/NPS counts, OF resolutions
// (predicted and measured) and the calibration of each channel.
import {demoProcessSummary} from "../../data-loaders/demoProcess.js";

process.stdout.write(await demoProcessSummary());
