// A trigger (or cut) efficiency curve fitted to pass/fail outcomes: ε(h) = Φ((h − h50) / w), the
// error function a Gaussian noise on the height gives, by maximum likelihood over the single
// outcomes (no binning, so empty and small bins cost nothing). Standard errors from the
// curvature of the log-likelihood at its maximum.

import {normalCdf} from "../math/special.js";

export interface ErfEfficiencyFit {
  /** The height found half of the time. */
  h50: number;
  /** The width w of the error function (σ of the height's noise), > 0. */
  width: number;
  h50Error: number;
  widthError: number;
  logLikelihood: number;
  /** ε(h) of the fitted curve. */
  at(h: number): number;
}

function logLikelihood(h: ArrayLike<number>, found: ArrayLike<boolean>, h50: number, w: number): number {
  let ll = 0;
  for (let i = 0; i < h.length; i++) {
    const e = Math.min(1 - 1e-12, Math.max(1e-12, normalCdf((h[i] - h50) / w)));
    ll += found[i] ? Math.log(e) : Math.log(1 - e);
  }
  return ll;
}

/**
 * Fits ε(h) = Φ((h − h50)/w) to heights `h` and outcomes `found`. Searches a grid over the range
 * of the heights (h50) and over log w, refined around the best point until the step is below
 * 1e-6 of the range; needs both outcomes among the data.
 */
export function fitErfEfficiency(h: ArrayLike<number>, found: ArrayLike<boolean>): ErfEfficiencyFit {
  if (h.length !== found.length) throw new RangeError(`fitErfEfficiency: ${h.length} heights but ${found.length} outcomes`);
  let lo = Infinity, hi = -Infinity, nFound = 0;
  for (let i = 0; i < h.length; i++) {
    if (!Number.isFinite(h[i])) throw new RangeError(`fitErfEfficiency: height ${i} is ${h[i]}`);
    lo = Math.min(lo, h[i]);
    hi = Math.max(hi, h[i]);
    if (found[i]) nFound++;
  }
  if (nFound === 0 || nFound === h.length) throw new RangeError(`fitErfEfficiency: ${nFound} of ${h.length} found; a curve needs both outcomes`);
  const span = hi - lo || 1;
  let best = {h50: (lo + hi) / 2, logW: Math.log(span / 4), ll: -Infinity};
  let stepH = span / 20, stepW = Math.log(span * 1e3 / span) / 10; // log w over 1e-3…1 × span to start
  let centreW = Math.log(span * Math.sqrt(1e-3));
  let centreH = best.h50;
  for (let round = 0; round < 40 && stepH > 1e-6 * span; round++) {
    for (let a = -10; a <= 10; a++) {
      for (let b = -10; b <= 10; b++) {
        const h50 = centreH + a * stepH, logW = centreW + b * stepW;
        const ll = logLikelihood(h, found, h50, Math.exp(logW));
        if (ll > best.ll) best = {h50, logW, ll};
      }
    }
    centreH = best.h50;
    centreW = best.logW;
    stepH /= 4;
    stepW /= 4;
  }
  const w = Math.exp(best.logW);
  // Observed information by central differences in (h50, w).
  const dh = 1e-3 * w, dw = 1e-3 * w;
  const f = (x: number, y: number) => logLikelihood(h, found, x, y);
  const f0 = best.ll;
  const hhh = (f(best.h50 + dh, w) - 2 * f0 + f(best.h50 - dh, w)) / (dh * dh);
  const hww = (f(best.h50, w + dw) - 2 * f0 + f(best.h50, w - dw)) / (dw * dw);
  const hhw = (f(best.h50 + dh, w + dw) - f(best.h50 + dh, w - dw) - f(best.h50 - dh, w + dw) + f(best.h50 - dh, w - dw)) / (4 * dh * dw);
  const det = hhh * hww - hhw * hhw;
  return {
    h50: best.h50,
    width: w,
    h50Error: det > 0 ? Math.sqrt(-hww / det) : NaN,
    widthError: det > 0 ? Math.sqrt(-hhh / det) : NaN,
    logLikelihood: best.ll,
    at: (x: number) => normalCdf((x - best.h50) / w)
  };
}
