// Every declared run (pulsebook.yaml, runs/*.yaml) side by side, for the index page: each
// run's header (events, channels, record length, sample rate, unit, title) and its phonon
// pulse-height spectrum from its feature table in the reuse store (data-loaders/runs.ts).
// pulsebook-depends: @runs @run
import {runsReport} from "../../data-loaders/runs.js";

process.stdout.write(JSON.stringify(await runsReport()));
