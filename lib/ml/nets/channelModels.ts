// A fine-tuned model may serve only some channels (train --init … --channels): the records of
// the others keep the model it was fine-tuned from, so labels that show the shipped model failing
// on one channel (a fast light detector) do not cost it the channel it already gets right.
// The models form a chain, the fine-tuned one first, then its parent (and the parent's parent).

/** Index in `chain` of the model that classifies channel `c`: the first that serves it (no `channels`: every one). */
export function modelIndexForChannel(chain: readonly {channels?: readonly number[]}[], c: number): number {
  const k = chain.findIndex((m) => !m.channels || m.channels.includes(c));
  if (k < 0) throw new Error(`no model in the chain serves channel ${c} (the last must serve every channel)`);
  return k;
}

/**
 * Probabilities of records from several channels, each record from the model of its channel:
 * `probs[k]` holds model k's probabilities of every record (as computed or null where no record
 * needs it), `channel[i]` the record's channel.
 */
export function mergeByChannel(chain: readonly {channels?: readonly number[]}[], probs: readonly (Float32Array | null)[], channel: ArrayLike<number>): Float32Array {
  const out = new Float32Array(channel.length);
  for (let i = 0; i < channel.length; i++) out[i] = probs[modelIndexForChannel(chain, channel[i])]![i];
  return out;
}
