// What `pulsebook features` loads, and how: the sources precompiled (data-loaders/hooks/
// compiledSources.mjs), or with PULSEBOOK_TSX=1 through tsx with installed packages past it (on
// h5wasm's 4 MB module tsx's rewriting cost 3 s and 450 MB per run); never TensorFlow.js. A
// recording hook registered before the launcher's sees what is loaded and resolved.
import {afterAll, describe, expect, it} from "vitest";
import {execFile} from "node:child_process";
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {promisify} from "node:util";
import {PULSEBOOK_BIN} from "./support/cli.js";
import {writeSimulation} from "../data-loaders/simulate.js";
import {readParquet} from "../data-loaders/io/parquet.js";

const dir = mkdtempSync(join(tmpdir(), "pulsebook-cli-startup-"));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Runs `pulsebook features` on a small file with a recording hook first; the lines it logged. */
async function recordedLoads(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const h5 = join(dir, "run.h5");
  if (!existsSync(h5)) await writeSimulation(h5, {events: 4, seed: 2});
  const log = join(dir, `${name}.log`);
  const hooks = join(dir, `${name}.mjs`);
  writeFileSync(hooks, `import {appendFileSync} from "node:fs";
export async function resolve(specifier, context, next) { appendFileSync(${JSON.stringify(log)}, "resolve " + specifier + "\\n"); return next(specifier, context); }
export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, "load " + url + "\\n"); return next(url, context); }`);
  const register = join(dir, `${name}-register.mjs`);
  writeFileSync(register, `import {register} from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
  await promisify(execFile)(process.execPath, ["--import", pathToFileURL(register).href, PULSEBOOK_BIN, "features", h5, "--out", join(dir, `${name}.parquet`), "--quiet", "--threads", "1"], {env});
  return readFileSync(log, "utf8").split("\n");
}

describe("the CLI loads only what a command needs", () => {
  it("features runs precompiled: no tsx, no TypeScript compiled at run time, no TensorFlow.js, no apache-arrow", async () => {
    const lines = await recordedLoads("compiled");
    // The CLI's own modules come from the compiled tree of the current sources …
    expect(lines.some((l) => l.startsWith("load ") && /\/\.cache\/compiled\/[0-9a-f]{16}\/data-loaders\/features\.js$/.test(l))).toBe(true);
    // … and so does h5wasm: the tree's copy, its wasm a file, not the package's 4 MB module …
    expect(lines.some((l) => l.startsWith("load ") && /\/\.cache\/compiled\/[0-9a-f]{16}\/vendor\/h5wasm\/hdf5_util\.js$/.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith("load ") && /\/node_modules\/h5wasm\//.test(l))).toEqual([]);
    // … the Parquet is written without apache-arrow (data-loaders/io/arrowIpc.ts) …
    expect(lines.filter((l) => /apache-arrow/.test(l))).toEqual([]);
    // … no TypeScript source is loaded, tsx is never asked for, and nothing of TensorFlow.js.
    expect(lines.filter((l) => l.startsWith("load ") && l.endsWith(".ts"))).toEqual([]);
    expect(lines.filter((l) => /\btsx\b/.test(l))).toEqual([]);
    expect(lines.filter((l) => /tensorflow|tfjs/i.test(l))).toEqual([]);
  }, 60_000);

  it("PULSEBOOK_TSX=1: the sources through tsx, h5wasm loads as it is (not through tsx), TensorFlow.js not at all", async () => {
    const lines = await recordedLoads("tsx", {...process.env, PULSEBOOK_TSX: "1"});
    // The recorder sees the CLI's own TypeScript (so it works) …
    expect(lines.some((l) => l.startsWith("load ") && l.endsWith("/data-loaders/features.ts"))).toBe(true);
    expect(lines.some((l) => l === "resolve h5wasm/node")).toBe(true);
    // … but no ES module of h5wasm comes through tsx (parquet-wasm's Node build is CommonJS: tsx
    // hands it to Node untouched), and nothing of TensorFlow.js is asked for.
    expect(lines.filter((l) => l.startsWith("load ") && /\/node_modules\/h5wasm\//.test(l))).toEqual([]);
    expect(lines.filter((l) => /tensorflow|tfjs/i.test(l))).toEqual([]);
  }, 60_000);

  it("features --threads 2 from the compiled tree: the table of --threads 1, value for value", async () => {
    const h5 = join(dir, "threads.h5");
    await writeSimulation(h5, {events: 150, seed: 4}); // three chunks of 64 events
    const tables: {[name: string]: number[]}[] = [];
    for (const threads of ["1", "2"]) {
      const out = join(dir, `threads${threads}.parquet`);
      await promisify(execFile)(process.execPath, [PULSEBOOK_BIN, "features", h5, "--out", out, "--quiet", "--threads", threads]);
      const t = readParquet(readFileSync(out), out);
      tables.push(Object.fromEntries(t.schema.fields.map((f) => [f.name, Array.from(t.getChild(f.name)!.toArray() as ArrayLike<number>)])));
    }
    expect(tables[0].event).toHaveLength(300);
    expect(Object.keys(tables[1])).toEqual(Object.keys(tables[0]));
    for (const name of Object.keys(tables[0])) expect(tables[1][name].every((v, i) => Object.is(v, tables[0][name][i])), name).toBe(true);
  }, 120_000);
});

