// Several runs side by side (docs/runs.md): every declared run's header, and the phonon
// pulse-height spectra of all of them on common log-spaced bins, each from the run's feature
// table in the reuse store (computed once per run, reused while its lineage holds).

import {readFileSync} from "node:fs";
import {quantileSorted} from "d3";
import {unitColumn, type SignalUnit} from "../lib/math/units.js";
import {readParquet} from "./io/parquet.js";
import {activeRun, declaredRuns, ensureRunFeatures, runHeader, type RunHeader} from "./run.js";

export interface RunsReport {
  /** Name of the run the pages show ("demo" when none is configured). */
  active: string;
  runs: RunHeader[];
  /** Pulse heights of channel 0, per run, on common bins (log-spaced, in each run's unit). */
  spectrum: {channel: 0; edges: number[]; counts: {[run: string]: number[]}; column: {[run: string]: string}} | null;
}

const BINS = 60;

export async function runsReport(): Promise<RunsReport> {
  const active = activeRun();
  const runs = declaredRuns();
  const headers: RunHeader[] = [];
  const heights: {name: string; column: string; values: Float64Array}[] = [];
  for (const r of runs) {
    const header = await runHeader(r);
    headers.push(header);
    const column = unitColumn("pulse_height_V", header.unit as SignalUnit);
    const table = readParquet(new Uint8Array(readFileSync(await ensureRunFeatures(r))), `features of run ${header.name}`);
    const ch = table.getChild("channel")!.toArray() as ArrayLike<number>;
    const ph = table.getChild(column)?.toArray() as ArrayLike<number> | undefined;
    if (!ph) continue;
    const values = Float64Array.from({length: ch.length}, (_, i) => (Number(ch[i]) === 0 ? ph[i] : NaN)).filter((v) => Number.isFinite(v) && v > 0);
    heights.push({name: header.name, column, values: values.sort()});
  }
  let spectrum: RunsReport["spectrum"] = null;
  if (heights.length) {
    // Common range: the 0.5 % and 99.5 % quantiles over all runs, so one outlier does not squash the rest.
    const lo = Math.min(...heights.map((h) => quantileSorted(h.values as unknown as number[], 0.005) ?? Infinity));
    const hi = Math.max(...heights.map((h) => quantileSorted(h.values as unknown as number[], 0.995) ?? -Infinity));
    const a = Math.log10(lo), b = Math.log10(hi > lo ? hi : lo * 10);
    const edges = Array.from({length: BINS + 1}, (_, k) => 10 ** (a + ((b - a) * k) / BINS));
    const counts: {[run: string]: number[]} = {}, column: {[run: string]: string} = {};
    for (const h of heights) {
      const c = new Array<number>(BINS).fill(0);
      for (const v of h.values) {
        const k = Math.floor(((Math.log10(v) - a) / (b - a)) * BINS);
        if (k >= 0 && k < BINS) c[k]++;
      }
      counts[h.name] = c;
      column[h.name] = h.column;
    }
    spectrum = {channel: 0, edges, counts, column};
  }
  return {active: active.kind === "run" ? active.run.name : "demo", runs: headers, spectrum};
}
