// The run's events after the whole DSP chain (`pulsebook process`; the demo's when no run is
// configured): main parameters plus OF amplitude and time, SEV-fit height and RMS,
// TPA-equivalent and energy_keV.
// pulsebook-depends: @run
import {runProcessTable} from "../../data-loaders/run.js";

process.stdout.write(await runProcessTable("events.parquet"));
