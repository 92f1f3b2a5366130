// The language of the command table (commands.ts): what a command, a positional argument and an
// option are, and constructors that keep the handler's view of the parsed values typed (an
// option with a default or marked required is never undefined in the handler).

/** How an option's text becomes a value, and what is allowed. */
export type ValueSpec =
  | {type: "string"}
  | {type: "integer"; min: number}
  /** A finite number; `gt`/`ge` a lower bound (exclusive/inclusive), `le` an upper one. */
  | {type: "number"; gt?: number; ge?: number; le?: number}
  /** One of `values`; `noun` names a value in messages ("unknown model …"). */
  | {type: "enum"; values: readonly string[]; noun?: string}
  /** Comma-separated values, each checked as `of`; empty entries are kept for strings. */
  | {type: "list"; of: ValueSpec};

/**
 * What an output path holds, so that an existing path of another kind is never replaced
 * unasked (data-loaders/cli/paths.ts): a file of a format, a model folder written as one
 * (replaced whole), or a folder that files are written into.
 */
export type OutputKind =
  | {file: "h5" | "parquet" | "json"}
  /** Replaced whole; an existing one holds `marker` (model.json) or is empty. */
  | {modelDir: string}
  /** Files are written into it; what else it holds is kept. */
  | {folder: true};

/** An option or positional naming a path the command reads, or one it writes. */
export type PathRole =
  /** `except`: values that name no file (`--data sim`). */
  | {io: "input"; except?: readonly string[]}
  | {io: "output"; kind: OutputKind};

/** An option as the table declares it; T is the parsed type, P whether it is always present. */
export interface Option<T = unknown, P extends boolean = boolean> {
  value: ValueSpec | {type: "boolean"};
  /** One line for help: what the option does. */
  summary: string;
  /** The value's name in usage lines ("N", "FILE.h5"); enums and lists of enums default to their values. */
  placeholder?: string;
  /** true, or a hint appended to the "is required" message. */
  required?: boolean | string;
  /** The value used when the option is absent (also what help shows). */
  default?: T;
  /** The value (each, for a list) is a path the command reads or writes. */
  path?: PathRole;
  /** What help shows as the default when it is not a fixed value (the handler computes it). */
  defaultText?: string;
  /** Phantom fields carrying the types; never set. */
  readonly _type?: T;
  readonly _present?: P;
}

interface Common {
  summary: string;
  path?: PathRole;
  placeholder?: string;
  required?: boolean | string;
  defaultText?: string;
}

type Present<O> = O extends {default: unknown} ? true : O extends {required: true | string} ? true : false;

export function text<const O extends Common & {default?: string}>(o: O): Option<string, Present<O>> {
  return {...o, value: {type: "string"}};
}

export function integer<const O extends Common & {min?: number; default?: number}>(o: O): Option<number, Present<O>> {
  const {min = 0, ...rest} = o;
  return {...rest, value: {type: "integer", min}};
}

export function number<const O extends Common & {gt?: number; ge?: number; le?: number; default?: number}>(o: O): Option<number, Present<O>> {
  const {gt, ge, le, ...rest} = o;
  return {...rest, value: {type: "number", gt, ge, le}};
}

export function oneOf<const V extends string, const O extends Common & {default?: NoInfer<V>}>(o: O & {values: readonly V[]; noun?: string}): Option<V, Present<O>> {
  const {values, noun, ...rest} = o;
  return {...rest, value: {type: "enum", values, noun}};
}

/** A comma list of strings (file names; "" for an empty entry). */
export function list<const O extends Common & {default?: string[]}>(o: O): Option<string[], Present<O>> {
  return {...o, value: {type: "list", of: {type: "string"}}};
}

export function integerList<const O extends Common & {min?: number; default?: number[]}>(o: O): Option<number[], Present<O>> {
  const {min = 0, ...rest} = o;
  return {...rest, value: {type: "list", of: {type: "integer", min}}};
}

export function numberList<const O extends Common & {gt?: number; ge?: number; le?: number; default?: number[]}>(o: O): Option<number[], Present<O>> {
  const {gt, ge, le, ...rest} = o;
  return {...rest, value: {type: "list", of: {type: "number", gt, ge, le}}};
}

export function oneOfList<const V extends string, const O extends Common & {default?: NoInfer<V>[]}>(o: O & {values: readonly V[]; noun?: string}): Option<V[], Present<O>> {
  const {values, noun, ...rest} = o;
  return {...rest, value: {type: "list", of: {type: "enum", values, noun}}};
}

export function flag(o: {summary: string}): Option<boolean, true> {
  return {...o, value: {type: "boolean"}, default: false};
}

export interface Positional {
  /** As usage shows it: "IN.h5", "CUT.cut.json". */
  name: string;
  /** "many": one or more; "optional": none or one (either only for the last positional). */
  repeat?: "many" | "optional";
  /** A path the command reads (all positionals so far are). */
  path?: PathRole;
}

export type Options = Record<string, Option<any, boolean>>;

export type Values<O extends Options> = {
  -readonly [K in keyof O]: O[K] extends Option<infer T, infer P> ? (P extends true ? T : T | undefined) : never
};

/** What a handler gets: the parsed options and positionals, and the command line as typed. */
export interface Args<O extends Options = Options> {
  values: Values<O>;
  positionals: string[];
  /** `pulsebook`, the command's path and its arguments, as typed: provenance of written files. */
  commandLine: string;
}

export interface Command<O extends Options = Options> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs for `pulsebook help NAME`, plain text. */
  description: string;
  positionals?: readonly Positional[];
  options: O;
  /** Inputs the command finds on its own (a .par next to the .rdt), guarded like declared ones. */
  impliedInputs?: (args: Args<O>) => {path: string; from: string}[];
  /** Checks between options or against positionals (UsageError), before any module is loaded. */
  check?: (args: Args<O>) => void;
  /** Does the work; imports what it needs when it runs. Returns the exit code (default 0). */
  run: (args: Args<O>) => Promise<number | void>;
}

/** A command with commands of its own (`pulsebook labels import`). */
export interface Group {
  name: string;
  summary: string;
  description: string;
  subcommands: readonly Entry[];
}

export type Entry = Command | Group;

export const isGroup = (e: Entry): e is Group => "subcommands" in e;

/** Declares a command; keeps `check` and `run` typed by its options. */
export function command<const O extends Options>(c: Command<O>): Command {
  return c as unknown as Command;
}

/** A bad command line: printed with a pointer to help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly path: readonly string[] = []) {
    super(message);
  }
}
