// Stage "optimumFilter": the optimum filter of every channel from its SEV and noise spectrum,
// with the resolution it predicts and the one measured on the selected noise records.
import {amplitudeSpread, ofAmplitudeAtPeak, optimumFilter, type OptimumFilter} from "../../dsp/optimumFilter.js";
import type {OptimumFilterConfig, ProcessConfig} from "../../config/processConfig.js";
import type {RecordLayout} from "../../types.js";
import {formatSI} from "../../math/units.js";
import type {Stage, StageArray, StageOutput} from "../stage.js";
import {forEachSelected, onChannel, type ProcessContext} from "./context.js";
import type {NpsJson} from "./nps.js";

export type OptimumFilterParams = Omit<OptimumFilterConfig, "enabled"> & {channels: ProcessConfig["channels"]};

type FilterFields = Omit<OptimumFilter, "transfer" | "window">;

export interface OptimumFilterJson {
  channels: {
    channel: number;
    filter: FilterFields;
    summary: {predictedResolution_V: number; measuredResolution_V: number; noiseRecords: number};
  }[];
}

/** Search range of the OF maximum in samples from `[from_ms, to_ms]` relative to the trigger. */
function searchRange(search_ms: [number, number] | null, layout: RecordLayout): [number, number] | undefined {
  if (!search_ms) return undefined;
  const at = (ms: number) => Math.round(layout.triggerIndex + (ms / 1000) * layout.sampleFrequency_Hz);
  return [Math.max(0, at(search_ms[0])), Math.min(layout.recordLength, at(search_ms[1]))];
}

/** The filter of `channel` as this stage stored it. */
export function filterOf(output: StageOutput, channel: number): OptimumFilter {
  const entry = (output.json as OptimumFilterJson).channels.find((c) => c.channel === channel);
  if (!entry) throw new Error(`optimumFilter: no filter for channel ${channel}`);
  const window = output.arrays[`ch${channel}/window`] as Float64Array | undefined;
  return {...entry.filter, transfer: output.arrays[`ch${channel}/transfer`] as Float64Array, window: window ?? null};
}

export const optimumFilterStage: Stage<ProcessConfig, ProcessContext, OptimumFilterParams> = {
  name: "optimumFilter",
  module: import.meta.url,
  provides: ["chC/transfer", "chC/window", "resolutions"],
  params: ({optimumFilter: {enabled, ...of}, channels}) => (enabled ? {...of, channels} : null),
  needs: () => ["sev", "nps"],
  compute({sev, nps}, {window, search_ms}, ctx) {
    const {file, channels} = ctx;
    const layout = file.dataset.layout;
    const arrays: {[name: string]: StageArray} = {};
    const json: OptimumFilterJson = {channels: []};
    const npsGroup = (nps.json as NpsJson).group;
    const filters = new Map(channels.map((c) => [c, onChannel(c, () =>
      optimumFilter(sev.arrays[`sev_ch${c}`], nps.arrays[`psd_ch${c}_V2_per_Hz`], layout, {window: window ? "tukey" : "none", search: searchRange(search_ms, layout)}))]));
    // The measured resolution: the filtered value at t_m of every noise record the NPS used,
    // each event read once for all channels.
    const picks = new Map(channels.map((c) => [c, nps.arrays[`picks_ch${c}`] as Int32Array]));
    const amplitudeAt = new Map(channels.map((c) => [c, ofAmplitudeAtPeak(filters.get(c)!)]));
    const amplitudes = new Map(channels.map((c) => [c, new Float64Array(picks.get(c)!.length)]));
    const filled = new Map(channels.map((c) => [c, 0]));
    forEachSelected(file, npsGroup, picks, (c, record) => onChannel(c, () => {
      const k = filled.get(c)!;
      const a = amplitudeAt.get(c)!(record);
      // Records read without the sample check (forEachSelected): a non-finite sample is refused here.
      if (!Number.isFinite(a)) throw new RangeError("the filtered value is not finite (a sample is NaN or infinite)");
      amplitudes.get(c)![k] = a;
      filled.set(c, k + 1);
    }));
    for (const c of channels) {
      const of = filters.get(c)!;
      const measured = amplitudeSpread(amplitudes.get(c)!);
      const {transfer, window: taper, ...filter} = of;
      arrays[`ch${c}/transfer`] = transfer;
      if (taper) arrays[`ch${c}/window`] = taper;
      json.channels.push({channel: c, filter, summary: {predictedResolution_V: of.resolution_V, measuredResolution_V: measured.sigma_V, noiseRecords: measured.count}});
      ctx.log(`OF ch${c}: resolution predicted ${formatSI(of.resolution_V, file.dataset.unit)}, measured ${formatSI(measured.sigma_V, file.dataset.unit)}`);
    }
    return {arrays, json};
  }
};
