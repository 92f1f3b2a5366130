// A user's run of a detector outside the CNN's training family (fast light pulses,
// lib/ml/data/shiftedDetectors.ts) as the fine-tuning tests need it: an HDF5 file without labels
// and the user's label table (CSV) for it, as a measured run and the labeling page would give.
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {createCaitFile} from "../../data-loaders/io/node.ts";
import {datasetIdOfFile} from "../../data-loaders/trainLabels.ts";
import {simulateChunk} from "../../lib/sim/index.ts";
import {encodeLabelsCsv} from "../../lib/labels/csv.ts";
import type {LabelEntry} from "../../lib/labels/book.ts";
import type {DetectorPreset} from "../../lib/sim/presets.ts";

/** Writes `run.h5` (n events of `preset`, labels removed) and `run-labels.csv` (those labels) into `dir`. */
export async function writeLabelledRun(dir: string, preset: DetectorPreset, n: number, seed: number): Promise<{h5: string; csv: string}> {
  const h5 = join(dir, "run.h5"), csv = join(dir, "run-labels.csv");
  const {chunk} = simulateChunk(preset, {group: "events", start: 0, count: n, seed});
  const entries: LabelEntry[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      const label = chunk.labels![c * n + i];
      if (label) entries.push({event: i, channel: c, label, author: "t", time: "2026-12-05T10:00:00.000Z", note: ""});
    }
  }
  delete chunk.labels;
  await createCaitFile(h5, {layout: preset.layout, channelNumbers: preset.channelNumbers, groups: [{group: "events", count: n}]}, (w) => w.write(chunk));
  writeFileSync(csv, encodeLabelsCsv(entries, datasetIdOfFile(h5)));
  return {h5, csv};
}
