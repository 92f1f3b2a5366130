// The record viewer: all channels of one event on one time axis, as an Observable Plot figure.
// x is time in milliseconds relative to the trigger, y is the record in its unit, one coloured
// line per channel, named in the legend. The page passes its own Plot module (`npm:@observablehq/plot`),
// which lib code cannot name, the same way lib/io/browser.ts receives h5wasm.

import type * as PlotModule from "@observablehq/plot";
import type {Record, RecordLayout, SignalUnit} from "../types.js";
import {INK, channelScale} from "./palette.js";
import {axisOptions, zoomable, type Domain} from "./zoom.js";

/** One drawn sample of one channel. */
export interface RecordPoint {
  channel: string;
  t_ms: number;
  volts: number;
}

const Y_LABEL: {[U in SignalUnit]: string} = {V: "Voltage (V)", A: "Current (A)", ADC: "Signal (ADC counts)"};

export interface RecordViewerOptions {
  /** Channel names, one per record (default "channel 0", "channel 1", …). */
  channels?: string[];
  /** Event number, shown in the title and written to the figure's `data-event`. */
  event?: number;
  /**
   * Records longer than this are drawn from per-bin minima and maxima (2 points per bin), which
   * keeps every spike visible while the SVG stays small. Default 2048 bins.
   */
  maxBins?: number;
  width?: number;
  height?: number;
  title?: string;
  /** Unit of the samples (`Dataset.unit`), for the y axis; default volts. */
  unit?: SignalUnit;
}

/**
 * The points drawn for `records`: time relative to the trigger in ms, and volts. A record longer
 * than `2 × maxBins` samples is reduced to the minimum and maximum of each of `maxBins` bins, in
 * time order, so that the drawn envelope is exactly the record's.
 */
export function recordViewerPoints(records: readonly Record[], layout: RecordLayout, channels?: readonly string[], maxBins = 2048, window?: Domain): RecordPoint[] {
  const {sampleFrequency_Hz, triggerIndex} = layout;
  const msPerSample = 1000 / sampleFrequency_Hz;
  const points: RecordPoint[] = [];
  records.forEach((record, c) => {
    const channel = channels?.[c] ?? `channel ${c}`;
    // A zoomed window: its samples and one either side (so the line reaches the edges), binned
    // afresh, so that a 20 ms pulse is drawn sample by sample.
    const first = window ? Math.max(0, Math.floor(window[0] / msPerSample + triggerIndex) - 1) : 0;
    const last = window ? Math.min(record.length, Math.ceil(window[1] / msPerSample + triggerIndex) + 2) : record.length;
    const n = Math.max(0, last - first);
    const push = (i: number) => points.push({channel, t_ms: (i - triggerIndex) * msPerSample, volts: record[i]});
    if (n <= 2 * maxBins) {
      for (let i = first; i < last; ++i) push(i);
      return;
    }
    for (let b = 0; b < maxBins; ++b) {
      const start = first + Math.floor((b * n) / maxBins);
      const end = first + Math.floor(((b + 1) * n) / maxBins);
      let iMin = start;
      let iMax = start;
      for (let i = start + 1; i < end; ++i) {
        if (record[i] < record[iMin]) iMin = i;
        if (record[i] > record[iMax]) iMax = i;
      }
      if (iMin <= iMax) {
        push(iMin);
        if (iMax !== iMin) push(iMax);
      } else {
        push(iMax);
        push(iMin);
      }
    }
  });
  return points;
}

/**
 * Draws all channels' records of one event: one line per channel (colour = channel, with a
 * legend), a rule at the trigger time, x in ms relative to the trigger, y in the data's unit.
 * Drag across it to zoom into a time interval (drawn sample by sample, y follows the samples
 * shown), double-click to zoom out (lib/plot/zoom.ts). Returns the zoomable wrapper; it carries
 * `data-event` and `data-channels` attributes, and the group of channel lines has
 * `data-role="records"`.
 */
export function recordViewer(
  Plot: typeof PlotModule,
  records: readonly Record[],
  layout: RecordLayout,
  options: RecordViewerOptions = {}
): HTMLElement {
  const {channels, event, maxBins = 2048, width, height = 320} = options;
  const names = records.map((_, c) => channels?.[c] ?? `channel ${c}`);
  const title = options.title ?? (event === undefined ? undefined : `Event ${event}`);
  const viewer = zoomable((view) => {
    const points = recordViewerPoints(records, layout, names, maxBins, view.x);
    const figure = Plot.plot({
      title,
      width,
      height,
      marginLeft: 56,
      x: axisOptions(view, "x", {label: "Time relative to trigger (ms)", grid: true}),
      y: {label: Y_LABEL[options.unit ?? "V"], grid: true},
      color: {legend: true, ...channelScale(names), label: "Channel"},
      marks: [
        Plot.ruleX([0], {stroke: INK, strokeOpacity: 0.3, strokeDasharray: "4,3", clip: true}),
        Plot.lineY(points, {x: "t_ms", y: "volts", stroke: "channel", z: "channel", strokeWidth: 1, clip: true})
      ]
    });
    // One <path> per channel inside this group; tag it so that pages and tests can find the lines.
    figure.querySelector('g[aria-label="line"]')?.setAttribute("data-role", "records");
    return figure;
  }, {brush: "x"});
  viewer.classList.add("record-viewer");
  if (event !== undefined) viewer.setAttribute("data-event", String(event));
  viewer.setAttribute("data-channels", String(records.length));
  return viewer;
}
