// The three anomaly-search statistics against exposure at full size (`npm run bench -- --only
// anomaly-lr`, or `npx tsx --import ./data-loaders/tfjs/registerTfjsEsm.mjs bench/anomaly-lr.ts`):
// the report's templates (10,000 scored events per class), 10⁴ null and 10³ signal
// pseudo-experiments per point, 10⁶ binned null experiments, 2,000 more null experiments for the
// KS checks; the same as `pulsebook anomaly-compare`; and a check of the LR's fitted null tail
// against 10⁵ null experiments at 3 t·yr. Writes bench/results/anomaly-lr.json with
// the wall time and the load average (`uptime`) before and after: the machine is shared.
import {mkdirSync} from "node:fs";
import {cpus, loadavg, totalmem} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";
import {anomalyCompare, scoreTemplates} from "../data-loaders/anomaly.js";
import {lrTailCheck} from "../lib/stats/darwinComparison.js";
import {atomicWriteJson} from "../data-loaders/io/atomicWrite.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const {values} = parseArgs({options: {null: {type: "string", default: "10000"}, signal: {type: "string", default: "1000"}, out: {type: "string"}}});
const machine = {cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memory_GiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version};
const loadBefore = loadavg();
const t0 = performance.now();
const res = await anomalyCompare({nNull: Number(values.null), nSignal: Number(values.signal), log: (m) => console.error(m)});
const seconds = (performance.now() - t0) / 1000;
// The LR's exponential tail (fitted on 10⁴ null experiments, as above) against 10⁵ more at 3 t·yr.
console.error("tail check: 10⁵ null experiments at 3 t·yr");
const tailCheck = lrTailCheck(await scoreTemplates({events: 10000}), 3, Number(values.null), 100000);
const {provenance, ...rest} = res;
const out = values.out ?? join(ROOT, "bench", "results", "anomaly-lr.json");
mkdirSync(join(ROOT, "bench", "results"), {recursive: true});
atomicWriteJson(out, {date: new Date().toISOString(), machine, seconds, loadAverage: {before: loadBefore, after: loadavg()}, tailCheck, note: "shared 2-core machine: wall time is indicative; the statistics do not depend on load", ...rest, stamp: provenance.stamp});
console.error(`wrote ${out} in ${seconds.toFixed(0)} s`);
