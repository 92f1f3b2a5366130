// Input of the tutorial "From the DAQ": a simulated run written as the DAQ writes it (.rdt, .par,
// .con, .csmpl streams with their stamps and .db), converted and triggered with Pulsebook, each
// result next to what the simulation put into the files (data-loaders/daqTutorial.ts).
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {daqTutorial} from "../../data-loaders/daqTutorial.js";

const dir = mkdtempSync(join(tmpdir(), "pulsebook-daq-"));
try {
  process.stdout.write(JSON.stringify(await daqTutorial(dir)));
} finally {
  rmSync(dir, {recursive: true, force: true});
}
