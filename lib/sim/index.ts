// Public API of the simulator.
export * from "./random.js";
export * from "./pulseModel.js";
export * from "./noise.js";
export * from "./artefacts.js";
export * from "./presets.js";
export * from "./simulate.js";
export * from "./tpc.js";
export * from "./tpcExperiment.js";
