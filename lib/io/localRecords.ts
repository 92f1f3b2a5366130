// A user's own .h5 picked in the page, as a RecordSource. h5wasm reads from its in-memory file
// system, so the file is read whole: fine up to LOCAL_RECORDS_MAX_BYTES, refused above with what
// to do instead (a run file and a build: the pages then read the record store event by event).

import {openCaitBuffer, type BrowserH5Module} from "./browser.js";
import {DataFileError} from "./errors.js";
import type {RecordSource} from "./recordStoreClient.js";
import type {RecordGroup} from "../types.js";

/** Largest local file the page reads into memory (a tab has a few GB at most, often less). */
export const LOCAL_RECORDS_MAX_BYTES = 1024 ** 3;

export async function openLocalRecords(h5wasm: BrowserH5Module, file: Blob & {name: string}, maxBytes = LOCAL_RECORDS_MAX_BYTES): Promise<RecordSource & {close(): void}> {
  if (file.size > maxBytes) {
    throw new DataFileError(file.name, `${(file.size / 1e9).toFixed(1)} GB is more than this page reads into browser memory (${(maxBytes / 1e9).toFixed(1)} GB). Write a run file for it (\`pulsebook init --run ${file.name}\`) and run \`npm run dev\`: the pages then read its records one event at a time from the record store.`);
  }
  const cait = await openCaitBuffer(h5wasm, await file.arrayBuffer(), file.name);
  return {
    channels: cait.dataset.channels.map((c) => c.name),
    unit: cait.dataset.unit,
    layout: cait.dataset.layout,
    sampleDescription: `all events of ${cait.count("events")} (${file.name}, read in this browser)`,
    readEvent: async (group: RecordGroup, event: number) => cait.readEvent(group, event),
    close: () => cait.close()
  };
}
