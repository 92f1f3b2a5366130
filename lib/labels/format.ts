// The exchange format of label tables (CSV and Parquet share it): columns
// `event, channel, label, author, time, note`, one row per labelled record, and a format
// version (Parquet key-value metadata `pulsebook.format_version`, a `# … format_version N`
// first line in CSV). Readers check the version and every row, and name the file and the row
// of anything they reject.

import {DataFileError} from "../io/errors.js";
import {isLabelClass, labelCode, type LabelEntry} from "./book.js";

/** Bump when a column's meaning changes; readers refuse newer versions than they know. */
export const LABELS_FORMAT_VERSION = 1;
export const LABEL_COLUMNS = ["event", "channel", "label", "author", "time", "note"] as const;

/** A row as a reader found it: numbers, bigints or strings, possibly missing. */
export type RawLabelRow = {[column: string]: unknown};

/** Checks a format version found in a file (undefined = not stated, read as version 1). */
export function checkFormatVersion(version: string | undefined, file: string): number {
  if (version === undefined) return 1;
  const v = Number(version);
  if (!Number.isInteger(v) || v < 1) throw new DataFileError(file, `invalid labels format_version "${version}"`);
  if (v > LABELS_FORMAT_VERSION) {
    throw new DataFileError(file, `labels format_version ${v} is newer than this Pulsebook reads (${LABELS_FORMAT_VERSION}); update Pulsebook`);
  }
  return v;
}

/** A record index: a non-negative safe integer, as a number or bigint, or decimal digits as text
 *  (not `0x3`, `1e1`, `3.0` or `-0`: a table holding those was not written by a careful tool). */
function integerCell(value: unknown, column: string, where: string, file: string): number {
  const n = typeof value === "bigint" ? Number(value)
    : typeof value === "string" ? (/^\s*\d+\s*$/.test(value) ? Number(value) : NaN)
    : typeof value === "number" ? value : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || Object.is(n, -0)) throw new DataFileError(file, `${where}: ${column} must be an integer ≥ 0 in decimal digits, got ${JSON.stringify(typeof value === "bigint" ? String(value) : value ?? null)}`);
  return n;
}

function textCell(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/**
 * Turns raw rows into label entries. `label` must be a cait class (LABEL_CLASSES), as its code or
 * name; `time` must parse as a date when present. `rowNumbers` are the numbers rows have in
 * messages: the first row's (then counting up), or one per row (CSV: the line it starts on).
 */
export function entriesFromRows(rows: Iterable<RawLabelRow>, file: string, rowNumbers: number | readonly number[] = 1): LabelEntry[] {
  const out: LabelEntry[] = [];
  const seen = new Map<string, number>();
  let index = 0;
  for (const row of rows) {
    const i = typeof rowNumbers === "number" ? rowNumbers + index : rowNumbers[index];
    const where = `row ${i}`;
    const event = integerCell(row.event, "event", where, file);
    const channel = integerCell(row.channel, "channel", where, file);
    const rawLabel = row.label;
    const label = typeof rawLabel === "number" || typeof rawLabel === "bigint" ? Number(rawLabel) : labelCode(textCell(rawLabel));
    if (label === undefined || !isLabelClass(label)) throw new DataFileError(file, `${where}: ${JSON.stringify(textCell(rawLabel))} is not a cait label class (a code 0–20 or 99, or its name)`);
    const timeText = textCell(row.time).trim();
    let time = "";
    if (timeText) {
      const t = new Date(timeText);
      if (Number.isNaN(t.getTime())) throw new DataFileError(file, `${where}: time ${JSON.stringify(timeText)} is not a date`);
      time = t.toISOString();
    }
    const k = `${event}:${channel}`;
    if (seen.has(k)) throw new DataFileError(file, `${where}: event ${event}, channel ${channel} is labelled twice (first in row ${seen.get(k)})`);
    seen.set(k, i);
    out.push({event, channel, label, author: textCell(row.author), time, note: textCell(row.note)});
    ++index;
  }
  return out;
}
