// A processing config for a simulated run (data-loaders/simulate.ts) and a reader of its
// tables, for the tests that compare one run made two ways (sharded, Slurm) column by column.
import {readFileSync} from "node:fs";
import {readParquet} from "../../data-loaders/io/parquet.js";

/** The whole chain on `run.h5` beside the config, writing to `output`. */
export const simulatedRunConfig = (output: string, {maxRecords = 100, sevFit = false} = {}) => `version: 1
input: run.h5
output: ${output}
sev:
  selection: ["label = 1 AND pulse_height_V BETWEEN 0.2 AND 1", "label = 1"]
  maxRecords: ${maxRecords}
nps:
  selection: "abs(baseline_slope_V_per_s) < 0.05"
sevFit: ${sevFit}
calibration:
  amplitude: of_amplitude_V
  line_keV: 5.895
  polyOrder: 2
`;

/** Every column of a Parquet file as plain numbers (NaN kept), by name. */
export function parquetColumns(path: string): {[column: string]: number[]} {
  const t = readParquet(readFileSync(path), path);
  return Object.fromEntries(t.schema.fields.map((f) => [f.name, Array.from(t.getChild(f.name)!.toArray() as ArrayLike<number | bigint>, Number)]));
}
