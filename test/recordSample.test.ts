import {describe, expect, it} from "vitest";
import {describeSample, sampledEvents} from "../lib/io/recordSample.js";

describe("record sample of a published run", () => {
  it("keeps the events each rule names", () => {
    expect(Array.from(sampledEvents(5, {rule: "all"}))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(sampledEvents(10, {rule: "first", events: 3}))).toEqual([0, 1, 2]);
    expect(Array.from(sampledEvents(2, {rule: "first", events: 3}))).toEqual([0, 1]);
    expect(Array.from(sampledEvents(10, {rule: "every", step: 4}))).toEqual([0, 4, 8]);
  });

  it("draws a random sample without repeats, sorted, the same for the same seed", () => {
    const a = sampledEvents(1000, {rule: "random", events: 100, seed: 7});
    expect(a.length).toBe(100);
    expect(new Set(a).size).toBe(100);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
    expect(Array.from(sampledEvents(1000, {rule: "random", events: 100, seed: 7}))).toEqual(Array.from(a));
    expect(Array.from(sampledEvents(1000, {rule: "random", events: 100, seed: 8}))).not.toEqual(Array.from(a));
    // Uniform over the run: the mean index of 100 of 1000 is 499.5 ± 29 (1σ); 4σ bound.
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(Math.abs(mean - 499.5)).toBeLessThan(4 * 28.7);
  });

  it("says the rule in words and refuses nonsense", () => {
    expect(describeSample({rule: "every", step: 10}, 200000)).toBe("every 10th event of 200000 (event 0, 10, 20, …)");
    expect(describeSample({rule: "every", step: 2})).toMatch(/every 2nd event/);
    expect(() => sampledEvents(10, {rule: "first", events: 0})).toThrow(/events must be a positive integer/);
    expect(() => sampledEvents(10, {rule: "every", step: 1.5})).toThrow(/step must be a positive integer/);
  });
});
