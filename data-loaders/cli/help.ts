// Usage text generated from the command table: the command list (`pulsebook help`), one
// command's usage (`pulsebook help NAME`, `pulsebook NAME --help`), and the pieces the parser's
// messages and the Markdown reference (docs.ts) share. Nothing here is written by hand per command.
import {relative, sep} from "node:path";
import {fileURLToPath} from "node:url";
import {isGroup, type Command, type Entry, type Group, type Option, type Positional} from "./spec.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WIDTH = 100;

/** How a number must lie, as messages say it: "a positive number", "in (0, 1]", "a number ≥ 0". */
export function rangeText(v: {gt?: number; ge?: number; le?: number}): string {
  if (v.le !== undefined) return `in ${v.gt !== undefined ? `(${v.gt}` : `[${v.ge ?? "−∞"}`}, ${v.le}]`;
  if (v.gt === 0) return "a positive number";
  if (v.gt !== undefined) return `a number > ${v.gt}`;
  if (v.ge !== undefined) return `a number ≥ ${v.ge}`;
  return "a number";
}

/** The value's name in usage lines: the declared one, else the allowed values, else its type. */
export function placeholder(option: Option): string {
  if (option.placeholder) return option.placeholder;
  const v = option.value;
  if (v.type === "enum") return v.values.join("|");
  if (v.type === "list") return v.of.type === "enum" ? v.of.values.join(",") : "A,B,…";
  return v.type === "integer" ? "N" : v.type === "number" ? "X" : "VALUE";
}

/** `--name PLACEHOLDER`, or `--name` for a flag. */
export function optionLabel(name: string, option: Option): string {
  return option.value.type === "boolean" ? `--${name}` : `--${name} ${placeholder(option)}`;
}

export function positionalsUsage(positionals: readonly Positional[]): string {
  return positionals.map((p) => (p.repeat === "many" ? `${p.name}…` : p.repeat === "optional" ? `[${p.name}]` : p.name)).join(" ");
}

/** A number as help shows it: 5e-4 rather than 0.0005. */
export const formatNumber = (x: number) => x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6) ? x.toExponential() : String(x);

/** A default as help shows it: paths inside the project relative to it, lists with commas. */
export function defaultText(option: Option): string | undefined {
  if (option.defaultText !== undefined) return option.defaultText;
  const d = option.default;
  if (d === undefined || d === false) return undefined;
  if (Array.isArray(d)) return d.map((x) => typeof x === "number" ? formatNumber(x) : x).join(",");
  if (typeof d === "string" && d.startsWith(ROOT)) return relative(ROOT, d).split(sep).join("/");
  return typeof d === "number" ? formatNumber(d) : String(d);
}

/** What help says about an option besides its summary: required, or its default. */
export function optionNote(option: Option): string | undefined {
  if (option.required) return "required";
  const d = defaultText(option);
  return d === undefined ? undefined : `default ${d}`;
}

/** The parts of a command's usage line: name path, positionals, then options in table order. */
function synopsisParts(path: readonly string[], command: Command): string[] {
  const parts = [`pulsebook ${path.join(" ")}`];
  if (command.positionals?.length) parts.push(positionalsUsage(command.positionals));
  for (const [name, option] of Object.entries(command.options)) {
    const label = optionLabel(name, option);
    parts.push(option.required ? label : `[${label}]`);
  }
  return parts;
}

/** Words laid out in lines of at most `width`, continuation lines indented by `indent`. */
function wrap(words: readonly string[], width: number, indent: string, first = ""): string[] {
  const lines: string[] = [];
  let line = first;
  for (const w of words) {
    const sepd = line === first || line === indent ? line + w : `${line} ${w}`;
    if (sepd.length > width && line !== first && line !== indent) {
      lines.push(line);
      line = indent + w;
    } else line = sepd;
  }
  lines.push(line);
  return lines;
}

/** The usage line of a command, wrapped: `pulsebook train --model … --data … \n    [--epochs N] …`. */
export function synopsis(path: readonly string[], command: Command, width = WIDTH): string[] {
  const [head, ...rest] = synopsisParts(path, command);
  return wrap(rest, width, " ".repeat(head.length + 1), `${head} `);
}

/** Every runnable command under `entries`, with its full name path. */
export function leaves(entries: readonly Entry[], prefix: readonly string[] = []): {path: string[]; command: Command}[] {
  return entries.flatMap((e) => isGroup(e) ? leaves(e.subcommands, [...prefix, e.name]) : [{path: [...prefix, e.name], command: e}]);
}

/** The entry named by `path` (e.g. ["labels", "import"]), or undefined. */
export function findEntry(entries: readonly Entry[], path: readonly string[]): Entry | undefined {
  let here: readonly Entry[] = entries;
  let found: Entry | undefined;
  for (const name of path) {
    found = here.find((e) => e.name === name);
    if (!found) return undefined;
    here = isGroup(found) ? found.subcommands : [];
  }
  return found;
}

const paragraphs = (text: string, indent: string) =>
  text.trim().split(/\n\s*\n/).map((p) => wrap(p.split(/\s+/), WIDTH, indent, indent).join("\n")).join("\n\n");

/** Two columns: labels padded to a common width (capped), text wrapped beside them. */
function columns(rows: [string, string][], indent = "  "): string {
  const width = Math.min(30, Math.max(...rows.map(([l]) => l.length)));
  const pad = indent + " ".repeat(width + 2);
  return rows.map(([label, text]) => {
    const head = label.length > width ? `${indent}${label}\n${pad}` : `${indent}${label.padEnd(width)}  `;
    return wrap(text.split(/\s+/), WIDTH, pad, head).join("\n");
  }).join("\n");
}

/** `pulsebook help`: every command's usage line and summary. */
export function usage(entries: readonly Entry[], version: string): string {
  const blocks = leaves(entries).map(({path, command}) =>
    [...synopsis(path, command).map((l) => `  ${l}`), ...wrap(command.summary.split(/\s+/), WIDTH, "      ", "      ")].join("\n"));
  return `pulsebook ${version} — rare-event detector raw data

Usage:
${blocks.join("\n")}
  pulsebook help [COMMAND] | --version

Run "pulsebook help COMMAND" or "pulsebook COMMAND --help" for a command's options and defaults.
--debug (with any command): on failure, also print the original error with its stack and causes.
--memory-budget SIZE (with any command, or PULSEBOOK_MEMORY_BUDGET=SIZE): the most memory a
  declared size may ask for before anything is read (default 2GiB; e.g. 8GiB).
Exit codes: 0 success, 1 the input or the work failed, 2 bad command line.`;
}

/** `pulsebook help NAME`: usage line, description, options with their defaults. */
export function commandHelp(path: readonly string[], command: Command): string {
  const rows = Object.entries(command.options).map(([name, option]): [string, string] => {
    const note = optionNote(option);
    return [optionLabel(name, option), note ? `${option.summary} (${note})` : option.summary];
  });
  return [
    `Usage: ${synopsis(path, command, WIDTH - "Usage: ".length).join("\n       ")}`,
    "",
    paragraphs(`${command.summary}\n\n${command.description}`, "  "),
    ...(rows.length ? ["", "Options:", columns(rows)] : [])
  ].join("\n");
}

/** `pulsebook help labels`: the group's commands. */
export function groupHelp(path: readonly string[], group: Group): string {
  const rows = group.subcommands.map((e): [string, string] => [`${[...path, e.name].join(" ")}`, e.summary]);
  return [
    `Usage: pulsebook ${path.join(" ")} COMMAND …`,
    "",
    paragraphs(`${group.summary}\n\n${group.description}`, "  "),
    "",
    "Commands:",
    columns(rows),
    "",
    `Run "pulsebook help ${path.join(" ")} COMMAND" for a command's options and defaults.`
  ].join("\n");
}

/** Help for the entry at `path` (a command or a group). */
export function entryHelp(path: readonly string[], entry: Entry): string {
  return isGroup(entry) ? groupHelp(path, entry) : commandHelp(path, entry);
}
