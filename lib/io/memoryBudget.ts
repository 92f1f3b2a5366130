// The memory budget: how many bytes a reader may set aside for what a file declares (an HDF5
// dataset's shape, a .par's record layout, a filter's length) before it allocates anything.
// A declared size is believed only up to the file's actual size and this budget; beyond, the
// reader stops with an error saying what was declared, what is possible and how to raise it.
// Pure: Node sets the budget from PULSEBOOK_MEMORY_BUDGET (data-loaders/io/memoryBudget.ts).

import {DataFileError} from "./errors.js";

/** Default: 2 GiB, well inside what Node and a browser tab can hold. */
export const DEFAULT_MEMORY_BUDGET = 2 * 1024 ** 3;
/** The environment variable that sets the budget (e.g. `PULSEBOOK_MEMORY_BUDGET=8GiB`). */
export const MEMORY_BUDGET_ENV = "PULSEBOOK_MEMORY_BUDGET";
/** How a user raises the budget, as error messages say it. */
export const RAISE_BUDGET = `raise it with --memory-budget SIZE or ${MEMORY_BUDGET_ENV}=SIZE, e.g. 8GiB`;

let budget = DEFAULT_MEMORY_BUDGET;

/** The budget in bytes. */
export function memoryBudget(): number {
  return budget;
}

/** Sets the budget (bytes, > 0); returns the previous one. */
export function setMemoryBudget(bytes: number): number {
  if (!(Number.isSafeInteger(bytes) && bytes > 0)) throw new RangeError(`memory budget must be a positive whole number of bytes, got ${bytes}`);
  const previous = budget;
  budget = bytes;
  return previous;
}

const UNITS: {[unit: string]: number} = {
  "": 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4
};

/** "4GiB", "512 MiB", "2G", "1e9" → bytes; null when `text` is not a size. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

/** Bytes in words: "1.5 GiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; ++i; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/**
 * Throws a DataFileError naming `file` (and `dataset`) when `bytes`, what `what` declares,
 * exceeds the memory budget. Call before allocating.
 */
export function checkBudget(file: string, what: string, bytes: number, dataset?: string): void {
  if (bytes <= budget) return;
  throw new DataFileError(file, `${what} needs ${formatBytes(bytes)} of memory, more than the memory budget of ${formatBytes(budget)} ` +
    `(${RAISE_BUDGET}, if the file is meant to be this large)`, dataset);
}
