// Maximum of a function of one variable on [a, b]: Brent's method (R. P. Brent, "Algorithms for
// Minimization without Derivatives", 1973, ch. 5, procedure localmin), golden-section steps
// where a parabola through the last three points cannot be trusted, parabolic steps where it
// can. On a smooth maximum it needs some 6–8 evaluations for a tolerance of 1e-3 of an interval
// of 2, where golden section alone needs 18. Hand-written because none of the installed
// libraries has a one-dimensional minimiser (ml-levenberg-marquardt fits curves; d3 has none).

/** sqrt of the float64 epsilon: the relative resolution of a minimum (Brent's `eps`). */
const SQRT_EPS = Math.sqrt(Number.EPSILON);
/** (3 − √5)/2: the golden-section fraction. */
const GOLDEN = (3 - Math.sqrt(5)) / 2;

/**
 * Where to start: x (evaluated first) and two more points w, v with values of f known to the
 * caller (e.g. from a coarse scan; they choose the first parabolic step and are never returned).
 * Without it the search starts from golden section, as Brent's does.
 */
export interface BrentSeed {
  x: number;
  w: number;
  fw: number;
  v: number;
  fv: number;
}

/**
 * The x in [a, b] where f is largest (f unimodal there), to within `tol` (absolute), and f(x);
 * `evaluations` counts the calls of f. Non-finite values of f count as −∞.
 */
export function brentMax(f: (x: number) => number, a: number, b: number, tol = 1e-3, seed?: BrentSeed): {x: number; value: number; evaluations: number} {
  if (!(b > a)) throw new RangeError(`brentMax needs a < b, got [${a}, ${b}]`);
  let evaluations = 0;
  // Minimise g = −f; NaN becomes +∞ so that it is never chosen.
  const g = (x: number) => {
    evaluations++;
    const v = -f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  let x = a + GOLDEN * (b - a);
  let w = x, v = x;
  let fx: number, fw: number, fv: number;
  let d = 0, e = 0;
  if (seed && seed.x >= a && seed.x <= b) {
    x = seed.x;
    fx = g(x);
    // Minimised: the seed's values negated, as g negates f.
    w = seed.w; fw = -seed.fw;
    v = seed.v; fv = -seed.fv;
    // A step "before last" as long as the interval lets the first parabola through.
    e = b - a;
  } else {
    fx = fw = fv = g(x);
  }
  for (let iteration = 0; iteration < 200; iteration++) {
    const m = 0.5 * (a + b);
    const tol1 = SQRT_EPS * Math.abs(x) + tol / 3;
    const tol2 = 2 * tol1;
    if (Math.abs(x - m) <= tol2 - 0.5 * (b - a)) break;
    let parabolic = false;
    if (Math.abs(e) > tol1) {
      // The parabola through (v, fv), (w, fw), (x, fx): its vertex is x + p/q.
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      else q = -q;
      const previous = e;
      e = d;
      // Accepted only inside [a, b] and shorter than half the step before last (else it may cycle).
      if (Math.abs(p) < Math.abs(0.5 * q * previous) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = x < m ? tol1 : -tol1;
        parabolic = true;
      }
    }
    if (!parabolic) {
      e = (x < m ? b : a) - x;
      d = GOLDEN * e;
    }
    // Never closer to x than tol1: the difference would be rounding, not f.
    const u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const fu = g(u);
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w; fv = fw;
      w = x; fw = fx;
      x = u; fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w; fv = fw;
        w = u; fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u; fv = fu;
      }
    }
  }
  return {x, value: -fx, evaluations};
}
