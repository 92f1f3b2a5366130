// The verdicts of the labeling page's IndexedDB kill bench (bench/labelStoreKill.ts): what the
// store may hold after a kill, and what counts as broken.
import {describe, expect, it} from "vitest";
import {judge, type StoredEntry, type Written} from "../bench/labelStoreKill.js";

const K = 6;
const batch = (round: number, n = K): StoredEntry[] => Array.from({length: n}, (_, k) => ({event: k >> 1, channel: k & 1, label: 1, note: `round ${round}`}));
// Rounds 1001–1004 started, 1003 reported saved, killed while 1004 was being written.
const w: Written = {from: 1001, started: 1004, saved: 1003, records: K, killedDuringWrite: true};

describe("labeling page kill verdicts", () => {
  it("accepts the last saved change, or the one being written whole", () => {
    expect(judge({d: batch(1003)}, w, undefined)).toEqual({kind: "absent"});
    expect(judge({d: batch(1004)}, w, undefined)).toEqual({kind: "whole"});
    expect(judge({d: batch(1003)}, {...w, started: 1003, killedDuringWrite: false}, undefined)).toEqual({kind: "kept"});
  });

  it("calls mixed, partial, lost and unknown changes broken", () => {
    expect(judge({d: [...batch(1003).slice(0, 3), ...batch(1004).slice(3)]}, w, undefined)).toEqual({problem: "mixed: 6 records from 2 changes (round 1003, round 1004)"});
    expect(judge({d: batch(1004, K - 1)}, w, undefined)).toEqual({problem: "partial: 5 records stored, a change labels 6"});
    expect(judge({d: batch(1002)}, w, undefined)).toEqual({problem: "lost: round 1002 stored, round 1003 was reported saved"});
    expect(judge({d: batch(7)}, w, {...w, from: 1, started: 9, saved: 8})).toEqual({problem: "lost: round 7 stored, round 1003 was reported saved (the previous trial's)"});
    expect(judge({d: batch(1009)}, w, undefined)).toEqual({problem: "round 1009 stored, only up to 1004 were started"});
    expect(judge({}, w, undefined)).toEqual({problem: "0 data sets with labels, expected 1"});
  });
});
