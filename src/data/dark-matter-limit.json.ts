// The report "From raw records to a dark-matter limit" on the demo run: spectrum after cleaning,
// efficiency of injected pulses with Clopper–Pearson intervals, exposure and the CaWO4 limits.
// pulsebook-depends: src/cuts @run
import {fileURLToPath} from "node:url";
import {darkMatterLimitReport} from "../../data-loaders/darkMatterLimit.js";

process.stdout.write(JSON.stringify(await darkMatterLimitReport(fileURLToPath(new URL("../cuts/", import.meta.url)))));
