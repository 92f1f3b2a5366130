// AssemblyScript source of the feature kernel (WebAssembly with 128-bit SIMD): cait's main
// parameters and the record moments and derivative extremes of lib/dsp/features.ts, in two passes
// over a record instead of the reference's five (lib/dsp/mainParameters.ts, moments.ts, features.ts).
// Built by `node scripts/build-wasm.mjs` into mainparWasm.ts (committed; a test rebuilds and compares).
//
// Written by hand because no library computes cait's main parameters, and plain JavaScript cannot
// reach the raw read rate (issue 17): V8 runs the reference's loops at 1–2.5 ns per sample and
// pass, the box-car's running sum is one dependency chain, and the moment sums three more.
// Here the box-car runs as four independent chains (four segments of the record, each started
// from its own window sum), and one SIMD pass takes the maxima, the derivative extremes and the
// power sums. The results differ from the reference only by rounding; docs/features.md and
// test/featureKernel.test.ts state and check the bounds.
//
// Memory (laid out by the caller, lib/dsp/featureKernel.ts): the record as f32 at `x`, the
// smoothed record s as f64 at `s` (n slots), the results as f64 at `out` (11 slots).

// out[] slots
const OFFSET = 0, DRIFT = 1, HEIGHT = 2, TMAX = 3, SUM1 = 4, SUM2 = 5, SUM3 = 6;
const DMAX = 7, DMAX_AT = 8, DMIN = 9, DMIN_AT = 10;

/** Samples per block of the SIMD pass: maxima are found per block, indices inside one block. */
const BLOCK = 256;

@inline function xAt(x: usize, k: i32): f64 {
  return <f64>load<f32>(x + (<usize>k << 2));
}
@inline function sAt(s: usize, k: i32): f64 {
  return load<f64>(s + (<usize>k << 3));
}
@inline function laneMax(v: v128): f64 {
  return max(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
}
@inline function laneMin(v: v128): f64 {
  return min(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
}
@inline function put(out: usize, slot: i32, v: f64): void {
  store<f64>(out + (<usize>slot << 3), v);
}

/** Σ x[clamp(j)] for j in [i − back, i − back + w): the box-car's window sum at i, edges repeated. */
function windowSum(x: usize, n: i32, i: i32, back: i32, w: i32): f64 {
  const last = n - 1;
  let sum: f64 = 0;
  for (let j = i - back; j < i - back + w; j++) sum += xAt(x, j < 0 ? 0 : j > last ? last : j);
  return sum;
}

/** s[i] = S_i / w − offset for i in [from, to), one running sum started at from (clamped edges). */
function smoothRange(x: usize, s: usize, n: i32, w: i32, back: i32, iw: f64, offset: f64, from: i32, to: i32): void {
  const last = n - 1, ahead = w - back;
  let sum = windowSum(x, n, from, back, w);
  for (let i = from; i < to; i++) {
    store<f64>(s + (<usize>i << 3), sum * iw - offset);
    const enter = i + ahead, leave = i - back;
    sum += xAt(x, enter > last ? last : enter) - xAt(x, leave < 0 ? 0 : leave);
  }
}

/**
 * Main parameters' sums of the record x[0, n) (n ≥ 8) with box-car window w into out[]:
 * offset (mean of the first ⌊n/8⌋ samples), the smoothed
 * record s, the drift, the pulse height max(s), t_max (first argmax of s[i] − drift·i), Σs, the
 * central sums Σ(s − mean)² and Σ(s − mean)³, and the extreme differences s[j+1] − s[j] with their first j.
 */
export function mainpar(x: usize, n: i32, w: i32, nDrift: i32, s: usize, out: usize): void {
  const nOffset = n >> 3;
  // Four partial sums (four short chains instead of one long one).
  let h0: f64 = 0, h1: f64 = 0, h2: f64 = 0, h3: f64 = 0;
  const head4 = nOffset & ~3;
  for (let i = 0; i < head4; i += 4) {
    h0 += xAt(x, i);
    h1 += xAt(x, i + 1);
    h2 += xAt(x, i + 2);
    h3 += xAt(x, i + 3);
  }
  for (let i = head4; i < nOffset; i++) h0 += xAt(x, i);
  const offset = ((h0 + h1) + (h2 + h3)) / <f64>nOffset;
  put(out, OFFSET, offset);

  // The box-car. Between the edges a step needs no clamping; there four segments run as four
  // independent chains in one loop.
  const back = w >> 1, ahead = w - back;
  const iw: f64 = 1.0 / <f64>w;
  const lo = min(back, n);
  const hi = max(lo, n - ahead);
  smoothRange(x, s, n, w, back, iw, offset, 0, lo);
  const q = (hi - lo) >> 2;
  let rest = lo;
  if (q >= 64) {
    const i0 = lo, i1 = lo + q, i2 = lo + 2 * q, i3 = lo + 3 * q;
    let a = windowSum(x, n, i0, back, w), b = windowSum(x, n, i1, back, w);
    let c = windowSum(x, n, i2, back, w), d = windowSum(x, n, i3, back, w);
    for (let j = 0; j < q; j++) {
      store<f64>(s + (<usize>(i0 + j) << 3), a * iw - offset);
      store<f64>(s + (<usize>(i1 + j) << 3), b * iw - offset);
      store<f64>(s + (<usize>(i2 + j) << 3), c * iw - offset);
      store<f64>(s + (<usize>(i3 + j) << 3), d * iw - offset);
      a += xAt(x, i0 + j + ahead) - xAt(x, i0 + j - back);
      b += xAt(x, i1 + j + ahead) - xAt(x, i1 + j - back);
      c += xAt(x, i2 + j + ahead) - xAt(x, i2 + j - back);
      d += xAt(x, i3 + j + ahead) - xAt(x, i3 + j - back);
    }
    rest = lo + 4 * q;
  }
  smoothRange(x, s, n, w, back, iw, offset, rest, n);

  // Drift: the means of the first and last nDrift smoothed samples, summed in order.
  let first: f64 = 0, lastSum: f64 = 0;
  for (let i = 0; i < nDrift; i++) {
    first += sAt(s, i);
    lastSum += sAt(s, n - nDrift + i);
  }
  const drift = (lastSum / <f64>nDrift - first / <f64>nDrift) / <f64>n;
  put(out, DRIFT, drift);

  // Samples 0 and 1 by scalar code (sample 0 has no difference), then SIMD.
  const s0 = sAt(s, 0), s1 = sAt(s, 1);
  let height = max(s0, s1);
  let best = s0, bestAt = 0;
  if (s1 - drift > best) { best = s1 - drift; bestAt = 1; }
  let dmax = s1 - s0, dmin = dmax, dmaxAt = 0, dminAt = 0;
  let bestBlock = -1, dmaxBlock = -1, dminBlock = -1;
  let sum1 = s0 + s1;

  const dd = f64x2.splat(drift), two = f64x2.splat(2);
  let v1 = f64x2.splat(0);
  // Blocks of BLOCK samples from 2 on, two samples per step; an odd last sample by scalar code.
  const end = n & ~1;
  for (let k0 = 2; k0 < end; k0 += BLOCK) {
    const k1 = min(k0 + BLOCK, end);
    let mx = f64x2.splat(-Infinity), cm = mx, hm = mx, lm = f64x2.splat(Infinity);
    let iv = f64x2(<f64>k0, <f64>(k0 + 1));
    for (let k = k0; k < k1; k += 2) {
      const p = s + (<usize>k << 3);
      const v = v128.load(p);
      const e = f64x2.sub(v, v128.load(p - 8));
      mx = f64x2.pmax(mx, v);
      cm = f64x2.pmax(cm, f64x2.sub(v, f64x2.mul(dd, iv)));
      hm = f64x2.pmax(hm, e);
      lm = f64x2.pmin(lm, e);
      v1 = f64x2.add(v1, v);
      iv = f64x2.add(iv, two);
    }
    // Strictly greater only: the first block holding the extreme keeps it (first index on ties).
    height = max(height, laneMax(mx));
    const bc = laneMax(cm);
    if (bc > best) { best = bc; bestBlock = k0; }
    const bh = laneMax(hm);
    if (bh > dmax) { dmax = bh; dmaxBlock = k0; }
    const bl = laneMin(lm);
    if (bl < dmin) { dmin = bl; dminBlock = k0; }
  }
  sum1 += f64x2.extract_lane(v1, 0) + f64x2.extract_lane(v1, 1);
  if (end < n) {
    const k = n - 1, v = sAt(s, k);
    height = max(height, v);
    const c = v - drift * <f64>k;
    if (c > best) { best = c; bestBlock = -1; bestAt = k; }
    const e = v - sAt(s, k - 1);
    if (e > dmax) { dmax = e; dmaxBlock = -1; dmaxAt = k - 1; }
    if (e < dmin) { dmin = e; dminBlock = -1; dminAt = k - 1; }
    sum1 += v;
  }
  // The first index inside the winning block (the same arithmetic as the SIMD lanes: same bits).
  if (bestBlock >= 0) {
    for (let k = bestBlock; k < end; k++) if (sAt(s, k) - drift * <f64>k == best) { bestAt = k; break; }
  }
  if (dmaxBlock >= 0) {
    for (let k = dmaxBlock; k < end; k++) if (sAt(s, k) - sAt(s, k - 1) == dmax) { dmaxAt = k - 1; break; }
  }
  if (dminBlock >= 0) {
    for (let k = dminBlock; k < end; k++) if (sAt(s, k) - sAt(s, k - 1) == dmin) { dminAt = k - 1; break; }
  }
  put(out, HEIGHT, height);
  put(out, TMAX, <f64>bestAt);
  put(out, SUM1, sum1);
  centralSums(s, n, sum1 / <f64>n, out);
  put(out, DMAX, dmax);
  put(out, DMAX_AT, <f64>dmaxAt);
  put(out, DMIN, dmin);
  put(out, DMIN_AT, <f64>dminAt);
}

/** Σ(s − mean)² and Σ(s − mean)³ into out[]: the second pass of the two-pass moments, as the reference's. */
function centralSums(s: usize, n: i32, mean: f64, out: usize): void {
  const m = f64x2.splat(mean), zero = f64x2.splat(0);
  let a2 = zero, a3 = zero, b2 = zero, b3 = zero;
  const end = n & ~3;
  for (let k = 0; k < end; k += 4) {
    const p = s + (<usize>k << 3);
    const u = f64x2.sub(v128.load(p), m), v = f64x2.sub(v128.load(p, 16), m);
    const u2 = f64x2.mul(u, u), v2 = f64x2.mul(v, v);
    a2 = f64x2.add(a2, u2);
    b2 = f64x2.add(b2, v2);
    a3 = f64x2.add(a3, f64x2.mul(u2, u));
    b3 = f64x2.add(b3, f64x2.mul(v2, v));
  }
  const c2 = f64x2.add(a2, b2), c3 = f64x2.add(a3, b3);
  let sum2 = f64x2.extract_lane(c2, 0) + f64x2.extract_lane(c2, 1);
  let sum3 = f64x2.extract_lane(c3, 0) + f64x2.extract_lane(c3, 1);
  for (let k = end; k < n; k++) {
    const d = sAt(s, k) - mean, d2 = d * d;
    sum2 += d2;
    sum3 += d2 * d;
  }
  put(out, SUM2, sum2);
  put(out, SUM3, sum3);
}
