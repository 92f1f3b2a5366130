// The records the pages read in the browser: the run's cait HDF5 file (data-loaders/run.ts;
// the simulated demo module when no run file is configured). A run larger than the pages can
// hold gets its first events, said on stderr with the size.
// pulsebook-depends: @run
import {ensureRunPageFile} from "../../data-loaders/run.js";
import {fileToStdout} from "../../data-loaders/stdout.js";

await fileToStdout(await ensureRunPageFile());
