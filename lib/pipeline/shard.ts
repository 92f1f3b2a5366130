// Shards of a run: a run's per-record work cut into N parts by event range, one part per batch
// job, whose outputs join back into exactly what one process computes. A shard is a range of
// events of every group (records of one event stay together, as rows are event-major), so
// joining the shards' tables in shard order gives the run's tables row for row.
import type {RecordGroup} from "../types.js";
import type {StageArray, StageOutput} from "./stage.js";

/**
 * The steps of a sharded run (data-loaders/shards.ts): per-record work of one shard
 * (`features`, `records`) around the steps that need the whole run (`shared`, `final`).
 */
export const SHARD_STEPS = ["features", "shared", "records", "final"] as const;
export type ShardStep = (typeof SHARD_STEPS)[number];

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `I/N` (0 ≤ I < N); `what` names the option in errors. */
export function parseShard(text: string, what = "--shard"): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new RangeError(`${what} must be I/N (shard I of N, counted from 0), got "${text}"`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1) throw new RangeError(`${what}: N must be at least 1, got ${count}`);
  if (index >= count) throw new RangeError(`${what}: I must be below N (shards are 0 … ${count - 1}), got ${index}`);
  return {index, count};
}

/**
 * Events [from, to) of shard `index` of `count` over `n` events: contiguous ranges whose sizes
 * differ by at most one, the larger first, covering 0 … n exactly once.
 */
export function shardRange(n: number, {index, count}: Shard): readonly [number, number] {
  const base = Math.floor(n / count), extra = n % count;
  const from = index * base + Math.min(index, extra);
  return [from, from + base + (index < extra ? 1 : 0)];
}

/** The event range of every group for one shard. */
export function shardRanges(counts: {[G in RecordGroup]?: number}, shard: Shard): {[G in RecordGroup]?: readonly [number, number]} {
  return Object.fromEntries(Object.entries(counts).map(([g, n]) => [g, shardRange(n!, shard)]));
}

/**
 * Joins the outputs of a per-record stage computed shard by shard (in shard order) into the
 * output one process computes: every array concatenated, the JSON part (column lists) taken from
 * the first shard after checking all agree.
 */
export function joinShardOutputs(parts: readonly StageOutput[], stage: string): StageOutput {
  if (parts.length === 0) throw new RangeError(`${stage}: no shard outputs to join`);
  const names = Object.keys(parts[0].arrays);
  const json = JSON.stringify(parts[0].json);
  parts.forEach((p, i) => {
    const these = Object.keys(p.arrays);
    if (these.length !== names.length || these.some((n, k) => n !== names[k])) throw new Error(`${stage}: shard ${i} has arrays ${these.join(", ")}, shard 0 has ${names.join(", ")}`);
    if (JSON.stringify(p.json) !== json) throw new Error(`${stage}: shard ${i} describes its columns differently from shard 0`);
  });
  const arrays: {[name: string]: StageArray} = {};
  for (const name of names) {
    const pieces = parts.map((p) => p.arrays[name]);
    const Type = pieces[0].constructor as new (n: number) => StageArray;
    const out = new Type(pieces.reduce((s, a) => s + a.length, 0));
    let at = 0;
    for (const a of pieces) {
      if (a.constructor !== Type) throw new Error(`${stage}: array ${name} has different types across shards`);
      out.set(a as never, at);
      at += a.length;
    }
    arrays[name] = out;
  }
  return {arrays, json: parts[0].json};
}
