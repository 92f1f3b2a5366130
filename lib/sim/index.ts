// Public API of the simulator.
export * from "../math/random.js";
export * from "../dsp/pulseModel.js";
export * from "./noise.js";
export * from "./artefacts.js";
export * from "./presets.js";
export * from "./simulate.js";
export * from "./tpc.js";
export * from "./tpcExperiment.js";
