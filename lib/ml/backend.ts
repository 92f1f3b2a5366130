// TensorFlow.js backend selection: the first of `prefer` that initialises wins.
// WebGPU is used only where its backend package was registered by the caller and the adapter
// is not a software fallback (ML-BACKENDS.md: SwiftShader is ~100× slower than wasm);
// wasm (SIMD) trains dense models ~4× faster than cpu; cpu always works.
import * as tf from "@tensorflow/tfjs";

export type BackendName = "webgpu" | "wasm" | "cpu";

export async function selectBackend(prefer: BackendName[] = ["webgpu", "wasm", "cpu"]): Promise<BackendName> {
  for (const name of prefer) {
    try {
      if (name === "webgpu") {
        if (!tf.findBackendFactory("webgpu")) continue;
        const gpu = (globalThis as {navigator?: {gpu?: {requestAdapter(): Promise<{info?: {isFallbackAdapter?: boolean}; isFallbackAdapter?: boolean} | null>}}}).navigator?.gpu;
        const adapter = gpu ? await gpu.requestAdapter() : null;
        if (!adapter || adapter.info?.isFallbackAdapter || adapter.isFallbackAdapter) continue;
      }
      if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error(`selectBackend: none of ${prefer.join(", ")} could be initialised`);
}
