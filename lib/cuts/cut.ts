// Named cuts, saved as small JSON files (`*.cut.json`) so that a cut made on a page can be
// applied by a loader or the CLI. Two kinds:
//   sql      — a DuckDB predicate over the feature table's columns, on one channel's row, or on
//              every channel's row when `channel` is absent (an event passes when all pass);
//   polygon  — a region of the (x, y) plane of two feature columns of one channel, drawn with
//              the lasso or rectangle of the labeling page.
// A cut *keeps* the events that pass it.

import {DataFileError} from "../io/errors.js";
import {checkPredicate} from "../io/sqlPredicate.js";

export const CUT_FORMAT = "pulsebook-cut";
export const CUT_FORMAT_VERSION = 1;

interface CutBase {
  format: typeof CUT_FORMAT;
  format_version: number;
  name: string;
  description?: string;
}

export interface SqlCut extends CutBase {
  kind: "sql";
  where: string;
  channel?: number;
}

export interface PolygonCut extends CutBase {
  kind: "polygon";
  x: string;
  y: string;
  channel: number;
  /** Vertices in data units of x and y; the last joins the first. */
  polygon: [number, number][];
}

export type Cut = SqlCut | PolygonCut;

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks a parsed cut file and returns it typed; `file` names it in errors. */
export function validateCut(value: unknown, file: string): Cut {
  const fail = (problem: string): never => {
    throw new DataFileError(file, problem);
  };
  if (!value || typeof value !== "object" || Array.isArray(value)) fail("a cut file holds one JSON object");
  const v = value as {[k: string]: unknown};
  if (v.format !== CUT_FORMAT) fail(`"format" must be "${CUT_FORMAT}", found ${JSON.stringify(v.format ?? null)}`);
  const version = v.format_version;
  if (!Number.isInteger(version) || (version as number) < 1) fail(`"format_version" must be a positive integer, found ${JSON.stringify(version ?? null)}`);
  if ((version as number) > CUT_FORMAT_VERSION) fail(`cut format_version ${version} is newer than this Pulsebook reads (${CUT_FORMAT_VERSION})`);
  if (typeof v.name !== "string" || !v.name.trim()) fail(`"name" must be a non-empty string`);
  if (v.description !== undefined && typeof v.description !== "string") fail(`"description" must be a string`);
  const channelOk = (c: unknown) => Number.isInteger(c) && (c as number) >= 0;
  const base = {format: CUT_FORMAT, format_version: version as number, name: (v.name as string).trim(), ...(v.description ? {description: v.description as string} : {})} as const;
  if (v.kind === "sql") {
    if (typeof v.where !== "string" || !v.where.trim()) fail(`sql cut "${v.name}": "where" must be a non-empty SQL predicate`);
    if (v.channel !== undefined && !channelOk(v.channel)) fail(`sql cut "${v.name}": "channel" must be an integer ≥ 0`);
    // A predicate is data: one expression, checked before any engine sees it.
    try {
      checkPredicate(v.where as string);
    } catch (e) {
      fail(`sql cut "${v.name}": "where" must be a single predicate: ${(e as Error).message}`);
    }
    return {...base, kind: "sql", where: (v.where as string).trim(), ...(v.channel !== undefined ? {channel: v.channel as number} : {})};
  }
  if (v.kind === "polygon") {
    for (const axis of ["x", "y"] as const) if (typeof v[axis] !== "string" || !COLUMN.test(v[axis] as string)) fail(`polygon cut "${v.name}": "${axis}" must be a column name`);
    if (!channelOk(v.channel)) fail(`polygon cut "${v.name}": "channel" must be an integer ≥ 0`);
    const poly = v.polygon;
    if (!Array.isArray(poly) || poly.length < 3 || !poly.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === "number" && Number.isFinite(n)))) {
      fail(`polygon cut "${v.name}": "polygon" must be at least 3 [x, y] pairs of finite numbers`);
    }
    return {...base, kind: "polygon", x: v.x as string, y: v.y as string, channel: v.channel as number, polygon: (poly as [number, number][]).map(([a, b]) => [a, b])};
  }
  return fail(`"kind" must be "sql" or "polygon", found ${JSON.stringify(v.kind ?? null)}`);
}

/** Parses the text of a cut file. */
export function parseCut(text: string, file: string): Cut {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataFileError(file, `not valid JSON (${(e as Error).message})`);
  }
  return validateCut(value, file);
}

/** The text of a cut file (stable key order, one vertex per line). */
export function formatCut(cut: Cut): string {
  return `${JSON.stringify(cut, null, 2)}\n`;
}

/** A cut of the given kind with the format fields filled in. */
export function makeCut(fields: Omit<SqlCut, "format" | "format_version"> | Omit<PolygonCut, "format" | "format_version">): Cut {
  return validateCut({format: CUT_FORMAT, format_version: CUT_FORMAT_VERSION, ...fields}, `cut "${fields.name}"`);
}
