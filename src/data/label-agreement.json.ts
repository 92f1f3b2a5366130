// Every analyst's labels from labels/ (AUTHOR.parquet) for the run the site shows, or two
// simulated example analysts when the folder holds none (data-loaders/labelAgreement.ts).
// pulsebook-depends: labels @run
import {fileURLToPath} from "node:url";
import {ensureRunFeatures} from "../../data-loaders/run.js";
import {agreementData, labelsFolder} from "../../data-loaders/labelAgreement.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
process.stdout.write(JSON.stringify(agreementData(labelsFolder(root), await ensureRunFeatures(), {root, featuresName: "features.parquet"})));
