// The record viewer fed by the record store (lib/io/recordStoreClient.ts: one Range request per
// event) or a local file (localRecords.ts), drawn when the records arrive. A read the page has moved on from (its cell invalidated, the
// signal aborted) draws nothing; an event the published sample left out, or a failed read,
// becomes a message in place of the figure instead of an error cell.

import type * as PlotModule from "@observablehq/plot";
import {EventNotInStoreError, type RecordSource} from "../io/recordStoreClient.js";
import type {RecordGroup} from "../types.js";
import {recordViewer, type RecordViewerOptions} from "./recordViewer.js";

export interface StoredRecordViewerOptions extends Omit<RecordViewerOptions, "channels" | "unit" | "event"> {
  group?: RecordGroup;
  signal?: AbortSignal;
}

export async function storedRecordViewer(Plot: typeof PlotModule, store: RecordSource, event: number, options: StoredRecordViewerOptions = {}): Promise<Element> {
  const {group = "events", signal, ...viewer} = options;
  let records: Float32Array[];
  try {
    records = await store.readEvent(group, event, signal);
  } catch (e) {
    const div = document.createElement("div");
    if ((e as Error)?.name === "AbortError") {
      div.dataset.role = "aborted";
      return div;
    }
    div.className = e instanceof EventNotInStoreError ? "note" : "warning";
    div.setAttribute("role", "alert");
    div.dataset.role = e instanceof EventNotInStoreError ? "not-published" : "record-error";
    div.textContent = e instanceof EventNotInStoreError ? (e as Error).message : `Could not read ${group} ${event}: ${(e as Error)?.message ?? e}`;
    return div;
  }
  return recordViewer(Plot, records, store.layout, {...viewer, channels: store.channels, unit: store.unit, event});
}
