// Which events of a run a published site carries records for. A run file declares it
// (`publish: {records: …}`); the record store writes exactly these events and the pages print
// `describeSample` beside every record they draw, so a reader knows what was left out.

import {Rng} from "../math/random.js";

export type RecordSample =
  | {rule: "all"}
  | {rule: "first"; events: number}
  | {rule: "every"; step: number}
  | {rule: "random"; events: number; seed: number};

/** Runs with at most this many events are published whole when the run file declares no sample. */
export const PUBLISH_ALL_UP_TO = 50_000;

/**
 * The sample a build publishes: the declared one, else all events up to PUBLISH_ALL_UP_TO, else
 * every n-th so that about that many remain (a 200 GB run is not copied whole into a site).
 */
export function publishedSample(events: number, declared?: RecordSample): RecordSample {
  if (declared) return declared;
  return events <= PUBLISH_ALL_UP_TO ? {rule: "all"} : {rule: "every", step: Math.ceil(events / PUBLISH_ALL_UP_TO)};
}

/** Indices (ascending) of the events of a run of `total` events that `sample` keeps. */
export function sampledEvents(total: number, sample: RecordSample): Int32Array {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`event count must be a non-negative integer, got ${total}`);
  switch (sample.rule) {
    case "all":
      return Int32Array.from({length: total}, (_, i) => i);
    case "first":
      positive(sample.events, "events");
      return Int32Array.from({length: Math.min(total, sample.events)}, (_, i) => i);
    case "every":
      positive(sample.step, "step");
      return Int32Array.from({length: Math.ceil(total / sample.step)}, (_, i) => i * sample.step);
    case "random": {
      positive(sample.events, "events");
      const n = Math.min(total, sample.events);
      // Partial Fisher–Yates on the first n slots: every n-subset equally likely, reproducible by seed.
      const index = Int32Array.from({length: total}, (_, i) => i);
      const random = new Rng(sample.seed);
      for (let i = 0; i < n; i++) {
        const j = i + Math.floor(random.uniform() * (total - i));
        const t = index[i]; index[i] = index[j]; index[j] = t;
      }
      return index.subarray(0, n).sort();
    }
  }
}

/** The rule in words, for the page beside the records it shows. */
export function describeSample(sample: RecordSample, total?: number): string {
  const of = total === undefined ? "" : ` of ${total}`;
  switch (sample.rule) {
    case "all": return `all events${of}`;
    case "first": return `the first ${sample.events} events${of}`;
    case "every": return `every ${ordinal(sample.step)} event${of} (event 0, ${sample.step}, ${2 * sample.step}, …)`;
    case "random": return `${sample.events} events drawn at random${of} (seed ${sample.seed})`;
  }
}

function positive(n: number, key: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`record sample: ${key} must be a positive integer, got ${n}`);
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : ({1: "st", 2: "nd", 3: "rd"} as {[k: number]: string})[n % 10] ?? "th";
  return `${n}${s}`;
}
