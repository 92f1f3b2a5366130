// Runs a chain of stages over a reuse store: every enabled stage's lineage is computed first
// (cheap: hashes only); a stage whose lineage is in the store is loaded, any other is computed
// and stored. So a stage is recomputed exactly when its source, its parameters or one of its
// inputs changed — and then so are its dependants, whose input lineage changed with it. Stages
// of one pass (Stage.pass) that both run are computed together, each stored under its lineage.
import {inputLineage, stageLineage} from "./lineage.js";
import type {AnyStage, StageOutput} from "./stage.js";
import {StageError} from "./stageError.js";

/** Where stage outputs are kept between runs, keyed by stage name and lineage. */
export interface StageStore {
  get(stage: string, lineage: string): Promise<StageOutput | undefined> | StageOutput | undefined;
  put(stage: string, lineage: string, output: StageOutput, about: StageRecord): Promise<void> | void;
}

/** What the store keeps next to an output, so that a stored file says how it was made. */
export interface StageRecord {
  stage: string;
  lineage: string;
  version: string;
  params: unknown;
  inputs: {[name: string]: string};
}

/** The plan of a run: each enabled stage in order, with its parameters and lineage. */
export interface ChainPlan {
  input: string;
  stages: StageRecord[];
}

export {StageError} from "./stageError.js";

/** Name under which a stage refers to the chain's input (the file) among its inputs. */
export const INPUT = "input";

/**
 * Lineage of every enabled stage of `stages` (in order; a stage may only need earlier ones)
 * for `config`, given the stages' versions and the input's identity.
 */
export function planChain<C, X>(stages: readonly AnyStage<C, X>[], config: C, versions: {[stage: string]: string}, inputIdentity: unknown): ChainPlan {
  const input = inputLineage(inputIdentity);
  const planned = new Map<string, StageRecord>();
  for (const stage of stages) {
    const params = stage.params(config);
    if (params === null) continue;
    const version = versions[stage.name];
    if (!version) throw new Error(`pipeline: no version for stage "${stage.name}"`);
    const inputs: {[name: string]: string} = {[INPUT]: input};
    for (const need of stage.needs(params)) {
      const dep = planned.get(need);
      if (!dep) throw new Error(`pipeline: stage "${stage.name}" needs "${need}", which is not an enabled earlier stage`);
      inputs[need] = dep.lineage;
    }
    planned.set(stage.name, {stage: stage.name, lineage: stageLineage(stage.name, version, params, inputs), version, params, inputs});
  }
  return {input, stages: [...planned.values()]};
}

export interface ChainRun extends ChainPlan {
  outputs: Map<string, StageOutput>;
  /** Stages computed in this run; the others were loaded from the store. */
  ran: string[];
}

/** Runs the chain: loads what the store holds for the planned lineage, computes the rest. */
export async function runChain<C, X>(stages: readonly AnyStage<C, X>[], config: C, options: {
  versions: {[stage: string]: string};
  inputIdentity: unknown;
  context: X;
  store: StageStore;
  log?: (message: string) => void;
}): Promise<ChainRun> {
  const plan = planChain(stages, config, options.versions, options.inputIdentity);
  const byName = new Map(stages.map((s) => [s.name, s]));
  const outputs = new Map<string, StageOutput>();
  // Outputs of later stages computed with an earlier one of their pass.
  const early = new Map<string, StageOutput>();
  const ran: string[] = [];
  const inputsOf = (record: StageRecord) => {
    const inputs: {[name: string]: StageOutput} = {};
    for (const need of Object.keys(record.inputs)) if (need !== INPUT) inputs[need] = outputs.get(need)!;
    return inputs;
  };
  for (const [at, record] of plan.stages.entries()) {
    const stage = byName.get(record.stage)!;
    let output = early.get(record.stage) ?? await options.store.get(record.stage, record.lineage);
    if (early.has(record.stage)) {
      await options.store.put(record.stage, record.lineage, output!, record);
      ran.push(record.stage);
    } else if (output) {
      options.log?.(`${record.stage}: reused ${record.lineage.slice(0, 12)}`);
    } else {
      // The later stages of its pass that this run computes and whose inputs are there already.
      const together: StageRecord[] = [];
      for (const later of stage.pass ? plan.stages.slice(at + 1) : []) {
        const p = byName.get(later.stage)!.pass;
        if (p?.name !== stage.pass!.name || p.compute !== stage.pass!.compute) continue;
        if (Object.keys(later.inputs).some((need) => need !== INPUT && !outputs.has(need))) continue;
        if (await options.store.get(later.stage, later.lineage)) continue;
        together.push(later);
      }
      try {
        if (together.length > 0) {
          const jobs = [record, ...together];
          const outs = await stage.pass!.compute(jobs.map((r) => ({stage: r.stage, inputs: inputsOf(r), params: r.params})), options.context);
          output = outs[0];
          together.forEach((r, k) => early.set(r.stage, outs[k + 1]));
        } else {
          output = await stage.compute(inputsOf(record), record.params, options.context);
        }
      } catch (e) {
        // A pass's failure is said of all its stages: which one threw is not known in general.
        throw e instanceof StageError ? e : new StageError([record, ...together].map((r) => r.stage).join("+"), e);
      }
      await options.store.put(record.stage, record.lineage, output, record);
      ran.push(record.stage);
    }
    outputs.set(record.stage, output!);
  }
  return {...plan, outputs, ran};
}

/** A store that keeps nothing (every stage is computed): for one-off runs and tests. */
export const NO_STORE: StageStore = {get: () => undefined, put: () => {}};

/** A store in memory (the page, tests). */
export function memoryStore(): StageStore & {size(): number} {
  const m = new Map<string, StageOutput>();
  return {
    get: (stage, lineage) => m.get(`${stage}/${lineage}`),
    put: (stage, lineage, output) => { m.set(`${stage}/${lineage}`, output); },
    size: () => m.size
  };
}
