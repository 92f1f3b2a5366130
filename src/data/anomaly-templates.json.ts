// Template events for the anomaly-search report: 10,000 simulated ER and NR events each,
// scored by the committed models (models/anomaly/, made by `pulsebook train-anomaly`).
import {scoreTemplates} from "../../data-loaders/anomaly.js";

process.stdout.write(JSON.stringify(await scoreTemplates({events: 10000})));
