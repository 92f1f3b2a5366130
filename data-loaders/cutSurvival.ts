// The cut-survival report of the cuts page: the cuts of a folder applied, in file order, to the
// run's feature table (data-loaders/run.ts; the demo's when no run is configured) — pass counts, the phonon pulse-height spectrum before and after each
// cut, and the classes (the simulation's true labels) of the events that survive.
import {readFileSync} from "node:fs";
import {ensureRunFeatures} from "./run.js";
import {applyCuts, readCutDir} from "./cuts.js";
import {readParquet} from "./io/parquet.js";

/** The report for the cuts in `cutsDir` (src/cuts). */
export async function cutSurvivalReport(cutsDir: string): Promise<object> {
  const bytes = new Uint8Array(readFileSync(await ensureRunFeatures()));
  const cuts = readCutDir(cutsDir);
  const report = await applyCuts(bytes, cuts.map((c) => c.cut), "features.parquet");
  // True class of each event's phonon record, to show what each cut removes.
  const table = readParquet(bytes, "features.parquet");
  const ev = table.getChild("event")!, ch = table.getChild("channel")!, lab = table.getChild("label");
  const classOf = new Map<number, number>();
  if (lab) for (let r = 0; r < table.numRows; ++r) if (Number(ch.get(r)) === 0) classOf.set(Number(ev.get(r)), Number(lab.get(r)));
  const classes = (keep: (i: number) => boolean) => {
    const counts: {[label: string]: number} = {};
    report.events.forEach((e, i) => {
      if (!keep(i)) return;
      const c = String(classOf.get(e) ?? 0);
      counts[c] = (counts[c] ?? 0) + 1;
    });
    return counts;
  };
  const alive = new Uint8Array(report.events.length).fill(1);
  const classesAfter = report.passes.map((pass) => {
    pass.forEach((p, i) => (alive[i] &= p));
    return classes((i) => alive[i] === 1);
  });
  return {
    cuts: cuts.map(({file, cut}, k) => ({file, ...cut, passedAlone: report.survival.passedAlone[k], passedCumulative: report.survival.passedCumulative[k]})),
    spectrum: {column: "pulse_height_V", channel: 0, edges: report.survival.edges, before: report.survival.before, after: report.survival.after},
    events: report.survival.events,
    classesBefore: classes(() => true),
    classesAfter
  };
}
