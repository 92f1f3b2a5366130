// Writes the record store (lib/io/recordStore.ts) of a cait HDF5 run: streamed chunk by chunk
// (memory bounded by one chunk, whatever the run's size), atomically, with progress on stderr.
// Which events it carries: in `npm run dev` all of them; otherwise (a build, a page test) the
// published sample — the run file's `publish: {records: …}` when there is one, else
// `publishedSample` (lib/io/recordSample.ts) — so a published site never carries a 200 GB run by accident.

import {closeSync, openSync, writeSync} from "node:fs";
import {encodeChunkBlocks, encodeRecordStoreHead, RECORD_STORE_VERSION, type RecordStoreHeader} from "../lib/io/recordStore.js";
import {describeSample, publishedSample, sampledEvents, type RecordSample} from "../lib/io/recordSample.js";
import {inputLineage, stageLineage} from "../lib/pipeline/index.js";
import {RECORD_GROUPS, type RecordGroup} from "../lib/types.js";
import {atomicWriteWith} from "./io/atomicWrite.js";
import {openCaitFile} from "./io/node.js";
import {storedFile} from "./pipeline/store.js";
import {progressLines} from "./progress.js";
import {fileIdentity} from "./provenance.js";

export type RecordsMode = "all" | "published";

/**
 * All records in `npm run dev` (npm sets `npm_lifecycle_event` to the script's name, and
 * Framework's loaders inherit the environment), the published sample otherwise.
 * `PULSEBOOK_RECORDS=all|published` overrides.
 */
export function recordsMode(env: {[k: string]: string | undefined} = process.env): RecordsMode {
  const forced = env.PULSEBOOK_RECORDS;
  if (forced !== undefined) {
    if (forced !== "all" && forced !== "published") throw new Error(`PULSEBOOK_RECORDS must be "all" or "published", got "${forced}"`);
    return forced;
  }
  return env.npm_lifecycle_event === "dev" ? "all" : "published";
}

export interface RecordStoreOptions {
  sample: RecordSample;
  /** Events read and written per step (memory: chunkEvents × channels × recordLength × 8 bytes). */
  chunkEvents?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Writes the store of `h5Path`'s records to `outPath` (atomically); returns its header. */
export async function writeRecordStore(h5Path: string, outPath: string, options: RecordStoreOptions): Promise<RecordStoreHeader> {
  const {sample, chunkEvents = 64, onProgress} = options;
  const cait = await openCaitFile(h5Path);
  try {
    const {dataset} = cait;
    const present = RECORD_GROUPS.filter((g) => (dataset.groups[g] ?? 0) > 0);
    const groups: {[G in RecordGroup]?: {total: number; kept: Int32Array}} = {};
    for (const g of present) groups[g] = {total: dataset.groups[g]!, kept: sampledEvents(dataset.groups[g]!, sample)};
    const {head, header} = encodeRecordStoreHead({
      source: h5Path.split(/[\\/]/).pop()!,
      channels: dataset.channels.map((c) => c.name),
      unit: dataset.unit,
      recordLength: dataset.layout.recordLength,
      sampleFrequency_Hz: dataset.layout.sampleFrequency_Hz,
      triggerIndex: dataset.layout.triggerIndex,
      sample,
      groups
    });
    const total = present.reduce((s, g) => s + groups[g]!.kept.length, 0);
    await atomicWriteWith(outPath, (tmp) => {
      const fd = openSync(tmp, "w");
      try {
        let at = writeAll(fd, head, 0);
        let done = 0;
        for (const g of present) {
          const kept = groups[g]!.kept;
          if (at !== header.groups[g]!.blocksOffset) throw new Error(`record store ${outPath}: ${g} blocks at byte ${at}, header says ${header.groups[g]!.blocksOffset}`);
          const keep = new Uint8Array(groups[g]!.total);
          for (const e of kept) keep[e] = 1;
          // Walk the kept events only: a sparse sample reads the chunks around its events.
          let k = 0;
          while (k < kept.length) {
            const from = kept[k];
            const to = Math.min(groups[g]!.total, from + chunkEvents);
            const chunk = cait.chunks(g, chunkEvents, from, to).next().value!;
            const blocks = encodeChunkBlocks(chunk, (e) => keep[e] === 1);
            at = writeAll(fd, blocks, at);
            const n = blocks.length / header.blockBytes;
            k += n;
            done += n;
            onProgress?.(done, total);
          }
        }
        if (at !== header.bytes) throw new Error(`record store ${outPath}: wrote ${at} bytes, header says ${header.bytes}`);
      } finally {
        closeSync(fd);
      }
    });
    return header;
  } finally {
    cait.close();
  }
}

function writeAll(fd: number, bytes: Uint8Array, at: number): number {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, at + written);
  return at + bytes.length;
}


/**
 * The record store of `h5Path` for `mode`, kept in the reuse store `storeRoot` while the run
 * file, the sample and the format are unchanged (one store per mode, so switching between
 * `npm run dev` and `npm run build` does not rewrite a large run's store each time).
 */
export async function ensureRecordStore(h5Path: string, storeRoot: string, options: {mode: RecordsMode; declared?: RecordSample}): Promise<string> {
  const cait = await openCaitFile(h5Path);
  const events = cait.dataset.groups.events ?? 0;
  cait.close();
  const sample: RecordSample = options.mode === "all" ? {rule: "all"} : publishedSample(events, options.declared);
  const lineage = stageLineage(`records-${options.mode}`, String(RECORD_STORE_VERSION), {sample}, {input: inputLineage(fileIdentity(h5Path))});
  return storedFile(storeRoot, `records-${options.mode}`, lineage, "records.bin", (tmp) => {
    process.stderr.write(`record store of ${h5Path}: ${describeSample(sample, events)}\n`);
    return writeRecordStore(h5Path, tmp, {sample, onProgress: progressLines(`record store of ${h5Path.split(/[\\/]/).pop()}`)});
  });
}
