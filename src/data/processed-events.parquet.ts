// The demo's events after the whole DSP chain (`pulsebook process`): main parameters plus OF
// amplitude and time, SEV-fit height and RMS, TPA-equivalent and energy_keV.
import {demoProcessTable} from "../../data-loaders/demoProcess.js";

process.stdout.write(await demoProcessTable("events.parquet"));
