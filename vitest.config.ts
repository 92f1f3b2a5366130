import {defineConfig} from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Browser tests build the site once; keep files in separate workers but cap parallelism at the 2 cores CI has.
    maxWorkers: 2,
    // TensorFlow.js from its ESM build, as in the page (see data-loaders/tfjs/tfjsEsmHooks.mjs).
    setupFiles: ["data-loaders/tfjs/registerTfjsEsm.mjs"],
    reporters: ["default"]
  }
});
