// What `pulsebook features` loads, and how: installed packages past tsx (on h5wasm's 4 MB
// module tsx's rewriting cost 3 s and 450 MB per run) and no TensorFlow.js. A recording hook
// registered before the launcher's sees what tsx hands on (loads) and what it resolves.
import {afterAll, describe, expect, it} from "vitest";
import {execFile} from "node:child_process";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {pathToFileURL} from "node:url";
import {promisify} from "node:util";
import {PULSEBOOK_BIN} from "./support/cli.js";
import {writeSimulation} from "../data-loaders/simulate.js";

const dir = mkdtempSync(join(tmpdir(), "pulsebook-cli-startup-"));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe("the CLI loads only what a command needs", () => {
  it("features: h5wasm loads as it is (not through tsx), TensorFlow.js not at all", async () => {
    const h5 = join(dir, "run.h5");
    await writeSimulation(h5, {events: 4, seed: 2});
    const log = join(dir, "loads.log");
    const hooks = join(dir, "record.mjs");
    writeFileSync(hooks, `import {appendFileSync} from "node:fs";
export async function resolve(specifier, context, next) { appendFileSync(${JSON.stringify(log)}, "resolve " + specifier + "\\n"); return next(specifier, context); }
export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, "load " + url + "\\n"); return next(url, context); }`);
    const register = join(dir, "register.mjs");
    writeFileSync(register, `import {register} from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
    await promisify(execFile)(process.execPath, ["--import", pathToFileURL(register).href, PULSEBOOK_BIN, "features", h5, "--out", join(dir, "f.parquet"), "--quiet", "--threads", "1"]);
    const lines = readFileSync(log, "utf8").split("\n");
    // The recorder sees the CLI's own TypeScript (so it works) …
    expect(lines.some((l) => l.startsWith("load ") && l.endsWith("/data-loaders/features.ts"))).toBe(true);
    expect(lines.some((l) => l === "resolve h5wasm/node")).toBe(true);
    // … but no ES module of h5wasm comes through tsx (parquet-wasm's Node build is CommonJS: tsx
    // hands it to Node untouched), and nothing of TensorFlow.js is asked for.
    expect(lines.filter((l) => l.startsWith("load ") && /\/node_modules\/h5wasm\//.test(l))).toEqual([]);
    expect(lines.filter((l) => /tensorflow|tfjs/i.test(l))).toEqual([]);
  }, 60_000);
});
