// Brent's one-dimensional maximiser (lib/math/brentMax.ts) on functions with known maxima.
import {describe, expect, it} from "vitest";
import {brentMax} from "../lib/math/brentMax.js";

/** Golden-section search to the same tolerance, the method Brent's replaces: its evaluation count. */
function goldenEvaluations(a: number, b: number, tol: number): number {
  let k = 2;
  for (let w = b - a; w > tol; w *= (Math.sqrt(5) - 1) / 2) k++;
  return k;
}

describe("brentMax", () => {
  const cases: [string, (x: number) => number, number][] = [
    ["cosine", (x) => Math.cos(x - 0.3), 0.3],
    ["flat quartic", (x) => -((x - 0.77) ** 4) - 0.01 * (x - 0.77) ** 2, 0.77],
    ["asymmetric", (x) => x - Math.exp(x - 0.2), 0.2],
    ["kink", (x) => -Math.abs(x + 0.41), -0.41]
  ];
  for (const [name, f, want] of cases) {
    it(`finds the maximum of ${name} to the tolerance, in fewer evaluations than golden section`, () => {
      for (const tol of [1e-3, 1e-4, 1e-6]) {
        const r = brentMax(f, -1, 1, tol);
        expect(Math.abs(r.x - want), `${name} tol ${tol}`).toBeLessThan(tol);
        expect(r.value).toBe(f(r.x));
        if (name !== "kink") expect(r.evaluations).toBeLessThan(goldenEvaluations(-1, 1, tol));
      }
    });
  }

  it("goes to the end of the interval for a monotone function", () => {
    expect(brentMax((x) => x, -1, 1, 1e-4).x).toBeGreaterThan(1 - 1e-4);
    expect(brentMax((x) => -x, -1, 1, 1e-4).x).toBeLessThan(-1 + 1e-4);
  });

  it("a seed of three points starts with their parabola: a quadratic takes a few evaluations", () => {
    const f = (x: number) => -((x - 0.123) ** 2);
    const seeded = brentMax(f, -1, 1, 1e-6, {x: 0, w: -1, fw: f(-1), v: 1, fv: f(1)});
    expect(Math.abs(seeded.x - 0.123)).toBeLessThan(1e-6);
    expect(seeded.evaluations).toBeLessThan(brentMax(f, -1, 1, 1e-6).evaluations);
  });

  it("never returns a point where f is NaN, and refuses an empty interval", () => {
    const r = brentMax((x) => (x > 0.5 ? NaN : -((x - 0.4) ** 2)), -1, 1, 1e-5);
    expect(Math.abs(r.x - 0.4)).toBeLessThan(1e-5);
    expect(() => brentMax((x) => x, 1, 1)).toThrow(/a < b/);
  });
});
