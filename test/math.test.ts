// The ground floor, lib/math: special functions, linear algebra, robust statistics, the PRNG.
import {describe, expect, it} from "vitest";
import {invert, solve} from "../lib/math/linalg.js";
import {eventStream, hashString, Rng} from "../lib/math/random.js";
import {mad, median, quantileSorted, runningMedian} from "../lib/math/robust.js";
import {erf, erfc, logFactorial, normalCdf, normalQuantile, zFromP} from "../lib/math/special.js";

describe("special functions", () => {
  it("erf matches tabulated values", () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778, 6);
    expect(erf(1.5)).toBeCloseTo(0.9661051465, 6);
    expect(erf(-1)).toBeCloseTo(-0.8427007929, 6);
  });

  it("erfc keeps its relative precision deep in the tail, where 1 − erf cannot", () => {
    // erfc(5) = 1.5374597944280349e-12, erfc(10) = 2.0884875837625447e-45 (tables).
    expect(Math.abs(erfc(5) / 1.5374597944280349e-12 - 1)).toBeLessThan(1.2e-7);
    expect(Math.abs(erfc(10) / 2.0884875837625447e-45 - 1)).toBeLessThan(1.2e-7);
    expect(erfc(-10)).toBe(2);
  });

  it("normal quantile inverts the normal CDF; Z of p = 0.00135 is 3", () => {
    for (const p of [1e-10, 0.01, 0.3, 0.5, 0.9, 1 - 1e-6]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 6);
    expect(zFromP(0.0013498980316301)).toBeCloseTo(3, 6);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
  });

  it("ln k! is exact for small k and Stirling-accurate for large k", () => {
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(5)).toBeCloseTo(Math.log(120), 12);
    let s = 0;
    for (let i = 2; i <= 50; i++) s += Math.log(i);
    expect(logFactorial(50) / s).toBeCloseTo(1, 12);
  });
});

describe("linear algebra", () => {
  it("solves a system that needs pivoting, and leaves its arguments alone", () => {
    const A = [[0, 2, 1], [1, 1, 1], [2, 1, 0]], b = [5, 4, 4]; // x = (1, 2, 1)
    expect(Array.from(solve(A, b)!)).toEqual([1, 2, 1].map((v) => expect.closeTo(v, 12)));
    expect(A).toEqual([[0, 2, 1], [1, 1, 1], [2, 1, 0]]);
    expect(b).toEqual([5, 4, 4]);
  });

  it("returns null for a singular matrix; invert gives A⁻¹", () => {
    expect(solve([[1, 2], [2, 4]], [1, 2])).toBeNull();
    expect(invert([[1, 2], [2, 4]])).toBeNull();
    const inv = invert([[4, 7], [2, 6]])!;
    expect(inv.flat()).toEqual([0.6, -0.7, -0.2, 0.4].map((v) => expect.closeTo(v, 12)));
  });
});

describe("robust statistics", () => {
  it("median of odd and even counts, typed or plain", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median(Float32Array.from([4, 1, 3, 2]))).toBe(2.5);
  });

  it("MAD about the median, or about a given centre", () => {
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(mad([1, 2, 3], 0)).toBe(2);
  });

  it("quantiles of sorted data interpolate linearly; empty gives NaN", () => {
    const s = Float64Array.from([0, 10, 20, 30]);
    expect(quantileSorted(s, 0.5)).toBe(15);
    expect(quantileSorted(s, 0.1)).toBeCloseTo(3, 12);
    expect(quantileSorted(s, 1)).toBe(30);
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN();
  });

  it("a running median removes a spike and keeps a trend at the ends", () => {
    expect(Array.from(runningMedian([1, 2, 100, 4, 5], 3))).toEqual([1, 2, 4, 5, 5]);
  });
});

describe("the PRNG", () => {
  it("keeps the simulator's stream: same keys, same numbers; other keys, other numbers", () => {
    const a = new Rng(42, 7), b = new Rng(42, 7), c = new Rng(42, 8);
    const xa = Array.from({length: 5}, () => a.nextUint32());
    expect(Array.from({length: 5}, () => b.nextUint32())).toEqual(xa);
    expect(Array.from({length: 5}, () => c.nextUint32())).not.toEqual(xa);
    // An event's stream depends on (seed, group, index) only: the group name is hashed in.
    expect(eventStream(1, "events", 3).uniform()).toBe(new Rng(1, hashString("events"), 3).uniform());
    expect(eventStream(1, "events", 3).uniform()).not.toBe(eventStream(1, "noise", 3).uniform());
  });

  it("uniform stays in (0, 1) with mean ½; fillUniform draws the same values", () => {
    const r = new Rng(3), q = new Rng(3);
    const u = Float64Array.from({length: 20000}, () => r.uniform());
    expect(Math.min(...u)).toBeGreaterThan(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, v) => s + v, 0) / u.length).toBeCloseTo(0.5, 2);
    expect(Array.from(q.fillUniform(new Float64Array(20000)))).toEqual(Array.from(u));
  });
});
