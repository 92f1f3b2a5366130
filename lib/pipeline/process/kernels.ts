// The per-record stages (OF amplitudes, SEV fits) as kernels: built once from the stage's inputs,
// then applied to chunks of records. What a kernel needs is a KernelSpec of plain data (typed
// arrays and JSON), so that the caller may build the same kernel on worker threads and hand them
// the chunks (data-loaders/featurePool.ts); the tables are the same value for value either way
// (context.ts perRecordTables).
import type {SevFitConfig} from "../../config/processConfig.js";
import type {EventChunk} from "../../types.js";
import type {StageOutput} from "../stage.js";

/** What builds a per-record stage's kernel (lib/pipeline/process/openKernel.ts). */
export type KernelSpec =
  | {stage: "ofAmplitude"; optimumFilter: StageOutput; channels: number[]}
  | {stage: "sevFit"; sev: StageOutput; params: Omit<SevFitConfig, "enabled">; channels: number[]}
  /** Several kernels on the same chunks, their columns side by side (recordPass.ts). */
  | {stage: "pass"; kernels: KernelSpec[]};

/** A per-record stage ready to run: columns of a chunk, rows event-major, NaN for channels not processed. */
export interface RecordKernel {
  columns(chunk: EventChunk): {[name: string]: Float64Array};
  dispose(): void;
}

/** Columns of a chunk of events [start, start + count) of a group. */
export interface KernelChunk {
  start: number;
  columns: {[name: string]: Float64Array};
}
