// One fuzz runner process: runs `pulsebook` commands in-process (the CLI's `main`, as
// bin/pulsebook.mjs does) for jobs sent by the parent over IPC, capturing what they print. The
// parent (harness.ts) limits its memory and time and restarts it after a crash, so one process
// start-up (tsx, TensorFlow.js) serves many inputs.
import {format} from "node:util";
import {register} from "tsx/esm/api";

let out = [];
let err = [];
// Before anything is imported: libraries (h5wasm's Emscripten runtime) bind console.error at load.
for (const k of ["log", "info"]) console[k] = (...a) => { out.push(format(...a) + "\n"); };
for (const k of ["error", "warn", "debug", "trace"]) console[k] = (...a) => { err.push(format(...a) + "\n"); };
process.stdout.write = (chunk) => { out.push(String(chunk)); return true; };
process.stderr.write = (chunk) => { err.push(String(chunk)); return true; };

register();
await import("../../data-loaders/tfjs/registerTfjsEsm.mjs");
const {main} = await import("../../data-loaders/cli/main.ts");

let current;
function died(what, e) {
  // What the real CLI would print: node's report of an uncaught error, then exit 1.
  process.send?.({id: current, code: -1, uncaught: `${what}: ${e?.stack ?? e}`, stdout: out.join(""), stderr: err.join("")}, () => process.exit(70));
}
process.on("uncaughtException", (e) => died("uncaughtException", e));
process.on("unhandledRejection", (e) => died("unhandledRejection", e));

process.on("message", async (job) => {
  current = job.id;
  out = [];
  err = [];
  process.exitCode = undefined;
  process.chdir(job.cwd);
  let code;
  try {
    code = await main(job.argv);
  } catch (e) {
    code = -1;
    err.push(`main threw: ${e?.stack ?? e}\n`);
  }
  process.send({id: job.id, code, stdout: out.join(""), stderr: err.join("")});
});
process.send({ready: true});
