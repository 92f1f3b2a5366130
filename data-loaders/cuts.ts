// Cuts in Node: read `*.cut.json` files, apply them to a feature table (SQL cuts in DuckDB-wasm,
// the engine of the pages), and report survival. Used by the cut-survival loader and by
// `pulsebook cuts`.

import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import {DataFileError} from "../lib/io/errors.js";
import {readParquet} from "../lib/io/parquet.js";
import {openFeatureDb} from "../lib/io/sqlSelect.js";
import {parseCut, type Cut} from "../lib/cuts/cut.js";
import {evaluateCut, survival, tableEvents, type CutTable, type Survival} from "../lib/cuts/apply.js";

export function readCutFile(path: string): Cut {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DataFileError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseCut(text, path);
}

/** The `*.cut.json` files of a directory, in file-name order (the order cuts are applied in). */
export function readCutDir(dir: string): {file: string; cut: Cut}[] {
  return readdirSync(dir).filter((f) => f.endsWith(".cut.json")).sort().map((f) => ({file: f, cut: readCutFile(join(dir, f))}));
}

function cutTable(table: arrow.Table): CutTable {
  const col = (name: string) => {
    const v = table.getChild(name);
    return v ? Float64Array.from(v.toArray() as ArrayLike<number>, Number) : undefined;
  };
  const event = col("event"), channel = col("channel");
  if (!event || !channel) throw new Error("feature table needs columns event and channel");
  return {event, channel, column: col};
}

export interface CutReport {
  events: Int32Array;
  passes: Uint8Array[];
  survival: Survival;
}

/**
 * Applies `cuts` in order to a feature table (Parquet bytes): pass flags per cut and the
 * spectrum of `spectrumColumn` on `spectrumChannel` before and after each. `file` names the
 * table in errors; a failing SQL cut is reported with its name.
 */
export async function applyCuts(bytes: Uint8Array, cuts: readonly Cut[], file: string, options: {spectrumColumn?: string; spectrumChannel?: number; bins?: number} = {}): Promise<CutReport> {
  const {spectrumColumn = "pulse_height_V", spectrumChannel = 0, bins = 60} = options;
  const table = readParquet(bytes, file);
  const t = cutTable(table);
  const events = tableEvents(t);
  const db = await openFeatureDb(table);
  try {
    const passes: Uint8Array[] = [];
    for (const cut of cuts) {
      passes.push(await evaluateCut(cut, t, events, async (sql) => {
        try {
          const result = db.query(sql);
          return Int32Array.from(result.getChild("event")!.toArray() as ArrayLike<number>, Number);
        } catch (e) {
          throw new DataFileError(file, `cut "${cut.name}" failed: ${(e as Error).message}`);
        }
      }));
    }
    const values = t.column(spectrumColumn);
    if (!values) throw new DataFileError(file, `no column ${spectrumColumn} for the spectrum`);
    const perEvent = new Float64Array(events.length).fill(NaN);
    const position = new Map<number, number>();
    events.forEach((e, i) => position.set(e, i));
    for (let r = 0; r < t.event.length; ++r) if (t.channel[r] === spectrumChannel) perEvent[position.get(t.event[r])!] = values[r];
    return {events, passes, survival: survival(perEvent, passes, bins)};
  } finally {
    db.close();
  }
}
