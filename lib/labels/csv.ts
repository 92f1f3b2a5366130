// Label tables as CSV (RFC 4180 quoting by d3-dsv, so notes may hold commas, quotes and line
// breaks). The first line is a comment carrying the format version; pandas reads the file with
// `read_csv(path, comment="#")`.

import {csvFormatRows, csvParse} from "d3";
import {DataFileError} from "../io/errors.js";
import type {LabelEntry} from "./book.js";
import {checkFormatVersion, entriesFromRows, LABEL_COLUMNS, LABELS_FORMAT_VERSION} from "./format.js";

/** Encodes entries as CSV text, with the version line first. */
export function encodeLabelsCsv(entries: readonly LabelEntry[], dataset = ""): string {
  const head = `# pulsebook labels, format_version ${LABELS_FORMAT_VERSION}${dataset ? `, dataset ${dataset.replace(/[\r\n]/g, " ")}` : ""}`;
  const rows = entries.map((e) => [String(e.event), String(e.channel), String(e.label), e.author, e.time, e.note]);
  return `${head}\n${csvFormatRows([[...LABEL_COLUMNS], ...rows])}\n`;
}

/** Decodes CSV text; `file` names the source in errors. */
export function decodeLabelsCsv(text: string, file: string): {entries: LabelEntry[]; version: number; dataset?: string} {
  let body = text.replace(/^\uFEFF/, "");
  let version: string | undefined;
  let dataset: string | undefined;
  let skipped = 0;
  while (body.startsWith("#")) {
    const end = body.indexOf("\n");
    const line = end < 0 ? body : body.slice(0, end);
    version ??= /format_version\s+(\S+?)(,|\s|$)/.exec(line)?.[1];
    dataset ??= /,\s*dataset\s+(.+?)\s*$/.exec(line)?.[1];
    body = end < 0 ? "" : body.slice(end + 1);
    ++skipped;
  }
  const v = checkFormatVersion(version, file);
  const rows = csvParse(body);
  const missing = ["event", "channel", "label"].filter((c) => !rows.columns.includes(c));
  if (missing.length) throw new DataFileError(file, `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (found: ${rows.columns.join(", ") || "none"})`);
  // Row numbers in messages are file lines: comment lines, then the header.
  return {entries: entriesFromRows(rows, file, skipped + 2), version: v, dataset};
}
