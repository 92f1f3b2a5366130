// The records of the run the pages show (the demo without a run file) as a record store
// (lib/io/recordStore.ts): the pages read one event per HTTP Range request. All events in
// `npm run dev`, the published sample (the run file's `publish.records`) in a build.
// pulsebook-env: npm_lifecycle_event PULSEBOOK_RECORDS
// pulsebook-depends: @run
import {STORE} from "../../data-loaders/demo.js";
import {ensureRecordStore, recordsMode} from "../../data-loaders/recordStore.js";
import {activeRun, ensureRunInput} from "../../data-loaders/run.js";
import {fileToStdout} from "../../data-loaders/stdout.js";

const active = activeRun();
const declared = active.kind === "run" ? active.run.publish.records : undefined;
await fileToStdout(await ensureRecordStore(await ensureRunInput(active), STORE, {mode: recordsMode(), declared}));
