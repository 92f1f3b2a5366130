// What every WebAssembly kernel of lib/dsp needs from its host: an instance compiled synchronously
// from the base64 module scripts/build-wasm.mjs wrote (a few kB: allowed on a page's main thread),
// and memory grown to what the caller lays out in it.

/** An instance of the kernel `base64` holds; `what` names it in the error of an engine without SIMD. */
export function instantiateKernel<T extends {memory: WebAssembly.Memory}>(base64: string, what: string): T {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as T;
  } catch (e) {
    throw new Error(`this JavaScript engine cannot run the ${what} (WebAssembly with SIMD, Node ≥ 16.4 or a current browser): ${(e as Error).message}`);
  }
}

const PAGE = 65536;

/** Grows `memory` to at least `bytes` (views of its old buffer are then detached). */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}
