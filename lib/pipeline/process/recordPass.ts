// The per-record stages after the shared step (ofAmplitude, sevFit) as one pass: when a run
// computes both, each chunk of records is read once, on the worker threads where there are
// some, and both kernels are applied to it (lib/pipeline/stage.ts `pass`). The columns are
// those each stage computes alone: the same kernels on the same chunks.
import type {RecordGroup} from "../../types.js";
import type {PassJob, Stage, StageOutput} from "../stage.js";
import {perRecordTables, type ProcessContext} from "./context.js";
import type {KernelSpec, RecordKernel} from "./kernels.js";

/** What a per-record stage computes, apart from reading the records. */
export interface PerRecord<P> {
  /** Its kernel's columns. */
  names: readonly string[];
  /** For the log: "OF amplitudes". */
  what: string;
  groups(params: P): RecordGroup[];
  spec(inputs: {[stage: string]: StageOutput}, params: P, ctx: ProcessContext): KernelSpec;
  open(inputs: {[stage: string]: StageOutput}, params: P, ctx: ProcessContext): Promise<RecordKernel>;
  /** The stage output of its tables (column names in the data's unit). */
  pack(tables: Map<RecordGroup, {[name: string]: Float64Array}>, ctx: ProcessContext): StageOutput;
}

/** A per-record stage's compute: its own pass over the records. */
export async function computeAlone<P>(r: PerRecord<P>, inputs: {[stage: string]: StageOutput}, params: P, ctx: ProcessContext): Promise<StageOutput> {
  const tables = await perRecordTables(ctx, r.groups(params), r.spec(inputs, params, ctx), r.names, () => r.open(inputs, params, ctx), r.what);
  return r.pack(tables, ctx);
}

/** Kernels applied to the same chunk, their columns side by side. */
export async function openTogether(open: (() => Promise<RecordKernel>)[]): Promise<RecordKernel> {
  const kernels: RecordKernel[] = [];
  try {
    for (const o of open) kernels.push(await o());
  } catch (e) {
    for (const k of kernels) k.dispose();
    throw e;
  }
  return {
    columns: (chunk) => Object.assign({}, ...kernels.map((k) => k.columns(chunk))),
    dispose: () => { for (const k of kernels) k.dispose(); }
  };
}

/** The pass of the per-record stages `stages` (by name). */
export function recordPass(stages: {[stage: string]: PerRecord<any>}): NonNullable<Stage<unknown, ProcessContext>["pass"]> {
  return {
    name: "records",
    async compute(jobs: PassJob[], ctx: ProcessContext) {
      const parts = jobs.map((j) => ({job: j, r: stages[j.stage]}));
      const groups = parts[0].r.groups(parts[0].job.params);
      // Stages over other groups (never, from one config) each take their own pass.
      if (parts.some(({job, r}) => r.groups(job.params).join() !== groups.join())) {
        return Promise.all(parts.map(({job, r}) => computeAlone(r, job.inputs, job.params, ctx)));
      }
      const spec: KernelSpec = {stage: "pass", kernels: parts.map(({job, r}) => r.spec(job.inputs, job.params, ctx))};
      const names = parts.flatMap(({r}) => r.names);
      const tables = await perRecordTables(ctx, groups, spec, names, () => openTogether(parts.map(({job, r}) => () => r.open(job.inputs, job.params, ctx))), parts.map(({r}) => r.what).join(" and "));
      return parts.map(({r}) => r.pack(new Map([...tables].map(([g, t]) => [g, Object.fromEntries(r.names.map((n) => [n, t[n]]))])), ctx));
    }
  };
}
