// Lineage: the identity of an output as the hash of everything it was made from — the stage's
// name, its source-derived version, its parameters and the lineage of every input, down to the
// identity of the input file. Equal lineage means the output can be reused as is.
import {hashJson} from "../hash.js";

/** Lineage of a chain's input: the identity of the file(s) it reads (path, size, content hash…). */
export function inputLineage(identity: unknown): string {
  return hashJson({input: identity});
}

/** Lineage of one stage's output. `inputs` maps each input's name to its lineage. */
export function stageLineage(name: string, version: string, params: unknown, inputs: {[name: string]: string}): string {
  return hashJson({stage: name, version, params, inputs});
}
