// Demo data for the notebooks: a simulated CRESST-like module in cait's HDF5 layout.
import {ensureDemoFile} from "../../data-loaders/demo.js";
import {fileToStdout} from "../../data-loaders/stdout.js";

await fileToStdout(await ensureDemoFile());
