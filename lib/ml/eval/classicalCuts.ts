// The classical baseline: rectangular cuts on main parameters, as an analyst sets them, but
// placed automatically — each parameter must lie within k robust standard deviations
// (1.4826·MAD) of its median over the channel's events. Label-free, per channel.
import {mad, median} from "../../math/robust.js";

/** Parameters cut on: pulse shape and baseline, not the height. */
export const CUT_FEATURES = ["onset_ms", "rise_time_ms", "decay_time_ms", "baseline_slope_V_per_s"] as const;

/**
 * 1 = passes every cut, 0 = rejected, for rows of a feature table (columns as in
 * lib/dsp/features.ts). NaN features (no pulse found) fail.
 */
export function classicalCuts(columns: {[name: string]: ArrayLike<number>}, k = 5): Uint8Array {
  const channel = columns.channel;
  const n = channel.length;
  const pass = new Uint8Array(n).fill(1);
  const channels = [...new Set(Array.from(channel))];
  for (const c of channels) {
    const rows = [];
    for (let i = 0; i < n; i++) if (channel[i] === c) rows.push(i);
    for (const f of CUT_FEATURES) {
      const col = columns[f];
      const v = rows.map((i) => col[i]).filter(Number.isFinite);
      if (v.length === 0) continue;
      const med = median(v);
      const sigma = 1.4826 * mad(v, med);
      for (const i of rows) {
        const x = col[i];
        if (!Number.isFinite(x) || Math.abs(x - med) > k * Math.max(sigma, 1e-12)) pass[i] = 0;
      }
    }
  }
  return pass;
}
