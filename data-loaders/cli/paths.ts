// Inputs are sacred: before any handler runs, every output a command line names is checked
// against the command's inputs and against what already lies at its path. An output that is an
// input, holds one, or is a link to one is refused; an existing path of another kind than the
// output (a folder where a file goes, a regular file where a model folder goes, a non-HDF5 file
// where an .h5 goes) is replaced only with --force. Paths are compared as the file system sees
// them (realpath), so a symbolic link or `./` cannot hide an input.
import {closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, statSync, type Stats} from "node:fs";
import {basename, dirname, join, resolve, sep} from "node:path";
import {findHdf5Signature} from "../../lib/io/hdf5Signature.js";
import {UsageError, type Args, type Command, type OutputKind} from "./spec.js";

interface Named {
  /** As typed. */
  path: string;
  /** Where it came from in the command line: "--data", "IN.h5". */
  from: string;
  /** An output's kind. */
  kind?: OutputKind;
}

function statOrUndefined(path: string, follow = true): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The path as the file system resolves it; for a path that does not exist yet, its nearest
 * existing ancestor resolved and the rest appended (a dangling link followed to where it
 * points, as a write through it would be). `blocker`: an ancestor that is not a folder.
 */
function realLocation(path: string): {real: string; blocker?: string} {
  const rest: string[] = [];
  let p = resolve(path);
  for (let links = 0; ;) {
    const st = statOrUndefined(p);
    if (st) return {real: join(realpathSync(p), ...rest), blocker: rest.length > 0 && !st.isDirectory() ? p : undefined};
    if (statOrUndefined(p, false)?.isSymbolicLink() && ++links < 40) {
      p = resolve(dirname(p), readlinkSync(p));
      continue;
    }
    if (dirname(p) === p) return {real: join(p, ...rest)};
    rest.unshift(basename(p));
    p = dirname(p);
  }
}

/** The paths named by the positionals and options whose role is `io`. */
function named(command: Command, args: Args, io: "input" | "output"): Named[] {
  const found: Named[] = [];
  const declared = command.positionals ?? [];
  args.positionals.forEach((value, i) => {
    const p = declared[Math.min(i, declared.length - 1)];
    if (p?.path?.io === io) found.push({path: value, from: p.name});
  });
  for (const [name, option] of Object.entries(command.options)) {
    const role = option.path;
    const value = (args.values as Record<string, unknown>)[name];
    if (!role || role.io !== io || value === undefined) continue;
    for (const v of Array.isArray(value) ? value as string[] : [value as string]) {
      if (v === "" || (role.io === "input" && role.except?.includes(v))) continue;
      found.push({path: v, from: `--${name}`, kind: role.io === "output" ? role.kind : undefined});
    }
  }
  return found;
}

const FORMAT_NOUN = {h5: "an HDF5 file", parquet: "a Parquet file", json: "a JSON file"} as const;

function readAt(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(length);
    const n = readSync(fd, b, 0, length, position);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Whether the regular file at `path` (of `size` bytes) is of `format`, by its magic bytes. */
function isFormat(path: string, size: number, format: "h5" | "parquet" | "json"): boolean {
  switch (format) {
    case "h5":
      return findHdf5Signature((offset, length) => readAt(path, offset, length), size) >= 0;
    case "parquet":
      return size >= 8 && readAt(path, 0, 4).toString("latin1") === "PAR1" && readAt(path, size - 4, 4).toString("latin1") === "PAR1";
    case "json":
      return /^\s*[[{]/.test(readAt(path, 0, 256).toString("utf8"));
  }
}

/** Why the existing path `st` may not be replaced by an output of `kind`; undefined if it may. */
function mismatch(path: string, st: Stats, kind: OutputKind, force: boolean): {problem: string; forceable: boolean} | undefined {
  if ("file" in kind) {
    const noun = FORMAT_NOUN[kind.file];
    if (st.isDirectory()) return {problem: `is an existing folder, where ${noun} goes; remove it or name a file`, forceable: false};
    if (!st.isFile()) return {problem: `exists and is not a regular file, where ${noun} goes`, forceable: false};
    if (st.size === 0 || isFormat(path, st.size, kind.file) || force) return undefined;
    return {problem: `exists and is not ${noun}`, forceable: true};
  }
  if ("folder" in kind) {
    return st.isDirectory() ? undefined : {problem: "exists and is not a folder, where a folder of model files goes", forceable: false};
  }
  if (force) return undefined;
  if (!st.isDirectory()) return {problem: `exists and is not a folder, where a model folder (with ${kind.modelDir}) goes`, forceable: true};
  const entries = readdirSync(path);
  if (entries.length > 0 && !entries.includes(kind.modelDir)) {
    return {problem: `is a folder without ${kind.modelDir}, not a model folder; writing the model would replace all it holds`, forceable: true};
  }
  return undefined;
}

/**
 * Refuses (UsageError) an output of `command` that is, holds, or links to one of its inputs,
 * an output whose folder cannot be made, and an existing path of another kind than the output
 * unless --force. Runs before the handler: nothing has been written when it throws.
 */
export function checkOutputs(command: Command, args: Args): void {
  const outputs = named(command, args, "output");
  if (outputs.length === 0) return;
  const inputs = [...named(command, args, "input"), ...(command.impliedInputs?.(args) ?? [])]
    .filter((i) => statOrUndefined(i.path))
    .map((i) => ({...i, real: realpathSync(i.path)}));
  const force = (args.values as {force?: unknown}).force === true;
  const forceHint = "force" in command.options ? "; pass --force to replace it" : "";
  for (const out of outputs) {
    const where = `${out.from} ${JSON.stringify(out.path)}`;
    const {real, blocker} = realLocation(out.path);
    const link = statOrUndefined(out.path, false)?.isSymbolicLink() ? ` (a link to ${JSON.stringify(real)})` : "";
    for (const input of inputs) {
      const what = `the input ${JSON.stringify(input.path)} (${input.from})`;
      if (input.real === real) throw new UsageError(`${where}${link} is ${what}; writing it would destroy the input, name another output`);
      if (input.real.startsWith(real + sep)) throw new UsageError(`${where}${link} holds ${what}; writing it would destroy the input, name another output`);
    }
    if (blocker) throw new UsageError(`${where}: ${JSON.stringify(blocker)} is a file, not a folder, so nothing can be written under it`);
    const st = statOrUndefined(real);
    const bad = st && out.kind ? mismatch(real, st, out.kind, force) : undefined;
    if (bad) throw new UsageError(`${where}${link} ${bad.problem}${bad.forceable ? forceHint : ""}`);
  }
}
