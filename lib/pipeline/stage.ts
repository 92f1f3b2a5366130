// A stage of a processing chain, in the manner of strax: it names what it provides, which
// stages it reads, the slice of the processing config it uses, and how it computes. Its
// version is not written by hand: it is derived from its own module's source (and the
// sources that module imports), so that editing the code is what makes old outputs stale.

/** Arrays a stage output may hold; stored bit for bit by the reuse store. */
export type StageArray = Float64Array | Float32Array | Int32Array | Uint8Array;

/** What a stage produces: named arrays (columns, spectra, filters) and a JSON part (counts, fits). */
export interface StageOutput {
  arrays: {[name: string]: StageArray};
  json: unknown;
}

/**
 * One step of a chain. `P`: its parameters (a JSON-able slice of the config `C`); `X`: the
 * context of a run (input reader, selection engine), which is never part of the lineage
 * except through the input's identity.
 */
export interface Stage<C, X, P = unknown> {
  name: string;
  /** URL of the module that defines it (`import.meta.url`): its source is the stage's version. */
  module: string;
  /** What it provides (column or artefact names), for the docs and the manifest. */
  provides: readonly string[];
  /** Its parameters under `config`, or null when the config disables it. */
  params(config: C): P | null;
  /** Names of the stages whose outputs it reads, for these parameters. */
  needs(params: P): string[];
  compute(inputs: {[stage: string]: StageOutput}, params: P, context: X): Promise<StageOutput> | StageOutput;
  /**
   * Stages of one pass (the same `pass` and `computePass`) that a run computes, rather than
   * reuses, are computed together by one call, once their inputs are there: one read of every
   * record for several per-record stages. Each output is the one its `compute` would give.
   */
  pass?: {
    name: string;
    compute(jobs: PassJob[], context: X): Promise<StageOutput[]>;
  };
}

/** One stage of a pass computed together: its name, inputs and parameters. */
export interface PassJob {
  stage: string;
  inputs: {[stage: string]: StageOutput};
  params: any;
}

/** A stage of any config and context, as a chain holds them. */
export type AnyStage<C, X> = Stage<C, X, any>;
