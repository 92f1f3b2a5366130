// Every analyst's labels from labels/ (AUTHOR.parquet) for the run the site shows, or two
// simulated example analysts when the folder holds none (data-loaders/labelAgreement.ts).
// pulsebook-depends: labels
import {fileURLToPath} from "node:url";
import {ensureDemoFeatures} from "../../data-loaders/demo.js";
import {agreementData, labelsFolder} from "../../data-loaders/labelAgreement.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
process.stdout.write(JSON.stringify(agreementData(labelsFolder(root), await ensureDemoFeatures(), {root, featuresName: "features.parquet"})));
