// A plain-text table of samples (CSV, TSV, whitespace): read twice, line by line, never whole.
// The first pass checks every line and counts rows and columns; the second fills the chunks.
// Layouts (the table as a rows × columns array): es (default) one record per row, one channel;
// sc one column per channel, rows are samples (one event); cs one row per channel (one event).
// A header line of names is allowed first: in layout sc it names the channels.
import {closeSync, openSync, readSync} from "node:fs";
import {DataFileError} from "../../lib/io/errors.js";
import {allNumbers, detectDelimiter, isSkipped, parseRow, splitFields, type Delimiter} from "../../lib/io/textTable.js";
import {parseLayout, scatterBlock, traceShape} from "../../lib/io/traceLayout.js";
import {fileProblem, fileSize} from "../io/readFile.js";
import type {TraceSource} from "./traceSource.js";

const BLOCK = 1 << 20;
export const TEXT_LAYOUTS = ["es", "sc", "cs"];

/** The lines of a file with their numbers (from 1), read in blocks. */
function* lines(path: string): Generator<[string, number]> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new DataFileError(path, fileProblem(e));
  }
  try {
    const buf = new Uint8Array(BLOCK);
    const decoder = new TextDecoder("utf-8", {fatal: true});
    let rest = "", n = 0, position = 0;
    for (;;) {
      const k = readSync(fd, buf, 0, BLOCK, position);
      position += k;
      let text: string;
      try {
        text = rest + decoder.decode(buf.subarray(0, k), {stream: k > 0});
      } catch {
        throw new DataFileError(path, `not text: bytes near offset ${position - k} are not UTF-8 (a binary file? name its format with --format)`);
      }
      const parts = text.split("\n");
      rest = k > 0 ? parts.pop()! : "";
      for (const line of parts) yield [line.endsWith("\r") ? line.slice(0, -1) : line, ++n];
      if (k === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

interface Scan {
  delimiter: Delimiter;
  header?: string[];
  rows: number;
  columns: number;
}

function scan(path: string): Scan {
  let delimiter: Delimiter | undefined, header: string[] | undefined, rows = 0, columns = 0;
  const scratch = new Float64Array(0);
  let row = scratch;
  for (const [line, n] of lines(path)) {
    if (isSkipped(line)) continue;
    delimiter ??= detectDelimiter(line);
    const fields = splitFields(line, delimiter);
    if (rows === 0 && header === undefined && !allNumbers(fields)) {
      header = fields;
      columns = fields.length;
      continue;
    }
    if (columns === 0) columns = fields.length;
    if (fields.length !== columns) {
      throw new DataFileError(path, `line ${n} has ${fields.length} fields, ${header ? "the header has" : "the first data line has"} ${columns}: every row must have as many`);
    }
    if (row.length < columns) row = new Float64Array(columns);
    parseRow(fields, row, 0, path, n);
    for (let i = 0; i < columns; i++) {
      if (!Number.isFinite(Math.fround(row[i]))) throw new DataFileError(path, `line ${n}, field ${i + 1}: ${fields[i]} is beyond float32, which cait stores`);
    }
    rows++;
  }
  if (delimiter === undefined) throw new DataFileError(path, fileSize(path) === 0 ? "empty file (0 bytes): no traces" : "no data: only blank or comment lines");
  if (rows === 0) throw new DataFileError(path, "no data rows, only a header line");
  return {delimiter, header, rows, columns};
}

export function openText(path: string, options: {layout?: string}): TraceSource {
  fileSize(path);
  const {delimiter, header, rows, columns} = scan(path);
  const layout = options.layout ?? "es";
  if (options.layout !== undefined && !TEXT_LAYOUTS.includes(layout)) {
    parseLayout(layout, 2, path); // says what is wrong with a malformed layout
    throw new DataFileError(path, `layout ${layout} is not supported for text (one record per row: es; one column per channel: sc; one row per channel: cs)`);
  }
  const axes = parseLayout(layout, 2, path);
  const shape = traceShape(axes, [rows, columns]);
  let cursor: Generator<[string[], number]> | undefined, next = 0;
  return {
    file: path,
    format: "text",
    description: {delimiter, header: header ?? null, rows, columns, layout},
    shape,
    layout,
    // One column is one trace whichever way it is read; otherwise rows could be records or samples.
    layoutAssumed: options.layout === undefined && columns > 1,
    found: header && layout === "sc" ? {channelNames: header} : {},
    read(start, count, out) {
      // es: rows [start, start + count); sc, cs: the single event is the whole table.
      const first = layout === "es" ? start : 0, take = layout === "es" ? count : rows;
      if (!cursor || next !== first) {
        cursor?.return(undefined);
        cursor = dataLines(path, delimiter, header !== undefined);
        next = 0;
      }
      const values = new Float64Array(take * columns);
      while (next < first + take) {
        const it = cursor.next();
        if (it.done) throw new DataFileError(path, `changed while being read: row ${next} is gone`);
        const [fields, n] = it.value;
        if (next >= first) parseRow(fields, values, (next - first) * columns, path, n);
        next++;
      }
      scatterBlock((k) => values[k], axes, shape, start, count, out, path);
    },
    close() {
      cursor?.return(undefined);
    }
  };
}

/** The fields of the data lines (header, blanks and comments skipped), with line numbers. */
function* dataLines(path: string, delimiter: Delimiter, hasHeader: boolean): Generator<[string[], number]> {
  let headerLeft = hasHeader;
  for (const [line, n] of lines(path)) {
    if (isSkipped(line)) continue;
    if (headerLeft) { headerLeft = false; continue; }
    yield [splitFields(line, delimiter), n];
  }
}
