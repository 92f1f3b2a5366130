// The cuts of src/cuts/*.cut.json applied, in file order, to the demo feature table: pass counts,
// the phonon pulse-height spectrum before and after each cut, and the classes (the simulation's
// true labels) of the events that survive.
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {ensureDemoFile} from "../../data-loaders/demo.js";
import {writeFeatures} from "../../data-loaders/features.js";
import {applyCuts, readCutDir} from "../../data-loaders/cuts.js";
import {readParquet} from "../../data-loaders/io/parquet.js";

const cutsDir = fileURLToPath(new URL("../cuts/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pulsebook-cuts-"));
try {
  const out = join(dir, "features.parquet");
  await writeFeatures(await ensureDemoFile(), out, {command: "src/data/cut-survival.json.ts"});
  const bytes = new Uint8Array(readFileSync(out));
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
  process.stdout.write(JSON.stringify({
    cuts: cuts.map(({file, cut}, k) => ({file, ...cut, passedAlone: report.survival.passedAlone[k], passedCumulative: report.survival.passedCumulative[k]})),
    spectrum: {column: "pulse_height_V", channel: 0, edges: report.survival.edges, before: report.survival.before, after: report.survival.after},
    events: report.survival.events,
    classesBefore: classes(() => true),
    classesAfter
  }));
} finally {
  rmSync(dir, {recursive: true, force: true});
}
