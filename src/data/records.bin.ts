// The demo run's records as a record store (lib/io/recordStore.ts): the pages read one event per
// HTTP Range request. All events in `npm run dev`, the published sample in a build.
// pulsebook-env: npm_lifecycle_event PULSEBOOK_RECORDS
import {ensureDemoFile, STORE} from "../../data-loaders/demo.js";
import {ensureRecordStore, recordsMode} from "../../data-loaders/recordStore.js";
import {fileToStdout} from "../../data-loaders/stdout.js";

await fileToStdout(await ensureRecordStore(await ensureDemoFile(), STORE, {mode: recordsMode()}));
