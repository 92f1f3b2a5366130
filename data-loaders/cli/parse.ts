// Command line → typed values, from a command's table entry. Every message names the option
// (or argument) and the value that is wrong; all are UsageErrors (exit code 2).
import {parseArgs} from "node:util";
import {UsageError, type Args, type Command, type Option, type ValueSpec} from "./spec.js";
import {placeholder, positionalsUsage, rangeText} from "./help.js";

const orList = (values: readonly string[]) =>
  values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(", ")}`;

/** Parses one value (a list element included) of option `name`. */
export function parseValue(name: string, spec: ValueSpec, raw: string): unknown {
  switch (spec.type) {
    case "string": return raw;
    case "integer": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isInteger(n) || n < spec.min) throw new UsageError(`--${name} must be an integer ≥ ${spec.min}, got "${raw}"`);
      return n;
    }
    case "number": {
      const x = Number(raw);
      const ok = raw.trim() !== "" && Number.isFinite(x) && (spec.gt === undefined || x > spec.gt) &&
        (spec.ge === undefined || x >= spec.ge) && (spec.le === undefined || x <= spec.le);
      if (!ok) throw new UsageError(`--${name} must be ${rangeText(spec)}, got "${raw}"`);
      return x;
    }
    case "enum":
      if (spec.values.includes(raw)) return raw;
      throw new UsageError(spec.noun
        ? `--${name}: unknown ${spec.noun} "${raw}" (known: ${spec.values.join(", ")})`
        : `--${name} must be ${orList(spec.values)}, got "${raw}"`);
    case "list":
      return raw.split(",").map((part) => parseValue(name, spec.of, spec.of.type === "string" ? part : part.trim()));
  }
}

function requiredMessage(name: string, option: Option): string {
  const hint = typeof option.required === "string" ? ` (${option.required})` : "";
  const value = option.value.type === "boolean" ? "" : ` ${placeholder(option)}`;
  return `--${name}${value} is required${hint}`;
}

/** A string option's value taken from the next argument that is itself an option: a forgotten value. */
const looksLikeOption = (s: string) => s.startsWith("-") && s !== "-" && !Number.isFinite(Number(s));

/**
 * Parses `argv` (the arguments after the command's name) as `command` declares them: unknown
 * options, missing values, bad values, missing required options and a wrong number of
 * positional arguments are UsageErrors naming what is wrong.
 */
export function parseCommandLine(command: Command, path: readonly string[], argv: string[]): Args {
  const options = Object.fromEntries(Object.entries(command.options).map(([name, o]) =>
    [name, {type: o.value.type === "boolean" ? "boolean" as const : "string" as const}]));
  const {tokens} = parseArgs({args: argv, options, strict: false, allowPositionals: true, tokens: true});
  const raw: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const where = path.join(" ");
  for (const t of tokens) {
    if (t.kind === "positional") { positionals.push(t.value); continue; }
    if (t.kind === "option-terminator") continue;
    const option = command.options[t.name];
    if (!option) throw new UsageError(`unknown option ${t.rawName} for ${where}`, path);
    if (option.value.type === "boolean") {
      if (t.value !== undefined) throw new UsageError(`--${t.name} takes no value, got "${t.value}"`, path);
      raw[t.name] = true;
      continue;
    }
    if (t.value === undefined || (!t.inlineValue && looksLikeOption(t.value))) {
      throw new UsageError(`--${t.name} needs a value (${placeholder(option)})${t.value === undefined ? "" : `, got the option "${t.value}"`}`, path);
    }
    raw[t.name] = t.value;
  }
  const declared = command.positionals ?? [];
  const fixed = declared.filter((p) => p.repeat === undefined).length;
  const many = declared.some((p) => p.repeat === "many");
  const optional = declared.some((p) => p.repeat === "optional") ? 1 : 0;
  if (positionals.length < fixed + (many ? 1 : 0) || (!many && positionals.length > fixed + optional)) {
    const got = positionals.length === 0 ? "none" : positionals.map((p) => `"${p}"`).join(" ");
    throw new UsageError(declared.length === 0
      ? `${where} takes no arguments, got ${got}`
      : `${where} expects ${positionalsUsage(declared)}, got ${got}`, path);
  }
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(command.options)) {
    const given = raw[name];
    if (given === undefined) {
      if (option.required) throw new UsageError(requiredMessage(name, option), path);
      values[name] = option.default;
    } else {
      values[name] = typeof given === "boolean" ? given : parseValue(name, option.value as ValueSpec, given);
    }
  }
  return {values, positionals, commandLine: ["pulsebook", ...path, ...argv].join(" ")} as Args;
}
