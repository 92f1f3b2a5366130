// tfjs-backend-wasm's binary (SIMD build), served with the site so the page's wasm backend loads offline.
import {fileURLToPath} from "node:url";
import {fileToStdout} from "../../data-loaders/stdout.js";

await fileToStdout(fileURLToPath(new URL("../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm", import.meta.url)));
