// Stage "sevFit" (pass 2): the SEV fitted to every record of every group the chain reads
// (height, onset shift, residual RMS).
import {fitRecord, prepareSevFit, SEV_FIT_COLUMNS, type SevFitPlan} from "../../dsp/sevFit.js";
import type {ProcessConfig, SevFitConfig} from "../../config/processConfig.js";
import {chunkRecord, type RecordGroup} from "../../types.js";
import {unitColumn} from "../../math/units.js";
import type {Stage} from "../stage.js";
import {chainGroups, eventRange, nanArray, packTables, perChannel, type Columns, type ProcessContext} from "./context.js";

export type SevFitParams = Omit<SevFitConfig, "enabled"> & {groups: RecordGroup[]; channels: ProcessConfig["channels"]};

export const sevFitStage: Stage<ProcessConfig, ProcessContext, SevFitParams> = {
  name: "sevFit",
  module: import.meta.url,
  provides: SEV_FIT_COLUMNS.map((c) => `GROUP/${c.name}`),
  params: (config) => {
    const {enabled, ...fit} = config.sevFit;
    return enabled ? {...fit, groups: chainGroups(config), channels: config.channels} : null;
  },
  needs: () => ["sev"],
  compute({sev}, {groups, baselineOrder, maxShift_ms, truncationLevel_V}, ctx) {
    const {file, channels, chunkEvents, input, log} = ctx;
    const {layout} = file.dataset;
    const nChannels = file.dataset.channels.length;
    const plans = new Map<number, SevFitPlan>();
    for (const c of channels) plans.set(c, prepareSevFit(sev.arrays[`sev_ch${c}`] as Float64Array, layout, {baselineOrder, maxShift_ms}));
    const tables = new Map<RecordGroup, Columns>();
    for (const g of groups) {
      const [from, to] = eventRange(ctx, g);
      const rows = (to - from) * nChannels;
      const out: {[name: string]: Float64Array} = {};
      for (const col of SEV_FIT_COLUMNS) out[col.name] = nanArray(rows);
      for (const chunk of file.chunks(g, chunkEvents, from, to)) {
        for (let i = 0; i < chunk.count; i++) {
          for (const c of channels) {
            const row = (chunk.start - from + i) * nChannels + c;
            const level = perChannel(truncationLevel_V, c, "sevFit.truncationLevel_V") ?? undefined;
            let fit;
            try {
              fit = fitRecord(plans.get(c)!, chunkRecord(chunk, c, i), {truncationLevel_V: level});
            } catch (e) {
              throw new Error(`${input} [${g}] event ${chunk.start + i}, channel ${c}: SEV fit failed (${(e as Error).message})`);
            }
            out.fit_height_V[row] = fit.height_V;
            out.fit_onset_shift_ms[row] = fit.onsetShift_ms;
            out.fit_rms_V[row] = fit.rms_V;
          }
        }
      }
      tables.set(g, Object.fromEntries(Object.entries(out).map(([name, a]) => [unitColumn(name, file.dataset.unit), a])));
      log(`SEV fit: ${g} done`);
    }
    return packTables(tables);
  }
};
