// Stage "nps": the noise power spectrum of every channel from the records of `nps.group` that
// `nps.selection` picks; the picked events are kept for the filter's measured resolution.
import {NoiseSpectrumBuilder, type NoiseSpectrum} from "../../dsp/nps.js";
import type {CaitFile} from "../../io/caitFile.js";
import type {RecordGroup, RecordLayout} from "../../types.js";
import {realTransforms} from "../../dsp/fastRealFft.js";
import {loadPffft} from "../../dsp/realConvolver.js";
import type {NpsConfig, ProcessConfig} from "../../config/processConfig.js";
import {ConfigError} from "../../config/configError.js";
import {basename} from "../../config/posixPath.js";
import type {Stage, StageArray} from "../stage.js";
import {forEachSelected, onChannel, perChannel, tableOf, type ProcessContext} from "./context.js";

export type NpsParams = Omit<NpsConfig, "enabled"> & {channels: ProcessConfig["channels"]};

export interface NpsJson {
  group: NpsConfig["group"];
  channels: {channel: number; records: number; selected: number}[];
}

/**
 * The NPS of each channel of `picks` over its picked records of `group` of `file`, each event
 * read once for all channels; the records transformed by PFFFT (float32, see NoiseSpectrumBuilder):
 * fft.js's float64 transforms were most of this stage's time. What a worker thread computes for
 * the stage (ProcessContext.noiseSpectra) with `layout` the calling thread's.
 */
export async function noiseSpectra(file: CaitFile, layout: RecordLayout, group: RecordGroup, picks: Map<number, Int32Array>, window: NpsConfig["window"]): Promise<Map<number, NoiseSpectrum>> {
  const transforms = realTransforms(await loadPffft(), layout.recordLength);
  const builders = new Map<number, NoiseSpectrumBuilder>();
  try {
    for (const c of picks.keys()) builders.set(c, new NoiseSpectrumBuilder(layout, {window}, transforms));
    forEachSelected(file, group, picks, (c, record) => onChannel(c, () => builders.get(c)!.add(record)));
    return new Map([...builders].map(([c, b]) => [c, onChannel(c, () => b.result())]));
  } finally {
    for (const b of builders.values()) b.dispose();
    transforms.dispose();
  }
}

export const npsStage: Stage<ProcessConfig, ProcessContext, NpsParams> = {
  name: "nps",
  module: import.meta.url,
  provides: ["frequency_Hz", "psd_chC_V2_per_Hz", "picks_chC"],
  params: ({nps: {enabled, ...nps}, channels}) => (enabled ? {...nps, channels} : null),
  needs: () => ["features"],
  async compute({features}, {group, selection, window}, ctx) {
    const {channels, file} = ctx;
    const picks = await ctx.select(tableOf(features, group), channels, (c) => perChannel(selection, c, "nps.selection"), "nps.selection");
    const arrays: {[name: string]: StageArray} = {};
    const json: NpsJson = {group, channels: []};
    for (const c of channels) {
      if (picks.get(c)!.length === 0) throw new ConfigError(basename(ctx.source), "nps.selection", `selects no ${group} records of channel ${c} in ${ctx.input}`);
    }
    // On a worker where the caller offers one (the SEV is averaged here meanwhile: lib/pipeline/run.ts
    // starts stages that do not need each other together), else here; the same values either way.
    const elsewhere = await ctx.noiseSpectra?.(group, picks, window);
    const spectra = elsewhere ?? await noiseSpectra(file, file.dataset.layout, group, picks, window);
    for (const c of channels) {
      const nps = spectra.get(c)!;
      arrays.frequency_Hz ??= nps.frequency_Hz;
      arrays[`psd_ch${c}_V2_per_Hz`] = nps.psd_V2_per_Hz;
      arrays[`picks_ch${c}`] = picks.get(c)!;
      json.channels.push({channel: c, records: nps.count, selected: picks.get(c)!.length});
      ctx.log(`NPS ch${c}: ${nps.count} records${elsewhere ? " (on a worker thread)" : ""}`);
    }
    return {arrays, json};
  }
};
