// Stage "calibration": test-pulse response and a known line turn the chosen amplitude column
// of every event into a TPA equivalent and an energy (keV).
import {calibrate} from "../../dsp/calibration.js";
import {unitColumn, type SignalUnit} from "../../math/units.js";
import type {CalibrationConfig, ProcessConfig} from "../../config/processConfig.js";
import type {Stage, StageOutput} from "../stage.js";
import {nanArray, packTables, perChannel, tableOf, type Columns, type ProcessContext} from "./context.js";

export type CalibrationParams = Omit<CalibrationConfig, "enabled"> & {
  channels: ProcessConfig["channels"];
  /** Pass-2 stages whose columns join the feature table (amplitude, line selection). */
  columnsFrom: ("ofAmplitude" | "sevFit")[];
};

export interface CalibrationJson {
  channels: {
    channel: number; cpe_keV_per_TPA: number; linePosition_keV: number; linePositionError_keV: number;
    sigma_keV: number; sigmaError_keV: number; fwhm_keV: number; unstableIntervals: number;
  }[];
}

/** The amplitude column calibration reads: `calibration.amplitude` in the data's unit (as written when it names one). */
export function amplitudeColumn(amplitude: string, unit: SignalUnit): string {
  return /_(V|A|ADC)$/.test(amplitude) ? amplitude : unitColumn(`${amplitude}_V`, unit);
}

function rowsWhere(x: ArrayLike<number>, keep: (v: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (keep(x[i])) out.push(i);
  return Int32Array.from(out);
}

function take<T extends Int32Array | Float64Array | Float32Array | Uint8Array>(x: T, rows: Int32Array): T {
  const out = new (x.constructor as new (n: number) => T)(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = x[rows[k]];
  return out;
}

export const calibrationStage: Stage<ProcessConfig, ProcessContext, CalibrationParams> = {
  name: "calibration",
  module: import.meta.url,
  provides: ["events/tpa_equivalent", "events/energy_keV"],
  params: (config) => {
    const {enabled, ...cal} = config.calibration;
    if (!enabled) return null;
    const columnsFrom: CalibrationParams["columnsFrom"] = [];
    if (config.optimumFilter.enabled) columnsFrom.push("ofAmplitude");
    if (config.sevFit.enabled) columnsFrom.push("sevFit");
    return {...cal, channels: config.channels, columnsFrom};
  },
  needs: ({columnsFrom}) => ["features", ...columnsFrom],
  async compute(inputs, cal, ctx) {
    const {channels, file} = ctx;
    const nChannels = file.dataset.channels.length;
    const table = (g: "events" | "testpulses") => Object.assign({}, ...[inputs.features, ...cal.columnsFrom.map((s) => inputs[s])].map((o: StageOutput) => tableOf(o, g))) as Columns;
    const ev = table("events"), tp = table("testpulses");
    const column = amplitudeColumn(cal.amplitude, file.dataset.unit);
    for (const t of [ev, tp]) if (!(column in t)) throw new Error(`${ctx.source}: calibration.amplitude is ${column}, which this run does not compute (enable the step that makes it)`);
    const linePicks = await ctx.select(ev, channels, (c) => perChannel(cal.lineSelection, c, "calibration.lineSelection"), "calibration.lineSelection");
    const lineRows = new Uint8Array(ev.event.length);
    for (const c of channels) for (const e of linePicks.get(c)!) lineRows[e * nChannels + c] = 1;
    const onChannels = (t: Columns) => rowsWhere(t.channel, (c) => channels.includes(c));
    const evRows = onChannels(ev), tpRows = onChannels(tp);
    const f64 = (x: Columns[string], rows: Int32Array) => take(x, rows) as Float64Array;
    const calibration = calibrate(
      {channel: take(ev.channel as Int32Array, evRows), hours: f64(ev.hours, evRows), amplitude_V: f64(ev[column], evRows)},
      {channel: take(tp.channel as Int32Array, tpRows), hours: f64(tp.hours, tpRows), amplitude_V: f64(tp[column], tpRows), tpa: f64(tp.tpa, tpRows)},
      {
        line_keV: cal.line_keV!, lineRows: take(lineRows, evRows),
        polyOrder: cal.polyOrder, interpolation: cal.interpolation, medianWindow: cal.medianWindow,
        maxGap_h: cal.maxGap_h ?? Infinity
      }
    );
    const tpaEquivalent = nanArray(ev.event.length), energy = nanArray(ev.event.length);
    evRows.forEach((r, k) => {
      tpaEquivalent[r] = calibration.tpa_equivalent[k];
      energy[r] = calibration.energy_keV[k];
    });
    const json: CalibrationJson = {channels: []};
    for (const ch of calibration.channels) {
      json.channels.push({
        channel: ch.channel, cpe_keV_per_TPA: ch.cpe_keV_per_TPA, linePosition_keV: ch.linePosition_keV, linePositionError_keV: ch.linePositionError_keV,
        sigma_keV: ch.sigma_keV, sigmaError_keV: ch.sigmaError_keV, fwhm_keV: ch.fwhm_keV, unstableIntervals: ch.unstable.length
      });
      ctx.log(`calibration ch${ch.channel}: line at ${ch.linePosition_keV.toFixed(3)} keV, σ ${ch.sigma_keV.toFixed(4)} keV`);
    }
    return packTables(new Map([["events", {tpa_equivalent: tpaEquivalent, energy_keV: energy}]]), json);
  }
};
