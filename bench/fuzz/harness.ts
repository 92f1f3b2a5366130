// Runs `pulsebook` commands for the fuzz suite in a child process with a memory and a time
// limit, and sorts each outcome: a clear error, an unclear one, a crash (signal, out of memory,
// timeout, uncaught error), or exit 0 (judged by the caller against the valid input's output).
import {fork, type ChildProcess} from "node:child_process";
import {readFileSync} from "node:fs";
import {fileURLToPath} from "node:url";

const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));

export interface Limits {
  /** V8 heap (--max-old-space-size), MiB. */
  heapMiB: number;
  /** Resident memory of the whole process (wasm heaps included), MiB: over it the runner is killed. */
  rssMiB: number;
  /** Seconds per command. */
  seconds: number;
  /** Commands per runner process before a fresh one (state of one run must not mask another's). */
  recycleAfter: number;
}

export const DEFAULT_LIMITS: Limits = {heapMiB: 2048, rssMiB: 3072, seconds: 120, recycleAfter: 40};

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the runner died: "signal SIGKILL", "out of memory (RSS 3100 MiB)", "timeout (120 s)", "uncaught …". */
  crash?: string;
  seconds: number;
}

const rssMiB = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

/** One runner process at a time, restarted after a crash and every `recycleAfter` commands. */
export class Runner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private used = 0;
  private nextId = 1;

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {}

  private start(): Promise<void> {
    const child = fork(CHILD, [], {
      execArgv: [`--max-old-space-size=${this.limits.heapMiB}`],
      stdio: ["ignore", "pipe", "pipe", "ipc"]
    });
    // Whatever escapes the capture (native aborts, V8's OOM report) is kept for the crash note.
    const tail: string[] = [];
    child.stdout!.on("data", (d) => tail.push(String(d)));
    child.stderr!.on("data", (d) => tail.push(String(d)));
    (child as ChildProcess & {tail: string[]}).tail = tail;
    this.child = child;
    this.used = 0;
    return new Promise((resolve, reject) => {
      const onMessage = (m: {ready?: boolean}) => {
        if (m.ready) {
          child.off("message", onMessage);
          resolve();
        }
      };
      child.on("message", onMessage);
      child.once("exit", (code, signal) => reject(new Error(`fuzz runner failed to start (${signal ?? code}): ${tail.join("").slice(-2000)}`)));
    });
  }

  /** Runs `pulsebook ...argv` in `cwd`. */
  async run(argv: string[], cwd: string): Promise<RunResult> {
    if (!this.child || this.used >= this.limits.recycleAfter) {
      this.stop();
      this.ready = this.start();
    }
    await this.ready;
    const child = this.child!;
    this.used++;
    const id = this.nextId++;
    const t0 = performance.now();
    const seconds = () => (performance.now() - t0) / 1000;
    return new Promise<RunResult>((resolve) => {
      let done = false;
      let killedFor: string | undefined;
      const finish = (r: Omit<RunResult, "seconds">) => {
        if (done) return;
        done = true;
        clearInterval(watch);
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        if (r.crash) this.stop();
        resolve({...r, seconds: seconds()});
      };
      const onMessage = (m: {id: number; code: number; stdout: string; stderr: string; uncaught?: string}) => {
        if (m.id !== id) return;
        finish(m.uncaught ? {code: 1, stdout: m.stdout, stderr: `${m.stderr}${m.uncaught}`, crash: `uncaught error: ${m.uncaught.split("\n")[0]}`} : m);
      };
      const onExit = (code: number | null, signal: string | null) => {
        const tail = (child as ChildProcess & {tail: string[]}).tail.join("").slice(-4000);
        const oom = /heap out of memory|Allocation failed|out of memory/i.test(tail);
        finish({code: code ?? 137, stdout: "", stderr: tail, crash: killedFor ?? (oom ? "out of memory (V8 heap)" : `runner died (${signal ?? `exit ${code}`})`)});
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
      const kill = (why: string) => {
        killedFor = why;
        child.kill("SIGKILL");
      };
      const timer = setTimeout(() => kill(`timeout (${this.limits.seconds} s)`), this.limits.seconds * 1000);
      const watch = setInterval(() => {
        const rss = rssMiB(child.pid!);
        if (rss > this.limits.rssMiB) kill(`out of memory (RSS ${rss.toFixed(0)} MiB > ${this.limits.rssMiB} MiB)`);
      }, 100);
      child.send({id, argv, cwd});
    });
  }

  stop(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    this.child = undefined;
  }
}

/** Text that is a library's or the runtime's, never words for a user. */
export const DENY = [
  "Dyn casting error", "name not defined", "RangeError", "TypeError", "ReferenceError", "SyntaxError",
  "ERR_", "undefined", "H5D", "H5F", "H5O", "H5G", "H5L", "H5T", "H5S", "H5A", "H5P", "H5Z", "H5B", "H5C", "H5E",
  "HDF5-DIAG", "[object Object]", "Binder Error", "Parser Error", "Catalog Error", "Invalid Input Error",
  "Conversion Error", "RuntimeError", "unreachable", "wasm://", "internal error", "Aborted("
];
/** Raw fs codes: allowed only beside a file name (readFile.ts writes "file not found (ENOENT)"). */
const RAW_CODES = /\b(ENOENT|EISDIR|EACCES|EPERM|ENOTDIR|ENOSPC|EEXIST|EMFILE|EIO)\b/;

export type Verdict = "clear" | "unclear" | "crash" | "correct" | "silently-wrong";

/**
 * Whether a failed run's stderr is a clear error: exit code 1 or 2, one of `names` (files,
 * datasets, keys or options the problem is about) mentioned, no stack trace, none of DENY.
 * Returns the reason when it is not.
 */
export function unclearReason(r: RunResult, names: readonly string[]): string | undefined {
  if (r.code !== 1 && r.code !== 2) return `exit code ${r.code}`;
  // h5wasm's Emscripten runtime prints "Aborted(…)" itself when the library aborts (its console.error
  // is bound when the module loads, out of the CLI's reach) before the error reaches the error
  // boundary: that line is the runtime's, and the message judged is what follows it.
  const text = r.stderr.replace(/^Aborted\([^\n]*\)\n/gm, "");
  if (!text.trim()) return "nothing on stderr";
  if (/\n\s+at .+/.test(text)) return "stack trace";
  // What the message quotes is the user's own text ("time \"undefined\" is not a date").
  const words = text.replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
  const deny = DENY.find((d) => words.includes(d));
  if (deny) return `library text "${deny}"`;
  const raw = RAW_CODES.exec(text);
  if (raw && !names.some((n) => text.includes(n))) return `raw ${raw[1]} without the file`;
  if (names.length && !names.some((n) => text.includes(n))) return `names none of ${names.join(", ")}`;
  return undefined;
}
