// Stage "ofAmplitude" (pass 2): the optimum-filter amplitude and time of every record of every
// group the chain reads.
import {ofBatch, type OfBatch} from "../../dsp/ofBatch.js";
import type {ProcessConfig} from "../../config/processConfig.js";
import {chunkRecord, type RecordGroup} from "../../types.js";
import {unitColumn} from "../../math/units.js";
import type {Stage} from "../stage.js";
import {chainGroups, eventRange, nanArray, packTables, type Columns, type ProcessContext} from "./context.js";
import {filterOf} from "./optimumFilter.js";

export interface OfAmplitudeParams {
  groups: RecordGroup[];
  channels: ProcessConfig["channels"];
}

export const ofAmplitudeStage: Stage<ProcessConfig, ProcessContext, OfAmplitudeParams> = {
  name: "ofAmplitude",
  module: import.meta.url,
  provides: ["GROUP/of_amplitude_<unit>", "GROUP/of_time_ms"],
  params: (config) => (config.optimumFilter.enabled ? {groups: chainGroups(config), channels: config.channels} : null),
  needs: () => ["optimumFilter"],
  async compute({optimumFilter}, {groups}, ctx) {
    const {file, channels, chunkEvents, log} = ctx;
    const nChannels = file.dataset.channels.length;
    const batches = new Map<number, OfBatch>();
    try {
      for (const c of channels) batches.set(c, await ofBatch(filterOf(optimumFilter, c)));
      const tables = new Map<RecordGroup, Columns>();
      for (const g of groups) {
        const [from, to] = eventRange(ctx, g);
      const rows = (to - from) * nChannels;
        const amplitude = nanArray(rows), time = nanArray(rows);
        for (const chunk of file.chunks(g, chunkEvents, from, to)) {
          for (let i = 0; i < chunk.count; i++) {
            for (const c of channels) {
              const row = (chunk.start - from + i) * nChannels + c;
              const a = batches.get(c)!.amplitude(chunkRecord(chunk, c, i));
              amplitude[row] = a.amplitude_V;
              time[row] = a.time_ms;
            }
          }
        }
        tables.set(g, {[unitColumn("of_amplitude_V", file.dataset.unit)]: amplitude, of_time_ms: time});
        log(`OF amplitudes: ${g} done`);
      }
      return packTables(tables);
    } finally {
      for (const b of batches.values()) b.dispose();
    }
  }
};
