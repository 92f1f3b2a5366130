// lib/pipeline: stages with lineage over a reuse store (docs/pipeline.md). Browser-pure.
export * from "./stage.js";
export * from "./lineage.js";
export * from "./run.js";
