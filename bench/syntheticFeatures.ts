// A feature table of a large run for the labeling benchmark and the big-run screenshots: the
// demo's feature table replicated to `nEvents` events with a ±2.5 % jitter per value, so that
// the points have the demo run's distribution. Events are numbered 0 … nEvents − 1.

import {encodeParquet, readParquet, type Columns} from "../data-loaders/io/parquet.js";

export function syntheticTable(demo: Uint8Array, nEvents: number): Uint8Array {
  const t = readParquet(demo, "features.parquet");
  const nRows = t.numRows;
  const nChannels = new Set(Array.from(t.getChild("channel")!.toArray() as Int32Array)).size;
  const demoEvents = nRows / nChannels;
  const rows = nEvents * nChannels;
  const out: Columns = {};
  let seed = 12345;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const jitter = Float64Array.from({length: rows}, () => 1 + 0.05 * (rand() - 0.5));
  for (const field of t.schema.fields) {
    const src = t.getChild(field.name)!.toArray() as ArrayLike<number>;
    if (field.name === "event") out.event = Int32Array.from({length: rows}, (_, r) => Math.floor(r / nChannels));
    else if (field.name === "channel" || field.name === "label") out[field.name] = Int32Array.from({length: rows}, (_, r) => Number(src[(Math.floor(r / nChannels) % demoEvents) * nChannels + (r % nChannels)]));
    else out[field.name] = Float64Array.from({length: rows}, (_, r) => Number(src[(Math.floor(r / nChannels) % demoEvents) * nChannels + (r % nChannels)]) * jitter[r]);
  }
  return encodeParquet(out, {"pulsebook.table": "features", "pulsebook.benchmark": `demo replicated to ${nEvents} events`});
}
