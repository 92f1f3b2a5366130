// The TensorFlow.js backends, in order of preference, apart from backend.ts so that the CLI can
// list and validate them without loading TensorFlow.js.

export type BackendName = "webgpu" | "wasm" | "cpu";
export const BACKEND_NAMES: readonly BackendName[] = ["webgpu", "wasm", "cpu"];
