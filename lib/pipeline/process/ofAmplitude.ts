// Stage "ofAmplitude" (pass 2): the optimum-filter amplitude and time of every record of every
// group the chain reads.
import {ofBatch, type OfBatch} from "../../dsp/ofBatch.js";
import type {ProcessConfig} from "../../config/processConfig.js";
import {chunkRecord, type EventChunk, type RecordGroup} from "../../types.js";
import {unitColumn} from "../../math/units.js";
import type {Stage, StageOutput} from "../stage.js";
import {chainGroups, nanArray, packTables, type ProcessContext} from "./context.js";
import type {RecordKernel} from "./kernels.js";
import {filterOf} from "./optimumFilter.js";
import {computeAlone, type PerRecord} from "./recordPass.js";

export interface OfAmplitudeParams {
  groups: RecordGroup[];
  channels: ProcessConfig["channels"];
}

/**
 * The OF amplitudes and times of the records of a chunk, for `channels` of `nChannels` (rows
 * event-major; channels not processed are NaN). The same in this thread and on a worker.
 */
export async function ofAmplitudeKernel(optimumFilter: StageOutput, channels: readonly number[], nChannels: number): Promise<RecordKernel> {
  const batches = new Map<number, OfBatch>();
  try {
    for (const c of channels) batches.set(c, await ofBatch(filterOf(optimumFilter, c)));
  } catch (e) {
    for (const b of batches.values()) b.dispose();
    throw e;
  }
  return {
    columns(chunk: EventChunk) {
      const rows = chunk.count * nChannels;
      const amplitude = nanArray(rows), time = nanArray(rows);
      for (let i = 0; i < chunk.count; i++) {
        for (const c of channels) {
          const a = batches.get(c)!.amplitude(chunkRecord(chunk, c, i));
          // A NaN or infinite sample makes every filtered value non-finite: the records are read
          // without the sample check, and this is how a pass learns of one (the caller's
          // CaitFile.checkedError then names it).
          if (!Number.isFinite(a.amplitude_V)) throw new RangeError(`${chunk.group} event ${chunk.start + i}, channel ${c}: the OF amplitude is not finite (a sample is NaN or infinite, or beyond float32's range)`);
          amplitude[i * nChannels + c] = a.amplitude_V;
          time[i * nChannels + c] = a.time_ms;
        }
      }
      return {of_amplitude_V: amplitude, of_time_ms: time};
    },
    dispose() {
      for (const b of batches.values()) b.dispose();
    }
  };
}

/** The stage's per-record work (its own pass, or one shared with sevFit: recordPass.ts). */
export const ofAmplitudeRecords: PerRecord<OfAmplitudeParams> = {
  names: ["of_amplitude_V", "of_time_ms"],
  what: "OF amplitudes",
  groups: ({groups}) => groups,
  spec: ({optimumFilter}, _params, {channels}) => ({stage: "ofAmplitude", optimumFilter, channels}),
  open: ({optimumFilter}, _params, {channels, file}) => ofAmplitudeKernel(optimumFilter, channels, file.dataset.channels.length),
  pack(tables, {file}) {
    const amplitude = unitColumn("of_amplitude_V", file.dataset.unit);
    return packTables(new Map([...tables].map(([g, t]) => [g, {[amplitude]: t.of_amplitude_V, of_time_ms: t.of_time_ms}])));
  }
};

export const ofAmplitudeStage: Stage<ProcessConfig, ProcessContext, OfAmplitudeParams> = {
  name: "ofAmplitude",
  module: import.meta.url,
  provides: ["GROUP/of_amplitude_<unit>", "GROUP/of_time_ms"],
  params: (config) => (config.optimumFilter.enabled ? {groups: chainGroups(config), channels: config.channels} : null),
  needs: () => ["optimumFilter"],
  compute: (inputs, params, ctx) => computeAlone(ofAmplitudeRecords, inputs, params, ctx)
};
