// Stage "sevFit" (pass 2): the SEV fitted to every record of every group the chain reads
// (height, onset shift, residual RMS).
import {fitRecord, prepareSevFit, SEV_FIT_COLUMNS, type SevFitPlan} from "../../dsp/sevFit.js";
import {realTransforms} from "../../dsp/fastRealFft.js";
import {loadPffft} from "../../dsp/realConvolver.js";
import type {ProcessConfig, SevFitConfig} from "../../config/processConfig.js";
import {chunkRecord, type EventChunk, type RecordGroup, type RecordLayout} from "../../types.js";
import {unitColumn} from "../../math/units.js";
import type {Stage, StageOutput} from "../stage.js";
import {chainGroups, nanArray, packTables, perChannel, type ProcessContext} from "./context.js";
import type {RecordKernel} from "./kernels.js";
import {computeAlone, type PerRecord} from "./recordPass.js";

export type SevFitParams = Omit<SevFitConfig, "enabled"> & {groups: RecordGroup[]; channels: ProcessConfig["channels"]};

/**
 * The SEV fits of the records of a chunk, for `channels` of `nChannels` (rows event-major;
 * channels not processed are NaN). The same in this thread and on a worker.
 */
export async function sevFitKernel(sev: StageOutput, {baselineOrder, maxShift_ms, truncationLevel_V}: Omit<SevFitConfig, "enabled">, channels: readonly number[], layout: RecordLayout, nChannels: number, input: string): Promise<RecordKernel> {
  const plans = new Map<number, SevFitPlan>(), levels = new Map<number, number | undefined>();
  // One set of the records' transforms for all channels (one record is fitted at a time).
  const transforms = realTransforms(await loadPffft(), layout.recordLength);
  for (const c of channels) {
    plans.set(c, prepareSevFit(sev.arrays[`sev_ch${c}`] as Float64Array, layout, {baselineOrder, maxShift_ms, transforms}));
    levels.set(c, perChannel(truncationLevel_V, c, "sevFit.truncationLevel_V") ?? undefined);
  }
  return {
    columns(chunk: EventChunk) {
      const out: {[name: string]: Float64Array} = {};
      for (const col of SEV_FIT_COLUMNS) out[col.name] = nanArray(chunk.count * nChannels);
      for (let i = 0; i < chunk.count; i++) {
        for (const c of channels) {
          const row = i * nChannels + c;
          let fit;
          try {
            fit = fitRecord(plans.get(c)!, chunkRecord(chunk, c, i), {truncationLevel_V: levels.get(c)});
          } catch (e) {
            throw new Error(`${input} [${chunk.group}] event ${chunk.start + i}, channel ${c}: SEV fit failed (${(e as Error).message})`);
          }
          out.fit_height_V[row] = fit.height_V;
          out.fit_onset_shift_ms[row] = fit.onsetShift_ms;
          out.fit_rms_V[row] = fit.rms_V;
        }
      }
      return out;
    },
    dispose: () => transforms.dispose()
  };
}

const NAMES = SEV_FIT_COLUMNS.map((c) => c.name);

/** The stage's per-record work (its own pass, or one shared with ofAmplitude: recordPass.ts). */
export const sevFitRecords: PerRecord<SevFitParams> = {
  names: NAMES,
  what: "SEV fit",
  groups: ({groups}) => groups,
  spec: ({sev}, params, {channels}) => ({stage: "sevFit", sev, params, channels}),
  open: ({sev}, params, {channels, file, input}) => sevFitKernel(sev, params, channels, file.dataset.layout, file.dataset.channels.length, input),
  pack: (tables, {file}) => packTables(new Map([...tables].map(([g, t]) => [g, Object.fromEntries(NAMES.map((n) => [unitColumn(n, file.dataset.unit), t[n]]))])))
};

export const sevFitStage: Stage<ProcessConfig, ProcessContext, SevFitParams> = {
  name: "sevFit",
  module: import.meta.url,
  provides: SEV_FIT_COLUMNS.map((c) => `GROUP/${c.name}`),
  params: (config) => {
    const {enabled, ...fit} = config.sevFit;
    return enabled ? {...fit, groups: chainGroups(config), channels: config.channels} : null;
  },
  needs: () => ["sev"],
  compute: (inputs, params, ctx) => computeAlone(sevFitRecords, inputs, params, ctx)
};
