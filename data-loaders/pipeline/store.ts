// The reuse store: stage outputs on disk under `<root>/<stage>/<lineage>/`, written atomically
// (data-loaders/io/atomicWrite.ts), so a killed run never leaves an output that looks whole.
// An output is `output.bin` (its arrays bit for bit, and its JSON part) next to `stamp.json`
// (the provenance stamp: how it was made).

import {existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {atomicWriteDir, atomicWriteWith} from "../io/atomicWrite.js";
import type {StageArray, StageOutput, StageRecord, StageStore} from "../../lib/pipeline/index.js";
import {provenanceStamp} from "../provenance.js";

const MAGIC = "PBSTAGE1";
const TYPES = {Float64Array, Float32Array, Int32Array, Uint8Array} as const;
type TypeName = keyof typeof TYPES;

/** One stage output as bytes: magic, header length (u32 LE), header JSON, 8-aligned array data. */
export function encodeStageOutput(output: StageOutput): Uint8Array {
  const arrays: {name: string; type: TypeName; length: number; offset: number}[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(output.arrays)) {
    const type = a.constructor.name as TypeName;
    if (!(type in TYPES)) throw new Error(`store: array "${name}" is a ${type}, which the store does not keep`);
    arrays.push({name, type, length: a.length, offset});
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = new TextEncoder().encode(JSON.stringify({json: output.json, arrays}));
  const start = Math.ceil((MAGIC.length + 4 + header.length) / 8) * 8;
  const bytes = new Uint8Array(start + offset);
  bytes.set(new TextEncoder().encode(MAGIC));
  new DataView(bytes.buffer).setUint32(MAGIC.length, header.length, true);
  bytes.set(header, MAGIC.length + 4);
  for (const {name, offset: at} of arrays) {
    const a = output.arrays[name];
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + at);
  }
  return bytes;
}

/** Inverse of encodeStageOutput; `file` names the source in errors. */
export function decodeStageOutput(bytes: Uint8Array, file: string): StageOutput {
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw new Error(`${file}: not a Pulsebook stage output`);
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + n)));
  const start = Math.ceil((MAGIC.length + 4 + n) / 8) * 8;
  // Copy into a fresh, aligned buffer so typed views are valid whatever Node's pool offset.
  const data = bytes.slice(start);
  const arrays: {[name: string]: StageArray} = {};
  for (const {name, type, length, offset} of header.arrays as {name: string; type: TypeName; length: number; offset: number}[]) {
    arrays[name] = new TYPES[type](data.buffer, offset, length);
  }
  return {arrays, json: header.json};
}

/** Removes all but the `keep` most recently used lineage folders of one stage. */
function pruneStage(dir: string, keep: number): void {
  const entries = readdirSync(dir).filter((f) => /^[0-9a-f]{64}$/.test(f)).map((f) => ({f, t: statSync(join(dir, f)).mtimeMs}));
  entries.sort((a, b) => b.t - a.t);
  for (const {f} of entries.slice(keep)) rmSync(join(dir, f), {recursive: true, force: true});
}

export interface FileStoreOptions {
  /**
   * Lineages kept per stage, least recently used removed first (default 3: an edit and its
   * undo, or two parameter choices, are both served from the store); Infinity keeps all.
   */
  keep?: number;
  /** Input identity written into each stored output's stamp. */
  inputs?: unknown;
}

/** A reuse store in the folder `root` (e.g. `.pulsebook/store`). */
export function fileStore(root: string, options: FileStoreOptions = {}): StageStore {
  const dirOf = (stage: string, lineage: string) => join(root, stage, lineage);
  return {
    get(stage, lineage) {
      const file = join(dirOf(stage, lineage), "output.bin");
      if (!existsSync(file)) return undefined;
      const output = decodeStageOutput(new Uint8Array(readFileSync(file)), file);
      const now = new Date();
      utimesSync(dirOf(stage, lineage), now, now); // recently used: kept longest
      return output;
    },
    async put(stage, lineage, output, about: StageRecord) {
      const dir = dirOf(stage, lineage);
      const stamp = provenanceStamp({lineage, stages: {[stage]: about.version}, parameters: about.params, inputs: {lineage: about.inputs, identity: options.inputs}});
      // Inside atomicWriteDir's temporary folder plain writes suffice: the folder is renamed whole.
      await atomicWriteDir(dir, (tmp) => {
        writeFileSync(join(tmp, "output.bin"), encodeStageOutput(output));
        writeFileSync(join(tmp, "stamp.json"), JSON.stringify(stamp, null, 2) + "\n");
      });
      pruneStage(join(root, stage), options.keep ?? 3);
    }
  };
}

/**
 * A file kept in the store under `<root>/<stage>/<lineage>/<name>`: made by `fill(tmpPath)`
 * (atomically) when no file of this lineage exists; older lineages of the stage are removed.
 */
export async function storedFile(root: string, stage: string, lineage: string, name: string, fill: (tmp: string) => unknown): Promise<string> {
  const path = join(root, stage, lineage, name);
  if (existsSync(path)) return path;
  await atomicWriteWith(path, fill);
  for (const other of readdirSync(join(root, stage))) if (other !== lineage) rmSync(join(root, stage, other), {recursive: true, force: true});
  return path;
}
