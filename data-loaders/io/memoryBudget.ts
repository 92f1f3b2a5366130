// The memory budget on the Node side: set once from PULSEBOOK_MEMORY_BUDGET when a reader is
// first loaded (lib/io/memoryBudget.ts). The CLI's global `--memory-budget SIZE` sets the same
// variable before a command runs (applyMemoryBudgetOption), so both ways meet here.

import {MEMORY_BUDGET_ENV, parseByteSize, setMemoryBudget} from "../../lib/io/memoryBudget.js";
import {DataFileError} from "../../lib/io/errors.js";

export {memoryBudget, MEMORY_BUDGET_ENV} from "../../lib/io/memoryBudget.js";

/** A budget that is not a size; `source` (the variable or option) takes the file's place in the message. */
export class MemoryBudgetError extends DataFileError {
  constructor(source: string, text: string) {
    super(source, `"${text}" is not a memory size (examples: 4GiB, 512MiB, 8G, 2000000000)`);
    this.name = "MemoryBudgetError";
  }
}

/** Sets the budget from `text` (`source` names it in errors). */
export function setMemoryBudgetFrom(text: string, source: string): number {
  const bytes = parseByteSize(text);
  if (bytes === null) throw new MemoryBudgetError(source, text);
  setMemoryBudget(bytes);
  return bytes;
}

/** Applies PULSEBOOK_MEMORY_BUDGET when set (and not empty). */
export function applyMemoryBudgetEnv(env: NodeJS.ProcessEnv = process.env): void {
  const text = env[MEMORY_BUDGET_ENV];
  if (text !== undefined && text.trim() !== "") setMemoryBudgetFrom(text, MEMORY_BUDGET_ENV);
}

/**
 * Takes a global `--memory-budget SIZE` (or `--memory-budget=SIZE`) out of `argv`, applies it and
 * returns the rest: for the CLI's main, before the command is looked up.
 */
export function applyMemoryBudgetOption(argv: readonly string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--memory-budget") {
      if (i + 1 >= argv.length) throw new MemoryBudgetError("--memory-budget", "");
      setMemoryBudgetFrom(argv[++i], "--memory-budget");
    } else if (a.startsWith("--memory-budget=")) {
      setMemoryBudgetFrom(a.slice("--memory-budget=".length), "--memory-budget");
    } else {
      rest.push(a);
    }
  }
  return rest;
}

applyMemoryBudgetEnv();
