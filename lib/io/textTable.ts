// A plain-text table of numbers (CSV, TSV or whitespace-separated): one row per line, `#`
// comments and blank lines skipped, an optional header line of names first. Parsed line by
// line, so a caller can stream a file of any size.

import {DataFileError} from "./errors.js";

export type Delimiter = "," | ";" | "\t" | " ";

// Decimal numbers only: Number() would also take "", "0x1F" and "Infinity".
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a line holds no data (blank or a `#` comment). */
export const isSkipped = (line: string): boolean => /^\s*(#|$)/.test(line);

/** The delimiter of a line: comma, else semicolon, else tab, else runs of spaces. */
export function detectDelimiter(line: string): Delimiter {
  return line.includes(",") ? "," : line.includes(";") ? ";" : line.includes("\t") ? "\t" : " ";
}

/** The fields of a line, trimmed (quotes around a field removed). */
export function splitFields(line: string, delimiter: Delimiter): string[] {
  const trimmed = line.trim();
  const fields = delimiter === " " ? trimmed.split(/\s+/) : trimmed.split(delimiter);
  return fields.map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
}

/** Whether every field is a decimal number (a header line has names instead). */
export const allNumbers = (fields: readonly string[]): boolean => fields.every((f) => NUMBER.test(f));

/** The numbers of a data line into `out` at `offset`; an error names the line and field. */
export function parseRow(fields: readonly string[], out: Float64Array, offset: number, file: string, lineNumber: number): void {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (!NUMBER.test(f)) throw new DataFileError(file, `line ${lineNumber}, field ${i + 1}: ${JSON.stringify(f)} is not a number`);
    out[offset + i] = Number(f);
  }
}
