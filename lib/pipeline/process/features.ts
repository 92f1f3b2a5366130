// Stage "features" (pass 1): main parameters of every record of every group the chain
// touches, with the test-pulse amplitude `tpa` for test pulses; named in the data's unit.
import {computeFeatures, inUnit} from "../../dsp/features.js";
import type {ProcessConfig} from "../../config/processConfig.js";
import type {RecordGroup} from "../../types.js";
import {concatColumns} from "../../io/columns.js";
import type {Stage} from "../stage.js";
import {chainGroups, eventRange, packTables, type Columns, type ProcessContext} from "./context.js";

export interface FeaturesParams {
  groups: RecordGroup[];
}

export const featuresStage: Stage<ProcessConfig, ProcessContext, FeaturesParams> = {
  name: "features",
  module: import.meta.url,
  provides: ["GROUP/<main parameters>", "testpulses/tpa"],
  params: (config) => ({groups: chainGroups(config)}),
  needs: () => [],
  async compute({}, {groups}, ctx) {
    const {file, chunkEvents, featureChunks, log} = ctx;
    const {layout, unit} = file.dataset;
    const nChannels = file.dataset.channels.length;
    const tables = new Map<RecordGroup, Columns>();
    // In this thread unless the caller hands the chunks out (to worker threads).
    function* here(g: RecordGroup): Generator<{columns: Columns; testpulseAmplitude?: Float64Array}> {
      for (const chunk of file.chunks(g, chunkEvents, ...eventRange(ctx, g))) {
        const {rows: _rows, ...columns} = computeFeatures(chunk, layout);
        yield {columns: columns as Columns, testpulseAmplitude: chunk.testpulseAmplitude};
      }
    }
    for (const g of groups) {
      const parts: Columns[] = [];
      for await (const {columns, testpulseAmplitude} of featureChunks?.(g, ...eventRange(ctx, g)) ?? here(g)) {
        // Columns carry the data's unit: pulse_height_V for volts, pulse_height_A for amperes.
        const part = inUnit(columns, unit);
        if (testpulseAmplitude) {
          // Rows are event-major (row = i·nChannels + c): row r belongs to event ⌊r/nChannels⌋.
          part.tpa = Float64Array.from({length: part.event.length}, (_, r) => testpulseAmplitude[Math.floor(r / nChannels)]);
        }
        parts.push(part);
      }
      tables.set(g, concatColumns(parts));
      log(`features: ${g} ${tables.get(g)!.event.length} rows`);
    }
    return packTables(tables);
  }
};
