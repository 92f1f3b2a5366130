// Browser entry of the anomaly benchmark (bundled by bench/anomaly.ts with esbuild).
import {setWasmPaths} from "@tensorflow/tfjs-backend-wasm";
import type {BackendName} from "../lib/ml/nets/backend.js";
import {EXPOSURES, N_PSEUDO, timeMl, timePseudo} from "./anomaly-timing.js";

setWasmPaths("/wasm/");
const templates = await (await fetch("templates.json")).json();
const pseudo = timePseudo(templates, EXPOSURES, N_PSEUDO);
const ml = [];
for (const b of ["wasm", "cpu"] as BackendName[]) ml.push(await timeMl(b));
(globalThis as {benchResult?: unknown}).benchResult = {pseudo, ml, userAgent: navigator.userAgent};
