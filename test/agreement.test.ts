// lib/labels/agreement.ts against published worked examples and against a brute-force kappa
// written from the definition in another way (chance agreement as the fraction of all record
// pairs (i of A, j of B) whose labels match), plus the edge cases and the consensus rules.

import {describe, expect, it} from "vitest";
import fc from "fast-check";
import {authorsFleiss, cohenKappa, consensus, describeRule, disagreements, fleissKappa, pairAgreement, type AuthorLabels} from "../lib/labels/agreement.js";
import type {LabelEntry} from "../lib/labels/book.js";

const T = "2026-12-01T10:00:00.000Z";
const author = (name: string, labels: [number, number, number][], time = T): AuthorLabels => ({
  author: name,
  entries: labels.map(([event, channel, label]) => ({event, channel, label, author: name, time, note: ""}))
});

/** Kappa from the two raw label lists: p_e as the share of all n² cross pairs that match. */
function bruteKappa(x: number[], y: number[]): number {
  const n = x.length;
  let agree = 0, cross = 0;
  for (let i = 0; i < n; ++i) {
    if (x[i] === y[i]) ++agree;
    for (let j = 0; j < n; ++j) if (x[i] === y[j]) ++cross;
  }
  const po = agree / n, pe = cross / (n * n);
  return (po - pe) / (1 - pe);
}

describe("Cohen's kappa", () => {
  it("gives the published κ = 0.4 of the Wikipedia worked example (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no)", () => {
    const k = cohenKappa([[20, 5], [10, 15]]);
    expect(k.observed).toBeCloseTo(0.7, 14);
    expect(k.expected).toBeCloseTo(0.5, 14);
    expect(k.kappa).toBeCloseTo(0.4, 14);
    // Cohen's large-sample SE, √(p_o(1−p_o)/(n(1−p_e)²)) = √(0.21/12.5).
    expect(k.se).toBeCloseTo(Math.sqrt(0.21 / 12.5), 14);
    expect(k.low).toBeCloseTo(0.4 - 1.96 * Math.sqrt(0.0168), 12);
  });

  it("the same example as two authors' label files, and the 2 × 2 closed form per class", () => {
    // 50 records: A says 1 (Event_Pulse) or 3 (Noise), as the table above.
    const a: [number, number, number][] = [], b: [number, number, number][] = [];
    const cells: [number, number, number][] = [[1, 1, 20], [1, 3, 5], [3, 1, 10], [3, 3, 15]];
    let event = 0;
    for (const [la, lb, n] of cells) for (let i = 0; i < n; ++i, ++event) {
      a.push([event, 0, la]);
      b.push([event, 0, lb]);
    }
    const p = pairAgreement(author("A", a), author("B", b));
    expect(p.n).toBe(50);
    expect(p.classes).toEqual([1, 3]);
    expect(p.matrix).toEqual([[20, 5], [10, 15]]);
    expect(p.overall.kappa).toBeCloseTo(0.4, 14);
    // Two classes: one-vs-rest of either is the whole table; 2(ad − bc)/((a+b)(b+d) + (a+c)(c+d)).
    const closed = (2 * (20 * 15 - 5 * 10)) / ((20 + 5) * (5 + 15) + (20 + 10) * (10 + 15));
    for (const c of p.perClass) expect(c.kappa.kappa).toBeCloseTo(closed, 14);
    expect(p.disagreements.map((d) => d.event)).toEqual([...Array(15).keys()].map((i) => 20 + i));
    expect(p.disagreements[0].labels).toEqual({A: 1, B: 3});
  });

  it("equals the brute-force kappa on random label lists, overall and one class against the rest", () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom(1, 2, 3, 5, 7), fc.constantFrom(1, 2, 3, 5, 7)), {minLength: 2, maxLength: 60}),
      (pairs) => {
        const x = pairs.map((p) => p[0]), y = pairs.map((p) => p[1]);
        const p = pairAgreement(author("A", x.map((l, i) => [i, 1, l])), author("B", y.map((l, i) => [i, 1, l])));
        const expected = bruteKappa(x, y);
        if (Number.isFinite(expected)) expect(p.overall.kappa).toBeCloseTo(expected, 12);
        else expect(p.overall.kappa).toBeNull();
        for (const c of p.perClass) {
          const bx = x.map((l) => (l === c.label ? 1 : 0)), by = y.map((l) => (l === c.label ? 1 : 0));
          const e = bruteKappa(bx, by);
          if (Number.isFinite(e)) expect(c.kappa.kappa).toBeCloseTo(e, 12);
          else expect(c.kappa.kappa).toBeNull();
        }
      }
    ), {seed: 15, numRuns: 200});
  });

  it("is 1 for perfect agreement over several classes and 0 when agreement is what chance gives", () => {
    const labels: [number, number, number][] = [[0, 0, 1], [1, 0, 3], [2, 0, 4], [3, 0, 1], [4, 1, 5]];
    expect(pairAgreement(author("A", labels), author("B", labels)).overall.kappa).toBe(1);
    // Independent raters: A half 1 half 3 on each of B's classes.
    expect(cohenKappa([[10, 10], [10, 10]]).kappa).toBe(0);
  });

  it("is null (undefined, not NaN) when both authors put every record in one class", () => {
    const p = pairAgreement(author("A", [[0, 0, 3], [1, 0, 3]]), author("B", [[0, 0, 3], [1, 0, 3]]));
    expect(p.overall).toMatchObject({kappa: null, se: null, observed: 1, expected: 1, n: 2});
    expect(p.perClass).toHaveLength(1);
    expect(p.perClass[0].kappa.kappa).toBeNull();
  });

  it("refuses two authors with no record in common, naming them", () => {
    expect(() => pairAgreement(author("alice", [[0, 0, 1]]), author("bob", [[1, 0, 1], [0, 1, 1]])))
      .toThrow(/alice and bob labelled no record in common \(1 and 2 records\)/);
    expect(() => cohenKappa([[0, 0], [0, 0]])).toThrow(/no records/);
    expect(() => cohenKappa([[1, 2]])).toThrow(/square/);
  });

  it("compares only the records both labelled", () => {
    const p = pairAgreement(author("A", [[0, 0, 1], [1, 0, 3], [2, 0, 3]]), author("B", [[1, 0, 3], [2, 0, 1], [9, 0, 5]]));
    expect(p.n).toBe(2);
    expect(p.disagreements).toEqual([{event: 2, channel: 0, labels: {A: 3, B: 1}}]);
  });
});

describe("Fleiss' kappa", () => {
  it("gives κ = 0.210 for the Wikipedia worked example (10 subjects, 14 raters, 5 categories)", () => {
    const table = [
      [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]
    ];
    const f = fleissKappa(table);
    expect(f.observed).toBeCloseTo(0.378, 3);
    expect(f.expected).toBeCloseTo(0.213, 3);
    expect(f.kappa!).toBeCloseTo(0.210, 3);
  });

  it("of two raters is Scott's pi (pooled class shares), and of authors uses the records all labelled", () => {
    // Scott's pi of [[20,5],[10,15]]: pooled shares 55/100 and 45/100.
    const pe = 0.55 ** 2 + 0.45 ** 2;
    const rows = [...Array(20).fill([2, 0]), ...Array(15).fill([1, 1]), ...Array(15).fill([0, 2])];
    expect(fleissKappa(rows).kappa).toBeCloseTo((0.7 - pe) / (1 - pe), 14);
    const three = authorsFleiss([author("A", [[0, 0, 1], [1, 0, 3], [2, 0, 1]]), author("B", [[0, 0, 1], [1, 0, 3]]), author("C", [[0, 0, 1], [1, 0, 1]])]);
    expect(three!.subjects).toBe(2);
    expect(authorsFleiss([author("A", [[0, 0, 1]]), author("B", [[0, 0, 1]])])).toBeNull();
  });
});

describe("disagreements and consensus", () => {
  const A = author("A", [[0, 0, 1], [1, 0, 1], [2, 0, 3], [3, 0, 5], [4, 0, 1]], "2026-12-01T10:00:00.000Z");
  const B = author("B", [[0, 0, 1], [1, 0, 3], [2, 0, 4], [3, 0, 5]], "2026-12-02T10:00:00.000Z");
  const C = author("C", [[0, 0, 1], [1, 0, 1], [2, 0, 5], [5, 1, 7]], "2026-12-03T10:00:00.000Z");

  it("lists every record two authors labelled differently, with each author's class", () => {
    expect(disagreements([A, B, C])).toEqual([
      {event: 1, channel: 0, labels: {A: 1, B: 3, C: 1}},
      {event: 2, channel: 0, labels: {A: 3, B: 4, C: 5}}
    ]);
  });

  it("majority: more than half of those who labelled the record; ties and single-author records unresolved", () => {
    const c = consensus([A, B, C]);
    const byEvent = Object.fromEntries(c.records.map((r) => [`${r.event}/${r.channel}`, [r.status, r.label]]));
    expect(byEvent).toEqual({"0/0": ["agreed", 1], "1/0": ["majority", 1], "2/0": ["unresolved", 0], "3/0": ["agreed", 5], "4/0": ["unresolved", 0], "5/1": ["unresolved", 0]});
    expect(c.counts).toEqual({agreed: 2, majority: 1, referee: 0, unresolved: 3, single: 2});
    expect(c.entries.map((e) => [e.event, e.label, e.author])).toEqual([[0, 1, "consensus"], [1, 1, "consensus"], [3, 5, "consensus"]]);
    // The time of a consensus label is the latest vote for its class (A and C voted 1 on event 1).
    expect(c.entries[1].time).toBe("2026-12-03T10:00:00.000Z");
    expect(c.entries[1].note).toBe("majority: A=1, B=3, C=1");
    expect(c.text).toMatch(/more than half of the authors who labelled it/);
  });

  it("a 2–2 tie among four authors has no majority", () => {
    const D = author("D", [[1, 0, 3]]);
    const r = consensus([A, B, C, D]).records.find((x) => x.event === 1)!;
    expect(r.status).toBe("unresolved");
  });

  it("unanimous: any dissent leaves the record unresolved; a referee decides the unresolved records they labelled", () => {
    const u = consensus([A, B, C], {rule: "unanimous"});
    expect(u.counts).toEqual({agreed: 2, majority: 0, referee: 0, unresolved: 4, single: 2});
    const r = consensus([A, B, C], {rule: "unanimous", referee: "B"});
    expect(r.records.filter((x) => x.status === "referee").map((x) => [x.event, x.label])).toEqual([[1, 3], [2, 4]]);
    expect(r.counts.unresolved).toBe(2);
    expect(r.text).toMatch(/unless the referee B labelled them/);
    // A referee's single-author record is decided too.
    expect(consensus([A, B, C], {referee: "A"}).records.find((x) => x.event === 4)).toMatchObject({status: "referee", label: 1});
    expect(describeRule("majority")).toMatch(/no consensus label\.$/);
  });

  it("refuses an unknown referee or rule, and an author named twice", () => {
    expect(() => consensus([A, B], {referee: "Z"})).toThrow(/referee Z is not one of the authors \(A, B\)/);
    expect(() => consensus([A, B], {rule: "loudest" as never})).toThrow(/unknown consensus rule "loudest"/);
    expect(() => consensus([A, A])).toThrow(/author A appears twice/);
  });

  it("consensus entries are valid label entries (no class 0 stored)", () => {
    const entries: LabelEntry[] = consensus([A, B, C], {referee: "C"}).entries;
    expect(entries.every((e) => e.label > 0)).toBe(true);
    expect(entries.map((e) => e.event)).toEqual([0, 1, 2, 3, 5]);
  });
});
