// Who changed each cut of src/cuts and when: its format version and the git history of its file
// (data-loaders/cutHistory.ts); outside a git checkout, a note saying so.
// pulsebook-depends: src/cuts
import {fileURLToPath} from "node:url";
import {cutHistory} from "../../data-loaders/cutHistory.js";

process.stdout.write(JSON.stringify(cutHistory(fileURLToPath(new URL("../cuts/", import.meta.url)), {name: "src/cuts"})));
