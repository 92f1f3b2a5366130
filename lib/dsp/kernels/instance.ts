// What every WebAssembly kernel of lib/dsp needs from its host: an instance compiled synchronously
// from the base64 module scripts/build-wasm.mjs wrote (a few kB: allowed on a page's main thread),
// and memory grown to what the caller lays out in it.
//
// The kernels around PFFFT's transforms (ofpeak, sevpass) import their memory instead: a
// KernelHeap. By default each thread has one of its own; where realConvolver.ts could instantiate
// PFFFT itself (Node: data-loaders/io/pffftNode.ts gives it the binary) the heap is PFFFT's, and
// the kernels read and write the transforms' buffers in place: a pass that would copy a record or
// a spectrum of 16384 samples in and out of its own memory (≈ 3–4 µs per copy in a busy worker,
// nine copies per record of `pulsebook process`'s second pass) reads it where it is.

/** An instance of the kernel `base64` holds; `what` names it in the error of an engine without SIMD. */
export function instantiateKernel<T>(base64: string, what: string, memory?: WebAssembly.Memory): T {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), memory ? {env: {memory}} : {}).exports as unknown as T;
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

/**
 * Memory that kernels importing theirs work in, and its blocks. Allocating may grow the memory,
 * which detaches every view of it: take addresses (a view's byteOffset) before, views after.
 */
export interface KernelHeap {
  readonly memory: WebAssembly.Memory;
  /** A 16-byte aligned block of at least `bytes`. */
  allocate(bytes: number): number;
  /** Gives back a block `allocate` returned. */
  release(at: number): void;
}

/** A heap of its own: blocks handed out upwards, given-back ones reused when large enough. */
export function ownHeap(): KernelHeap {
  const memory = new WebAssembly.Memory({initial: 1});
  let top = 0;
  const sizes = new Map<number, number>();
  const free: {at: number; bytes: number}[] = [];
  return {
    memory,
    allocate(bytes) {
      const size = Math.max(16, Math.ceil(bytes / 16) * 16);
      const i = free.findIndex((b) => b.bytes >= size);
      if (i >= 0) {
        const {at, bytes: had} = free.splice(i, 1)[0];
        sizes.set(at, had);
        return at;
      }
      const at = top;
      top += size;
      growTo(memory, top);
      sizes.set(at, size);
      return at;
    },
    release(at) {
      const bytes = sizes.get(at);
      if (bytes === undefined) return;
      sizes.delete(at);
      free.push({at, bytes});
    }
  };
}

let own: KernelHeap | undefined;
let shared: KernelHeap | undefined;

/**
 * The heap kernels are laid out in from now on: the shared one (PFFFT's) once realConvolver.ts
 * offered it, else this thread's own.
 */
export function kernelHeap(): KernelHeap {
  return shared ?? (own ??= ownHeap());
}

/**
 * Makes `heap` the one kernels use from now on (realConvolver.ts, with PFFFT's memory), or with
 * undefined goes back to this thread's own (tests compare the two). Kernels laid out in the other
 * heap move on their next call; objects holding blocks (ofPeakKernel) keep theirs.
 */
export function shareKernelHeap(heap: KernelHeap | undefined): void {
  shared = heap;
}

const instances = new WeakMap<WebAssembly.Memory, Map<string, unknown>>();

/** The kernel `base64` (built to import its memory) instantiated on `heap`, once per heap. */
export function kernelOn<T>(heap: KernelHeap, base64: string, what: string): T {
  let byKernel = instances.get(heap.memory);
  if (!byKernel) instances.set(heap.memory, (byKernel = new Map()));
  let k = byKernel.get(base64) as T | undefined;
  if (!k) byKernel.set(base64, (k = instantiateKernel<T>(base64, what, heap.memory)));
  return k;
}

/** The address of `view` when it lies in `heap`'s current memory (then a kernel reads it in place), else −1. */
export function addressIn(heap: KernelHeap, view: ArrayBufferView): number {
  return view.buffer === heap.memory.buffer ? view.byteOffset : -1;
}
