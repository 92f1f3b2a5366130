// The demo's events after the whole DSP chain (`pulsebook process`): main parameters plus OF
// amplitude and time, SEV-fit height and RMS, TPA-equivalent and energy_keV.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {ensureDemoProcessed} from "../../data-loaders/demoProcess.js";

process.stdout.write(readFileSync(join(await ensureDemoProcessed(), "events.parquet")));
