// The `pulsebook` command as the tests run it: a fresh Node process on bin/pulsebook.mjs.
import {execFile} from "node:child_process";
import {promisify} from "node:util";
import {fileURLToPath} from "node:url";

export const PULSEBOOK_BIN = fileURLToPath(new URL("../../bin/pulsebook.mjs", import.meta.url));

/** Runs `pulsebook ...args`; resolves with the exit code and output, whatever the code. */
export async function runPulsebook(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  try {
    const {stdout, stderr} = await promisify(execFile)(process.execPath, [PULSEBOOK_BIN, ...args], {encoding: "utf8"});
    return {code: 0, stdout, stderr};
  } catch (e) {
    const err = e as {code: number; stdout: string; stderr: string};
    return {code: err.code, stdout: err.stdout, stderr: err.stderr};
  }
}

/**
 * Runs the CLI's `main` in this process (no start-up cost), capturing what it prints:
 * `err` from console.error, `out` from console.log.
 */
export async function runMain(argv: string[]): Promise<{code: number; err: string; out: string}> {
  const {vi} = await import("vitest");
  const {main} = await import("../../data-loaders/cli/main.js");
  const err: string[] = [], out: string[] = [];
  const e = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => { err.push(a.join(" ")); });
  const o = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => { out.push(a.join(" ")); });
  try {
    return {code: await main(argv), err: err.join("\n"), out: out.join("\n")};
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}
