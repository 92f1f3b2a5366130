// Stage "features" (pass 1): main parameters of every record of every group the chain
// touches, with the test-pulse amplitude `tpa` for test pulses; named in the data's unit.
import {computeFeatures, inUnit} from "../../dsp/features.js";
import type {ProcessConfig} from "../../config/processConfig.js";
import type {RecordGroup} from "../../types.js";
import {concatColumns} from "../../io/columns.js";
import type {Stage} from "../stage.js";
import {chainGroups, packTables, type Columns, type ProcessContext} from "./context.js";

export interface FeaturesParams {
  groups: RecordGroup[];
}

export const featuresStage: Stage<ProcessConfig, ProcessContext, FeaturesParams> = {
  name: "features",
  module: import.meta.url,
  provides: ["GROUP/<main parameters>", "testpulses/tpa"],
  params: (config) => ({groups: chainGroups(config)}),
  needs: () => [],
  compute({}, {groups}, {file, chunkEvents, log}) {
    const {layout, unit} = file.dataset;
    const tables = new Map<RecordGroup, Columns>();
    for (const g of groups) {
      const parts: Columns[] = [];
      for (const chunk of file.chunks(g, chunkEvents)) {
        const {rows, ...cols} = computeFeatures(chunk, layout);
        // Columns carry the data's unit: pulse_height_V for volts, pulse_height_A for amperes.
        const part = inUnit(cols as Columns, unit);
        if (chunk.testpulseAmplitude) {
          // Rows are event-major (row = i·nChannels + c): row r belongs to event ⌊r/nChannels⌋.
          part.tpa = Float64Array.from({length: rows}, (_, r) => chunk.testpulseAmplitude![Math.floor(r / chunk.nChannels)]);
        }
        parts.push(part);
      }
      tables.set(g, concatColumns(parts));
      log(`features: ${g} ${tables.get(g)!.event.length} rows`);
    }
    return packTables(tables);
  }
};
