// Choosing the TensorFlow.js backend, the same way in Node and in the page: WebGPU only when
// `navigator.gpu` gives an adapter that is not a software fallback (SwiftShader is ~100× slower
// than wasm), else wasm (with our training kernels), else cpu. Backends
// are imported lazily: WebGPU registers itself only if `navigator.gpu` exists at import time.
import {tf} from "./tf.js";
import {registerWasmTrainingKernels} from "./wasmKernels.js";

import {BACKEND_NAMES, type BackendName} from "./backendNames.js";
export {BACKEND_NAMES, type BackendName} from "./backendNames.js";

/** What was used, recorded with every result (training history, saved model, predictions). */
export interface BackendInfo {
  name: BackendName;
  /** GPU adapter description (webgpu), wasm features (wasm). */
  detail: string;
  tfjsVersion: string;
  /** Backends tried first and why they were not used. */
  skipped: string[];
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: {isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string};
}
interface NavigatorGpuLike {
  gpu?: {requestAdapter(options?: object): Promise<GpuAdapterLike | null>};
}

let current: BackendInfo | null = null;
let wasmPaths: string | {[file: string]: string} | undefined;

/**
 * Where the page serves tfjs-backend-wasm's .wasm files: a folder prefix or a URL per file
 * name (browser only; Node finds them next to the package). Call before `selectBackend`.
 */
export function setWasmFiles(paths: string | {[file: string]: string}): void {
  wasmPaths = paths;
}

/** A non-fallback WebGPU adapter's description, or null when there is none. */
export async function hardwareGpuAdapter(): Promise<string | null> {
  const nav = (globalThis as {navigator?: NavigatorGpuLike}).navigator;
  if (!nav?.gpu) return null;
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await nav.gpu.requestAdapter({powerPreference: "high-performance"});
  } catch {
    return null;
  }
  if (!adapter) return null;
  const fallback = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  if (fallback) return null;
  const i = adapter.info ?? {};
  return [i.vendor, i.architecture, i.description].filter(Boolean).join(" ") || "webgpu adapter";
}

async function tryBackend(name: BackendName): Promise<string | null> {
  if (name === "webgpu") {
    const adapter = await hardwareGpuAdapter();
    if (adapter === null) return null;
    await import("@tensorflow/tfjs-backend-webgpu");
    return (await tf.setBackend("webgpu")) ? adapter : null;
  }
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (wasmPaths) wasm.setWasmPaths(wasmPaths as never);
    registerWasmTrainingKernels();
    if (!(await tf.setBackend("wasm"))) return null;
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    return `simd=${simd} threads=${wasm.getThreadsCount()}`;
  }
  await import("@tensorflow/tfjs-backend-cpu");
  return (await tf.setBackend("cpu")) ? "js" : null;
}

/**
 * Sets the first backend of `prefer` that works here and returns its name. The default order
 * is webgpu (hardware adapters only), wasm, cpu.
 */
export async function selectBackend(prefer: BackendName[] = [...BACKEND_NAMES]): Promise<BackendName> {
  // Production mode: no debug checks, and no console advice to install tfjs-node (which cannot
  // be installed here).
  tf.enableProdMode();
  const errors: string[] = [];
  for (const name of prefer) {
    try {
      const detail = await tryBackend(name);
      if (detail !== null) {
        await tf.ready();
        current = {name, detail, tfjsVersion: tf.version_core, skipped: errors};
        return name;
      }
      errors.push(`${name}: not available`);
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be started (${errors.join("; ")})`);
}

/** The backend chosen by the last `selectBackend`, for recording with results. */
export function backendInfo(): BackendInfo {
  if (!current) throw new Error("backendInfo: call selectBackend() first");
  return {...current, skipped: [...current.skipped]};
}
