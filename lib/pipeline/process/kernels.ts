// The per-record stages (OF amplitudes, SEV fits) as kernels: built once from the stage's inputs,
// then applied to chunks of records. What a kernel needs is a KernelSpec of plain data (typed
// arrays and JSON), so that the caller may build the same kernel on worker threads and hand them
// the chunks (data-loaders/featurePool.ts); the tables are the same value for value either way.
import type {EventChunk, RecordGroup} from "../../types.js";
import type {StageOutput} from "../stage.js";
import {eventRange, nanArray, type ProcessContext} from "./context.js";
import type {SevFitParams} from "./sevFit.js";

/** What builds a per-record stage's kernel (lib/pipeline/process/openKernel.ts). */
export type KernelSpec =
  | {stage: "ofAmplitude"; optimumFilter: StageOutput; channels: number[]}
  | {stage: "sevFit"; sev: StageOutput; params: SevFitParams; channels: number[]};

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

/**
 * The tables of a per-record stage for `groups`, over each group's event range: from the
 * caller's workers when it offers them (`ctx.recordChunks`), else from `open()`'s kernel here.
 */
export async function perRecordTables(ctx: ProcessContext, groups: readonly RecordGroup[], spec: KernelSpec, names: readonly string[], open: () => Promise<RecordKernel>, what: string): Promise<Map<RecordGroup, {[name: string]: Float64Array}>> {
  const {file, chunkEvents, log} = ctx;
  const nChannels = file.dataset.channels.length;
  let kernel: RecordKernel | undefined;
  async function* here(g: RecordGroup, from: number, to: number): AsyncGenerator<KernelChunk> {
    kernel ??= await open();
    for (const chunk of file.chunks(g, chunkEvents, from, to)) yield {start: chunk.start, columns: kernel.columns(chunk)};
  }
  try {
    const tables = new Map<RecordGroup, {[name: string]: Float64Array}>();
    for (const g of groups) {
      const [from, to] = eventRange(ctx, g);
      const rows = (to - from) * nChannels;
      const table = Object.fromEntries(names.map((n) => [n, nanArray(rows)]));
      for await (const {start, columns} of ctx.recordChunks?.(spec, g, from, to) ?? here(g, from, to)) {
        for (const n of names) table[n].set(columns[n], (start - from) * nChannels);
      }
      tables.set(g, table);
      log(`${what}: ${g} done${ctx.recordChunks ? " on worker threads" : ""}`);
    }
    return tables;
  } finally {
    kernel?.dispose();
  }
}
