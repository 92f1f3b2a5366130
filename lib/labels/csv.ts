// Label tables as CSV (RFC 4180 quoting by d3-dsv, so notes may hold commas, quotes and line
// breaks). The first line is a comment carrying the format version; pandas reads the file with
// `read_csv(path, comment="#")`.
//
// d3-dsv parses leniently: a quote never closed takes the rest of the file into one field (the
// rows after it silently become a note), and a stray quote inside a field is kept. Labels are
// trained on, so reading checks the quoting first (recordLines) and refuses such files, naming
// the line; it also finds where each record starts, so messages name file lines even when a
// note spans several.

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

/**
 * Checks `text` is RFC 4180 CSV: quoted fields closed, and followed by a separator or line end;
 * no quote inside an unquoted field; every record as many fields as the first (the header).
 * Returns the file line each record starts on (`firstLine` for the first).
 */
export function recordLines(text: string, file: string, firstLine = 1): number[] {
  const starts: number[] = [];
  const n = text.length;
  let line = firstLine;
  let i = 0;
  let width: number | undefined;
  const lineEnd = (k: number) => text[k] === "\n" || text[k] === "\r";
  while (i < n) {
    const start = line;
    let fields = 1;
    for (;;) {
      if (text[i] === '"') {
        const opened = line;
        for (++i; ; ++i) {
          if (i >= n) throw new DataFileError(file, `line ${opened}: quoted field never closed (the quote opened on this line runs to the end of the file)`);
          if (text[i] === '"') {
            if (text[i + 1] !== '"') break;
            ++i;
          } else if (text[i] === "\n") {
            ++line;
          }
        }
        ++i;
        if (i < n && text[i] !== "," && !lineEnd(i)) throw new DataFileError(file, `line ${line}: text after the closing quote of a field (a quote inside a field is written "")`);
      } else {
        for (; i < n && text[i] !== "," && !lineEnd(i); ++i) {
          if (text[i] === '"') throw new DataFileError(file, `line ${line}: quote inside an unquoted field (quote the whole field and write the quote as "")`);
        }
      }
      if (i < n && text[i] === ",") {
        ++i;
        ++fields;
        continue;
      }
      if (i < n) i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
      ++line;
      break;
    }
    width ??= fields;
    if (fields !== width) throw new DataFileError(file, `line ${start}: ${fields} field${fields > 1 ? "s" : ""}, but the header has ${width}`);
    starts.push(start);
  }
  return starts;
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
  const lines = recordLines(body, file, skipped + 1);
  const rows = csvParse(body);
  const missing = ["event", "channel", "label"].filter((c) => !rows.columns.includes(c));
  if (missing.length) throw new DataFileError(file, `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (found: ${rows.columns.join(", ") || "none"})`);
  // Row numbers in messages are the file lines records start on (lines[0] is the header's).
  return {entries: entriesFromRows(rows, file, lines.slice(1)), version: v, dataset};
}
