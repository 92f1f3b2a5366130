// Builds a per-record stage's kernel from its KernelSpec: what a worker thread calls to compute
// exactly what the stage computes in the calling thread.
import type {RecordLayout} from "../../types.js";
import type {KernelSpec, RecordKernel} from "./kernels.js";
import {ofAmplitudeKernel} from "./ofAmplitude.js";
import {openTogether} from "./recordPass.js";
import {sevFitKernel} from "./sevFit.js";

/** The kernel of `spec` for records of `layout` with `nChannels` channels from file `input`. */
export function openKernel(spec: KernelSpec, layout: RecordLayout, nChannels: number, input: string): Promise<RecordKernel> {
  switch (spec.stage) {
    case "ofAmplitude": return ofAmplitudeKernel(spec.optimumFilter, spec.channels, nChannels);
    case "sevFit": return sevFitKernel(spec.sev, spec.params, spec.channels, layout, nChannels, input);
    case "pass": return openTogether(spec.kernels.map((k) => () => openKernel(k, layout, nChannels, input)));
  }
}
