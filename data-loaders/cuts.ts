// Cuts in Node: read `*.cut.json` files, apply them to a feature table (SQL cuts in DuckDB-wasm,
// the engine of the pages), and report survival. Used by the cut-survival loader and by
// `pulsebook cuts`.

import {readdirSync} from "node:fs";
import {join} from "node:path";
import type * as arrow from "apache-arrow";
import {DataFileError} from "../lib/io/errors.js";
import {encodeParquet, readParquet, type Columns} from "./io/parquet.js";
import {atomicWrite} from "./io/atomicWrite.js";
import {openFeatureDb} from "./io/sqlSelect.js";
import {parseCut, type Cut} from "../lib/cuts/cut.js";
import {evaluateCut, survival, tableEvents, type CutTable, type Survival} from "../lib/cuts/apply.js";
import {readBytes, readText} from "./io/readFile.js";

export function readCutFile(path: string): Cut {
  return parseCut(readText(path), path);
}

/** The `*.cut.json` files of a directory, in file-name order (the order cuts are applied in). */
export function readCutDir(dir: string): {file: string; cut: Cut}[] {
  return readdirSync(dir).filter((f) => f.endsWith(".cut.json")).sort().map((f) => ({file: f, cut: readCutFile(join(dir, f))}));
}

function cutTable(table: arrow.Table, file: string): CutTable {
  const col = (name: string) => {
    const v = table.getChild(name);
    return v ? Float64Array.from(v.toArray() as ArrayLike<number>, Number) : undefined;
  };
  const event = col("event"), channel = col("channel");
  if (!event || !channel) throw new DataFileError(file, "not a feature table: it needs columns event and channel");
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
 * table in errors (`cutFiles`, the cuts' files, when they came from files); a failing SQL cut is
 * reported with its name.
 */
export async function applyCuts(bytes: Uint8Array, cuts: readonly Cut[], file: string, options: {spectrumColumn?: string; spectrumChannel?: number; bins?: number; cutFiles?: readonly string[]} = {}): Promise<CutReport> {
  const {spectrumColumn = "pulse_height_V", spectrumChannel = 0, bins = 60} = options;
  const table = readParquet(bytes, file);
  const t = cutTable(table, file);
  const events = tableEvents(t);
  const db = await openFeatureDb(table);
  try {
    const passes: Uint8Array[] = [];
    const channels = new Set(Array.from(t.channel));
    for (const [k, cut] of cuts.entries()) {
      const from = options.cutFiles?.[k] ? ` (${options.cutFiles[k]})` : "";
      // A cut on a channel the table lacks would pass nothing, silently.
      if (cut.channel !== undefined && !channels.has(cut.channel)) {
        throw new DataFileError(file, `cut "${cut.name}"${from} is on channel ${cut.channel}, but the table has channels ${[...channels].sort((a, b) => a - b).join(", ") || "none"}`);
      }
      try {
        passes.push(await evaluateCut(cut, t, events, async (sql) => {
          const result = db.query(sql);
          return Int32Array.from(result.getChild("event")!.toArray() as ArrayLike<number>, Number);
        }));
      } catch (e) {
        // A cut naming a column the table lacks, or a predicate DuckDB refuses: the table and the cut.
        throw e instanceof DataFileError ? e : new DataFileError(file, `cut "${cut.name}"${from} failed: ${(e as {problem?: string}).problem ?? (e as Error).message}`, undefined, {cause: e});
      }
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

/**
 * `pulsebook cuts`: applies the cut files to a feature table; with `out`, writes the rows of the
 * events passing every cut (same columns and metadata, plus `pulsebook.cuts`), atomically.
 */
export async function cutFeatures(featuresPath: string, cutPaths: readonly string[], out?: string): Promise<{cuts: Cut[]; report: CutReport; rows?: number}> {
  const bytes = readBytes(featuresPath);
  const cuts = cutPaths.map(readCutFile);
  const report = await applyCuts(bytes, cuts, featuresPath, {cutFiles: cutPaths});
  if (!out) return {cuts, report};
  const keep = new Set<number>();
  report.events.forEach((e, i) => {
    if (report.passes.every((p) => p[i])) keep.add(e);
  });
  const table = readParquet(bytes, featuresPath);
  const event = table.getChild("event")!.toArray() as ArrayLike<number>;
  const rows: number[] = [];
  for (let r = 0; r < table.numRows; ++r) if (keep.has(Number(event[r]))) rows.push(r);
  const columns: Columns = {};
  for (const field of table.schema.fields) {
    const values = table.getChild(field.name)!.toArray() as ArrayLike<number>;
    const picked = rows.map((r) => Number(values[r]));
    columns[field.name] = values instanceof Int32Array ? Int32Array.from(picked) : values instanceof Float32Array ? Float32Array.from(picked) : Float64Array.from(picked);
  }
  const metadata = Object.fromEntries(table.schema.metadata);
  metadata["pulsebook.cuts"] = JSON.stringify(cuts);
  atomicWrite(out, encodeParquet(columns, metadata));
  return {cuts, report, rows: rows.length};
}
