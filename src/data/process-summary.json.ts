// summary.json of the processed demo run: config, provenance, SEV/NPS counts, OF resolutions
// (predicted and measured) and the calibration of each channel.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {ensureDemoProcessed} from "../../data-loaders/demoProcess.js";

process.stdout.write(readFileSync(join(await ensureDemoProcessed(), "summary.json")));
