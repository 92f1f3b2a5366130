// WebGPU in Node through the `webgpu` package (Dawn). On machines without a GPU it runs on
// Mesa's llvmpipe through OpenGL ES: slow, but the same WebGPU code
// path as in the page, which is how tests exercise it. Must run before the tfjs WebGPU backend
// is imported (it registers itself only when `navigator.gpu` exists).

let installed: Promise<boolean> | null = null;

/** Defines `navigator.gpu` from Dawn; false when the package or an adapter is missing. */
export function installNodeWebgpu(): Promise<boolean> {
  installed ??= (async () => {
    const g = globalThis as {navigator?: {gpu?: unknown}};
    if (g.navigator?.gpu) return true;
    let mod: typeof import("webgpu");
    try {
      mod = await import("webgpu");
    } catch {
      return false;
    }
    process.env.EGL_PLATFORM ??= "surfaceless";
    Object.assign(globalThis, mod.globals);
    // Dawn's Vulkan backend finds no adapter on lavapipe; OpenGL ES on llvmpipe works.
    const gpu = mod.create(process.env.PULSEBOOK_DAWN_OPTIONS ? process.env.PULSEBOOK_DAWN_OPTIONS.split(",") : ["backend=opengles"]);
    // GLES gives compatibility-level adapters only: ask for one whatever the caller asks.
    const requestAdapter = (o: object = {}) => gpu.requestAdapter({...o, featureLevel: "compatibility"} as GPURequestAdapterOptions);
    if (!(await requestAdapter())) return false;
    const shim = {requestAdapter, getPreferredCanvasFormat: () => "rgba8unorm" as const, wgslLanguageFeatures: gpu.wgslLanguageFeatures};
    Object.defineProperty(globalThis, "navigator", {value: {...(g.navigator ?? {}), gpu: shim}, configurable: true, writable: true});
    return true;
  })();
  return installed;
}
