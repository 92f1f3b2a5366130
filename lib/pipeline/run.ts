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

/**
 * Runs the chain: loads what the store holds for the planned lineage, computes the rest. A stage
 * starts once the stages it needs are there, in plan order, so stages that do not need each other
 * run at the same time where one waits on other threads (the NPS on a worker while this thread
 * averages the SEV). Outputs, the store and `ran` are those of running the plan in order; on a
 * failure the first failed stage in plan order is thrown, once every started stage has settled.
 */
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
  const ran = new Set<string>();
  const needsOf = (record: StageRecord) => Object.keys(record.inputs).filter((need) => need !== INPUT);
  const inputsOf = (record: StageRecord) => Object.fromEntries(needsOf(record).map((need) => [need, outputs.get(need)!]));
  const samePass = (a: AnyStage<C, X>, b: AnyStage<C, X>) => a.pass !== undefined && b.pass !== undefined && a.pass.name === b.pass.name && a.pass.compute === b.pass.compute;
  /** Each stage's output, once there. */
  const done = new Map<string, Promise<StageOutput>>();
  /** Per stage of a pass: settled once it has chosen the later stages it computes with it. */
  const chosen = new Map<string, Promise<void>>();
  /** Outputs of later stages computed with an earlier one of their pass. */
  const early = new Map<string, Promise<StageOutput>>();

  for (const [at, record] of plan.stages.entries()) {
    const stage = byName.get(record.stage)!;
    let choose = () => {};
    if (stage.pass) chosen.set(record.stage, new Promise<void>((resolve) => { choose = resolve; }));
    const work = (async (): Promise<StageOutput> => {
      try {
        await Promise.all(needsOf(record).map((need) => done.get(need)!));
        // Taken by an earlier stage of its pass? Each chooses once its own inputs are there.
        const earlier = plan.stages.slice(0, at).filter((r) => samePass(byName.get(r.stage)!, stage));
        await Promise.all(earlier.map((r) => chosen.get(r.stage)));
        const taken = early.get(record.stage);
        if (taken) {
          const output = await taken;
          await options.store.put(record.stage, record.lineage, output, record);
          ran.add(record.stage);
          return output;
        }
        const stored = await options.store.get(record.stage, record.lineage);
        if (stored) {
          options.log?.(`${record.stage}: reused ${record.lineage.slice(0, 12)}`);
          return stored;
        }
        // The later stages of its pass whose inputs a run in plan order would have by now (all
        // planned before this one) and that the store does not hold.
        const together: StageRecord[] = [];
        for (const later of stage.pass ? plan.stages.slice(at + 1) : []) {
          if (!samePass(byName.get(later.stage)!, stage) || early.has(later.stage)) continue;
          if (needsOf(later).some((need) => plan.stages.findIndex((r) => r.stage === need) >= at)) continue;
          if (await options.store.get(later.stage, later.lineage)) continue;
          together.push(later);
        }
        await Promise.all(together.flatMap((later) => needsOf(later).map((need) => done.get(need)!)));
        const computing = (async () => {
          try {
            if (together.length > 0) {
              const jobs = [record, ...together];
              return await stage.pass!.compute(jobs.map((r) => ({stage: r.stage, inputs: inputsOf(r), params: r.params})), options.context);
            }
            return [await stage.compute(inputsOf(record), record.params, options.context)];
          } catch (e) {
            // A pass's failure is said of all its stages: which one threw is not known in general.
            throw e instanceof StageError ? e : new StageError([record, ...together].map((r) => r.stage).join("+"), e);
          }
        })();
        together.forEach((r, k) => {
          const output = computing.then((outs) => outs[k + 1]);
          output.catch(() => {}); // said by this stage
          early.set(r.stage, output);
        });
        choose();
        const output = (await computing)[0];
        await options.store.put(record.stage, record.lineage, output, record);
        ran.add(record.stage);
        return output;
      } finally {
        choose();
      }
    })().then((output) => {
      outputs.set(record.stage, output);
      return output;
    });
    work.catch(() => {}); // settled below, in plan order
    done.set(record.stage, work);
  }
  const settled = await Promise.allSettled(done.values());
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return {...plan, outputs, ran: plan.stages.map((r) => r.stage).filter((stage) => ran.has(stage))};
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
