// Hive partitioning in words a page can use too: a part's partition from its path
// (`run=NAME/shard=I/part.parquet`), the values typed as DuckDB's hive_partitioning types them,
// the order of parts, and which terms of a WHERE predicate can prune parts. Reading the files
// and evaluating the terms is for the engine's edge (data-loaders/io/partitionedDataset.ts).
import {checkPredicate, conjuncts} from "./sqlPredicate.js";

/** A partition's values as written in its folders' names. */
export type Partition = {[key: string]: string};
/** Typed: all-integer keys as bigint (DuckDB's BIGINT), others as text. */
export type TypedPartition = {[key: string]: string | bigint};

const KEY_VALUE = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/;

/** The `KEY=VALUE` of a folder name, or undefined when the name is not one. */
export function partitionFolder(name: string): [key: string, value: string] | undefined {
  const m = KEY_VALUE.exec(name);
  return m ? [m[1], m[2]] : undefined;
}

/** The values of `partitions` typed as DuckDB's hive_types_autocast types them: a key whose values are all integers is BIGINT. */
export function typedPartitions(partitions: readonly Partition[]): TypedPartition[] {
  if (partitions.length === 0) return [];
  const keys = Object.keys(partitions[0]);
  const integer = new Set(keys.filter((k) => partitions.every((p) => /^-?\d+$/.test(p[k]))));
  return partitions.map((p) => Object.fromEntries(keys.map((k) => [k, integer.has(k) ? BigInt(p[k]) : p[k]])));
}

/** Orders typed partitions key by key (numbers numerically: shard 2 before shard 10). */
export function comparePartitions(a: TypedPartition, b: TypedPartition): number {
  for (const k of Object.keys(a)) {
    if (a[k] < b[k]) return -1;
    if (a[k] > b[k]) return 1;
  }
  return 0;
}

/**
 * The terms of `where` (joined by a top-level AND) that name partition columns alone: a part
 * whose partition fails one of them holds no row satisfying `where`, so it need not be read.
 * Throws PredicateError for a predicate that is not one expression.
 */
export function pruningTerms(where: string, keys: readonly string[]): string[] {
  const isKey = (c: string) => keys.some((k) => k.toLowerCase() === c.toLowerCase());
  return conjuncts(where).filter((term) => {
    const used = checkPredicate(term);
    return used.length > 0 && used.every(isKey);
  });
}

/** Column of a part's index in the table of partitions that pruning queries (one row per part). */
export const PART_INDEX = "pulsebook_part";

/**
 * The query, over table `features` holding one row per part (PART_INDEX and the partition keys,
 * typed as by typedPartitions), that gives the indices of the parts satisfying every pruning
 * term: the one rule by which Node and the pages choose the parts to read.
 */
export function pruningQuery(terms: readonly string[]): string {
  return `SELECT ${PART_INDEX} FROM features WHERE ${terms.map((t) => `(${t})`).join(" AND ")} ORDER BY ${PART_INDEX}`;
}
