// The package ships no types: its default export is Emscripten's module factory.
declare module "@echogarden/pffft-wasm/simd" {
  const createModule: () => Promise<unknown>;
  export default createModule;
}

// KISS FFT likewise: its default export is Emscripten's module factory.
declare module "@echogarden/kissfft-wasm" {
  const createModule: () => Promise<unknown>;
  export default createModule;
}
