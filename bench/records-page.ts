// Browser side of bench/records.ts, bundled by esbuild into a one-page site: the page's own
// record path (RecordStoreClient → recordViewer with Observable Plot), timed per event.

import * as Plot from "@observablehq/plot";
import {RecordStoreClient} from "../lib/io/recordStoreClient.js";
import {recordViewer} from "../lib/plot/recordViewer.js";

let client: RecordStoreClient | undefined;
const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(null)));

/** Fetch + decode + draw of one event, to the next frame: {fetch_ms, total_ms}. */
async function show(event: number): Promise<{fetch_ms: number; total_ms: number}> {
  const t0 = performance.now();
  const records = await client!.readEvent("events", event);
  const t1 = performance.now();
  const figure = recordViewer(Plot, records, client!.layout, {channels: client!.channels, unit: client!.unit, event, width: 900, height: 280});
  document.querySelector("#viewer")!.replaceChildren(figure);
  await frame();
  return {fetch_ms: t1 - t0, total_ms: performance.now() - t0};
}

(window as unknown as {bench: unknown}).bench = {
  async open(url: string) {
    const t0 = performance.now();
    client = await RecordStoreClient.open(url);
    await client.keptEvents("events");
    return {events: client.total("events"), sample: client.sampleDescription, blockBytes: client.header.blockBytes, open_and_index_ms: performance.now() - t0, index_bytes: 4 * client.header.groups.events!.kept};
  },
  show,
  requests: () => client!.requests
};
