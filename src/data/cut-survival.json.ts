// The cuts of src/cuts/*.cut.json applied, in file order, to the run's feature table: pass counts,
// the phonon pulse-height spectrum before and after each cut, and the classes (the simulation's
// true labels) of the events that survive.
// pulsebook-depends: src/cuts @run
import {fileURLToPath} from "node:url";
import {cutSurvivalReport} from "../../data-loaders/cutSurvival.js";

process.stdout.write(JSON.stringify(await cutSurvivalReport(fileURLToPath(new URL("../cuts/", import.meta.url)))));
