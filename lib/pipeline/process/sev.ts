// Stage "sev": the standard event of every channel, averaged over the records of `sev.group`
// that the SQL predicate `sev.selection` picks from the feature table.
import {StandardEventBuilder} from "../../dsp/standardEvent.js";
import type {ProcessConfig, SevConfig} from "../../config/processConfig.js";
import {ConfigError} from "../../config/configError.js";
import {basename} from "../../config/posixPath.js";
import type {RecordGroup} from "../../types.js";
import type {Stage, StageArray} from "../stage.js";
import {forEachSelected, onChannel, perChannel, tableOf, type ProcessContext} from "./context.js";
import {formatSI} from "../../math/units.js";

export type SevParams = Omit<SevConfig, "enabled"> & {channels: ProcessConfig["channels"]};

export interface SevJson {
  channels: {channel: number; group: RecordGroup; records: number; selected: number; amplitude_V: number}[];
}

export const sevStage: Stage<ProcessConfig, ProcessContext, SevParams> = {
  name: "sev",
  module: import.meta.url,
  provides: ["sev_chC"],
  params: ({sev: {enabled, ...sev}, channels}) => (enabled ? {...sev, channels} : null),
  needs: () => ["features"],
  async compute({features}, {group, selection, align, maxRecords}, ctx) {
    const {channels, file} = ctx;
    const picks = await ctx.select(tableOf(features, group), channels, (c) => perChannel(selection, c, "sev.selection"), "sev.selection");
    const builders = new Map(channels.map((c) => [c, new StandardEventBuilder(file.dataset.layout, {align})]));
    const chosen = new Map(channels.map((c) => [c, maxRecords === null ? picks.get(c)! : picks.get(c)!.subarray(0, maxRecords)]));
    forEachSelected(file, group, chosen, (c, record) => onChannel(c, () => builders.get(c)!.add(record)));
    const arrays: {[name: string]: StageArray} = {};
    const json: SevJson = {channels: []};
    for (const c of channels) {
      if (chosen.get(c)!.length === 0) throw new ConfigError(basename(ctx.source), "sev.selection", `selects no ${group} records of channel ${c} in ${ctx.input}`);
      const sev = onChannel(c, () => builders.get(c)!.result());
      arrays[`sev_ch${c}`] = sev.sev;
      json.channels.push({channel: c, group, records: sev.count, selected: picks.get(c)!.length, amplitude_V: sev.amplitude_V});
      ctx.log(`SEV ch${c}: ${sev.count} records, amplitude ${formatSI(sev.amplitude_V, file.dataset.unit)}`);
    }
    return {arrays, json};
  }
};
