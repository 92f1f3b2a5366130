// `pulsebook <command>`: batch versions of what the data loaders do for the notebooks. Finds the
// command in the table, prints help, parses and runs it, and turns failures into exit codes.
import {COMMANDS} from "./commands.js";
import {debugText, explain} from "./errorBoundary.js";
import {applyMemoryBudgetOption} from "../io/memoryBudget.js";
import {entryHelp, findEntry, usage} from "./help.js";
import {commandsMarkdown} from "./docs.js";
import {parseCommandLine} from "./parse.js";
import {checkOutputs} from "./paths.js";
import {isGroup, UsageError, type Entry} from "./spec.js";

const wantsHelp = (argv: readonly string[]) => argv.some((a) => a === "--help" || a === "-h");

// The version asks git (two processes): imported only where printed, and by the commands that stamp.
const version = async () => (await import("../provenance.js")).PULSEBOOK_VERSION;

/** `pulsebook help [COMMAND…] [--markdown]`. */
async function help(argv: string[]): Promise<number> {
  if (argv.length === 1 && argv[0] === "--markdown") {
    console.log(commandsMarkdown(COMMANDS));
    return 0;
  }
  const path = argv.filter((a) => a !== "--help" && a !== "-h");
  if (path.length === 0) {
    console.log(usage(COMMANDS, await version()));
    return 0;
  }
  const entry = findEntry(COMMANDS, path);
  if (!entry) throw new UsageError(`no command "${path.join(" ")}" (known: ${COMMANDS.map((e) => e.name).join(", ")})`);
  console.log(entryHelp(path, entry));
  return 0;
}

/** Walks `argv` down the table to a command, then parses its arguments and runs it. */
async function dispatch(entries: readonly Entry[], path: string[], argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const entry = entries.find((e) => e.name === name);
  if (!entry) {
    if (path.length === 0) throw new UsageError(`unknown command "${name}"`);
    throw new UsageError(`unknown ${path.join(" ")} command "${name ?? ""}" (known: ${entries.map((e) => e.name).join(", ")})`, path);
  }
  const here = [...path, entry.name];
  if (isGroup(entry)) {
    if (rest.length === 0 || rest[0] === "--help" || rest[0] === "-h") {
      if (rest.length === 0) throw new UsageError(`${here.join(" ")} needs a command (known: ${entry.subcommands.map((e) => e.name).join(", ")})`, here);
      console.log(entryHelp(here, entry));
      return 0;
    }
    return dispatch(entry.subcommands, here, rest);
  }
  if (wantsHelp(rest)) {
    console.log(entryHelp(here, entry));
    return 0;
  }
  let args;
  try {
    args = parseCommandLine(entry, here, rest);
    entry.check?.(args);
    checkOutputs(entry, args);
  } catch (e) {
    // Point the user at this command's help.
    throw e instanceof UsageError && e.path.length === 0 ? new UsageError(e.message, here) : e;
  }
  return (await entry.run(args)) ?? 0;
}

/**
 * Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad command line). `--debug`, anywhere
 * on the line, prints a failure's original error with its stack and causes.
 */
export async function main(argvWithFlags: string[]): Promise<number> {
  const debug = argvWithFlags.includes("--debug");
  try {
    // Global options, taken out before the command is looked up.
    const argv = applyMemoryBudgetOption(argvWithFlags.filter((a) => a !== "--debug"));
    const [first, ...rest] = argv;
    if (first === undefined || first === "--help" || first === "-h") return await help([]);
    if (first === "help") return await help(rest);
    if (first === "--version") {
      console.log(await version());
      return 0;
    }
    return await dispatch(COMMANDS, [], argv);
  } catch (e) {
    if (e instanceof UsageError) {
      const where = e.path.length ? `pulsebook help ${e.path.join(" ")}` : "pulsebook help";
      console.error(`pulsebook: ${e.message}\nRun "${where}" for usage.`);
      return 2;
    }
    // One boundary (errorBoundary.ts): the file and the problem in words, never a stack trace;
    // an error nothing turned into words is a bug, and says so.
    const {message, internal} = explain(e);
    console.error(`pulsebook: ${message}${internal && !debug ? "\nThis is a bug in Pulsebook: run the command again with --debug and report what it prints." : ""}`);
    if (debug) console.error(debugText(e));
    return 1;
  }
}
