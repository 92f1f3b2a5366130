// AssemblyScript source of the feature kernel (WebAssembly with 128-bit SIMD): cait's main
// parameters and the record moments and derivative extremes of lib/dsp/features.ts, in one pass
// over the record instead of the reference's five (lib/dsp/mainParameters.ts, moments.ts, features.ts).
// Built by `node scripts/build-wasm.mjs` into mainparWasm.ts (committed; a test rebuilds and compares).
//
// Written by hand because no library computes cait's main parameters, and plain JavaScript cannot
// reach the raw read rate (issue 17): V8 runs the reference's loops at 1–2.5 ns per sample and pass.
//
// The passes, and why each result is exact or bounded:
// 1. offset: the mean of the first ⌊n/8⌋ samples (four partial sums: rounding only).
// 2. One SIMD pass over the samples whose box-car windows lie inside the record, four per step as
//    two f64x2 of neighbours (S_k, S_k+1), (S_k+2, S_k+3): with d_k = x[k + ahead] − x[k − back]
//    (exact in f64 for f32 samples) each lane steps by two samples, S += (d_k + d_k+1, d_k+1 + d_k+2),
//    from exact window sums at the start: the reference's one running sum, rounded about as often,
//    two adds per four samples on the dependency chain. It stores s = S/w − offset and keeps per
//    block of BLOCK samples the extreme d_k (exact: no rounding to compare); a second loop over
//    the block's s, still in L1, takes its maximum and Σs, Σs², Σs³ (one loop for both runs out of
//    registers). The few samples whose windows reach past an edge (clamped) run by scalar code,
//    their block statistics from the stored s.
// 3. The drift from the stored ends of s, summed in order as the reference does.
// 4. The extreme differences s[j+1] − s[j]: the stored s match d_j/w to within δ (the rounding
//    of the running sums and of s, bounded from the record's magnitudes), so only blocks whose
//    extreme d_j/w is within 2δ of the record's can hold the extreme; those are scanned in order
//    on the stored s (SIMD, then the first index in a block that wins): the reference's
//    arithmetic, the first index on ties.
// 5. t_max, the first argmax of s[k] − drift·k: the block of the largest bound max(s) − min(drift·k)
//    (rounding is monotone, so it bounds every computed value) first, then only the blocks that
//    can still beat or tie it, scanned with the reference's arithmetic: the same bits.
// 6. The moments from the power sums about 0 (s has the offset taken off, so its mean is mostly
//    within a few standard deviations of 0): Σ(s − m)² = Σs² − mΣs, Σ(s − m)³ = Σs³ − 3mΣs² + 2m²Σs,
//    which lose a few ulps while n·m² ≤ SHIFT_RATIO·Σ(s − m)²; otherwise (short records, whose
//    box-car reaches across them) a second pass about the mean, as the reference's.
// 7. cait's threshold walks from t_max, as fillMainParameters does them.
// The results differ from the reference only by rounding; docs/features.md and
// test/featureKernel.test.ts state and check the bounds.
//
// Memory (laid out by the caller, lib/dsp/featureKernel.ts): the record as f32 at `x`, the
// smoothed record s as f64 at `s` (n slots), the results as f64 at `out` (16 slots), and
// 3·⌈n/BLOCK⌉ f64 of per-block maxima at `blocks`.

// out[] slots
const OFFSET = 0, DRIFT = 1, HEIGHT = 2, TMAX = 3, SUM1 = 4, SUM2 = 5, SUM3 = 6;
const DMAX = 7, DMAX_AT = 8, DMIN = 9, DMIN_AT = 10;
const T_ZERO = 11, T_RISE = 12, T_DECAY = 13, T_HALF = 14, T_END = 15;

/** Samples per block: maxima are kept per block, first indices found inside one block (featureKernel.ts lays out 3 f64 per block). */
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
/** Two f32 samples from x[k] as f64x2. */
@inline function pair(x: usize, k: i32): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>k << 2)));
}

/** Σ x[clamp(j)] for j in [i − back, i − back + w): the box-car's window sum at i, edges repeated. */
function windowSum(x: usize, n: i32, i: i32, back: i32, w: i32): f64 {
  const last = n - 1;
  let sum: f64 = 0;
  let mag: f64 = 0;
  for (let j = i - back; j < i - back + w; j++) {
    const v = xAt(x, j < 0 ? 0 : j > last ? last : j);
    sum += v;
    mag += abs(v);
  }
  absSum = max(absSum, mag);
  return sum;
}

/** s[i] = S_i / w − offset for i in [from, to), one running sum started at from (clamped edges). */
function smoothRange(x: usize, s: usize, n: i32, w: i32, back: i32, iw: f64, offset: f64, from: i32, to: i32): void {
  if (from >= to) return;
  const last = n - 1, ahead = w - back;
  let sum = windowSum(x, n, from, back, w);
  for (let i = from; i < to; i++) {
    store<f64>(s + (<usize>i << 3), sum * iw - offset);
    const enter = i + ahead, leave = i - back;
    sum += xAt(x, enter > last ? last : enter) - xAt(x, leave < 0 ? 0 : leave);
  }
}

/** n·mean² ≤ SHIFT_RATIO·Σ(s − mean)²: the moments from power sums about 0 lose at most a few ulps. */
const SHIFT_RATIO: f64 = 16;
/** 2⁻⁵², a relative rounding error (with room). */
const EPS: f64 = 2.220446049250313e-16;
// The largest Σ|x| of a window sum the running sums started from.
let absSum: f64 = 0;
// Σs, Σs², Σs³ of the scalar (edge) blocks.
let e1: f64 = 0, e2: f64 = 0, e3: f64 = 0;
// The best drift-corrected value so far and its first index (t_max).
let best: f64 = -Infinity, bestAt: i32 = 0;

/** Merges one block's max s and extreme differences into the per-block arrays. */
@inline function merge(blocks: usize, b: i32, nb: i32, mx: f64, hm: f64, lm: f64): void {
  const p = blocks + (<usize>b << 3), q = blocks + (<usize>(nb + b) << 3), r = blocks + (<usize>(2 * nb + b) << 3);
  store<f64>(p, max(load<f64>(p), mx));
  store<f64>(q, max(load<f64>(q), hm));
  store<f64>(r, min(load<f64>(r), lm));
}

/**
 * Block statistics of the stored s[from, to) (to ≤ n) merged into the arrays: max s[k] and the
 * extreme differences s[j+1] − s[j] in the block of j; power sums into e1, e2, e3.
 */
function blocksFromMemory(s: usize, n: i32, from: i32, to: i32, blocks: usize, nb: i32): void {
  let t1: f64 = 0, t2: f64 = 0, t3: f64 = 0;
  for (let k0 = from; k0 < to;) {
    const k1 = min((k0 / BLOCK + 1) * BLOCK, to);
    let mx = -Infinity, hm = -Infinity, lm = Infinity;
    for (let k = k0; k < k1; k++) {
      const v = sAt(s, k);
      mx = max(mx, v);
      if (k + 1 < n) {
        const e = sAt(s, k + 1) - v;
        if (e > hm) hm = e;
        if (e < lm) lm = e;
      }
      const v2 = v * v;
      t1 += v;
      t2 += v2;
      t3 += v2 * v;
    }
    merge(blocks, k0 / BLOCK, nb, mx, hm, lm);
    k0 = k1;
  }
  e1 += t1;
  e2 += t2;
  e3 += t3;
}

/**
 * Main parameters' sums of the record x[0, n) (n ≥ 8) with box-car window w into out[]:
 * offset (mean of the first ⌊n/8⌋ samples), the smoothed
 * record s, the drift, the pulse height max(s), t_max (first argmax of s[i] − drift·i), Σs, the
 * central sums Σ(s − mean)² and Σ(s − mean)³, and the extreme differences s[j+1] − s[j] with their first j.
 */
export function mainpar(x: usize, n: i32, w: i32, nDrift: i32, s: usize, out: usize, blocks: usize): void {
  const nOffset = n >> 3;
  // Four partial sums (two f64x2: short chains instead of one long one).
  let h0 = f64x2.splat(0), h1 = h0;
  const head4 = nOffset & ~3;
  for (let i = 0; i < head4; i += 4) {
    const p = x + (<usize>i << 2);
    h0 = f64x2.add(h0, f64x2.promote_low_f32x4(v128.load64_zero(p)));
    h1 = f64x2.add(h1, f64x2.promote_low_f32x4(v128.load64_zero(p, 8)));
  }
  const h = f64x2.add(h0, h1);
  let head = f64x2.extract_lane(h, 0) + f64x2.extract_lane(h, 1);
  for (let i = head4; i < nOffset; i++) head += xAt(x, i);
  const offset = head / <f64>nOffset;
  put(out, OFFSET, offset);

  const back = w >> 1, ahead = w - back;
  const iw: f64 = 1.0 / <f64>w;
  const nb = (n + BLOCK - 1) / BLOCK;
  for (let i = 0; i < nb; i++) {
    store<f64>(blocks + (<usize>i << 3), -Infinity);
    store<f64>(blocks + (<usize>(nb + i) << 3), -Infinity);
    store<f64>(blocks + (<usize>(2 * nb + i) << 3), Infinity);
  }
  // The SIMD pass covers [a, b): every window inside the record, the next one too (for d_k):
  // k ≥ back, k < n − ahead. The edges run by scalar code.
  const a = max(4, (back + 3) & ~3);
  const b = max(a, a + ((n - ahead - a) & ~3));
  e1 = 0; e2 = 0; e3 = 0; absSum = 0;
  smoothRange(x, s, n, w, back, iw, offset, 0, min(a, n));
  smoothRange(x, s, n, w, back, iw, offset, b, n);

  const zero = f64x2.splat(0);
  let a1 = zero, a2 = zero, a3 = zero;
  let dAbs: f64 = 0;
  if (a < b) {
    const ivw = f64x2.splat(iw), off = f64x2.splat(offset);
    let S = f64x2(windowSum(x, n, a, back, w), windowSum(x, n, a + 1, back, w)); // (S_k, S_k+1)
    let E = f64x2.sub(pair(x, a + ahead), pair(x, a - back)); // (d_k, d_k+1)
    for (let k0 = a; k0 < b;) {
      const k1 = min((k0 / BLOCK + 1) * BLOCK, b);
      let hm = f64x2.splat(-Infinity), lm = f64x2.splat(Infinity);
      let p = s + (<usize>k0 << 3);
      let pe = x + (<usize>(k0 + ahead) << 2), pl = x + (<usize>(k0 - back) << 2);
      const pEnd = s + (<usize>k1 << 3);
      for (; p < pEnd; p += 32, pe += 16, pl += 16) {
        const E1 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(pe, 8)), f64x2.promote_low_f32x4(v128.load64_zero(pl, 8)));
        const E2 = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(pe, 16)), f64x2.promote_low_f32x4(v128.load64_zero(pl, 16)));
        const D0 = f64x2.add(E, v128.shuffle<f64>(E, E1, 1, 2)); // S_k+2 − S_k, S_k+3 − S_k+1
        const D1 = f64x2.add(E1, v128.shuffle<f64>(E1, E2, 1, 2));
        const S2 = f64x2.add(S, D0);
        v128.store(p, f64x2.sub(f64x2.mul(S, ivw), off));
        v128.store(p, f64x2.sub(f64x2.mul(S2, ivw), off), 16);
        S = f64x2.add(S2, D1);
        hm = f64x2.pmax(hm, f64x2.pmax(E, E1)); // d_j = S_j+1 − S_j for j in [k, k + 4)
        lm = f64x2.pmin(lm, f64x2.pmin(E, E1));
        E = E2;
      }
      // The block's s again, from L1: its maximum and power sums.
      let mx = f64x2.splat(-Infinity);
      for (let q = s + (<usize>k0 << 3); q < pEnd; q += 32) {
        const v0 = v128.load(q), v1 = v128.load(q, 16);
        mx = f64x2.pmax(mx, f64x2.pmax(v0, v1));
        const q0 = f64x2.mul(v0, v0), q1 = f64x2.mul(v1, v1);
        a1 = f64x2.add(a1, f64x2.add(v0, v1));
        a2 = f64x2.add(a2, f64x2.add(q0, q1));
        a3 = f64x2.add(a3, f64x2.add(f64x2.mul(q0, v0), f64x2.mul(q1, v1)));
      }
      const hi = laneMax(hm), lo = laneMin(lm);
      dAbs = max(dAbs, max(abs(hi), abs(lo)));
      merge(blocks, k0 / BLOCK, nb, laneMax(mx), hi * iw, lo * iw);
      k0 = k1;
    }
  }
  blocksFromMemory(s, n, 0, min(a, n), blocks, nb);
  blocksFromMemory(s, n, b, n, blocks, nb);

  // Drift: the means of the first and last nDrift smoothed samples, summed in order as the
  // reference does (a drift of pure rounding, as on symmetric records, must keep its sign).
  let first: f64 = 0, lastSum: f64 = 0;
  for (let i = 0; i < nDrift; i++) {
    first += sAt(s, i);
    lastSum += sAt(s, n - nDrift + i);
  }
  const drift = (lastSum / <f64>nDrift - first / <f64>nDrift) / <f64>n;
  put(out, DRIFT, drift);

  // Pulse height; the extreme differences. The SIMD pass kept, per block, the extreme exact window
  // differences d_j/w, which the stored s[j+1] − s[j] match to within δ (the rounding of the running
  // sums and of s, bounded from the record's magnitudes below): only blocks within 2δ of the
  // extreme can hold it, and those are scanned in order on the stored s (first index on ties).
  let height = -Infinity, dmax = -Infinity, dmin = Infinity;
  for (let i = 0; i < nb; i++) {
    height = max(height, load<f64>(blocks + (<usize>i << 3)));
    dmax = max(dmax, load<f64>(blocks + (<usize>(nb + i) << 3)));
    dmin = min(dmin, load<f64>(blocks + (<usize>(2 * nb + i) << 3)));
  }
  const c1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1) + e1;
  const c2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1) + e2;
  const c3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1) + e3;
  // |S·iw| ≤ max|s| + |offset| ≤ √Σs² + |offset|; each step of a lane's running sum rounds once
  // at |S| and thrice at ≤ 4·max|d|; the window sums it starts from round w times at their Σ|x|.
  const sMag = (sqrt(c2) * 1.01 + abs(offset)) * 1.01;
  const steps = <f64>((b - a) / 2 + 2 + w); // + the edges' scalar steps
  const errS = (<f64>w * absSum + steps * (sMag * <f64>w + 8 * dAbs)) * EPS;
  const delta = 4 * (errS * iw + (3 * sMag + dAbs * iw) * EPS);
  let dmaxAt = 0, dminAt = 0;
  let bestMax = -Infinity, bestMin = Infinity;
  for (let i = 0; i < nb; i++) {
    const takeMax = load<f64>(blocks + (<usize>(nb + i) << 3)) >= dmax - 2 * delta;
    const takeMin = load<f64>(blocks + (<usize>(2 * nb + i) << 3)) <= dmin + 2 * delta;
    if (!takeMax && !takeMin) continue;
    // The block's differences two at a time; the first index only where the block wins.
    const j0 = i * BLOCK, j1 = min(n - 1, j0 + BLOCK), even = j0 + ((j1 - j0) & ~1);
    let hv = f64x2.splat(-Infinity), lv = f64x2.splat(Infinity);
    for (let j = j0; j < even; j += 2) {
      const p = s + (<usize>j << 3);
      const e = f64x2.sub(v128.load(p, 8), v128.load(p));
      hv = f64x2.pmax(hv, e);
      lv = f64x2.pmin(lv, e);
    }
    let bh = laneMax(hv), bl = laneMin(lv);
    if (even < j1) {
      const e = sAt(s, even + 1) - sAt(s, even);
      bh = max(bh, e);
      bl = min(bl, e);
    }
    if (takeMax && bh > bestMax) {
      for (let j = j0; j < j1; j++) if (sAt(s, j + 1) - sAt(s, j) == bh) { bestMax = bh; dmaxAt = j; break; }
    }
    if (takeMin && bl < bestMin) {
      for (let j = j0; j < j1; j++) if (sAt(s, j + 1) - sAt(s, j) == bl) { bestMin = bl; dminAt = j; break; }
    }
  }
  dmax = bestMax;
  dmin = bestMin;

  // t_max: the block of the largest bound first, then, in order, every block that can still beat
  // (or, before it, tie) the best so far.
  let bestBlock = 0, bestBound = -Infinity;
  for (let i = 0; i < nb; i++) {
    const u = bound(blocks, i, n, drift);
    if (u > bestBound) { bestBound = u; bestBlock = i; }
  }
  best = -Infinity; bestAt = 0;
  scanPeak(s, n, bestBlock, drift);
  for (let i = 0; i < nb; i++) {
    if (i == bestBlock) continue;
    const u = bound(blocks, i, n, drift);
    if (u > best || (u == best && i < bestBlock)) scanPeak(s, n, i, drift);
  }

  put(out, HEIGHT, height);
  put(out, TMAX, <f64>bestAt);
  // Central sums about the mean from the power sums about 0, unless the mean is far from 0 in
  // standard deviations (short records, whose box-car reaches across them): then a second pass.
  const mean = c1 / <f64>n;
  put(out, SUM1, c1);
  const m2 = c2 - mean * c1;
  if (m2 > 0 && mean * c1 <= SHIFT_RATIO * m2) {
    put(out, SUM2, m2);
    put(out, SUM3, c3 - 3 * mean * c2 + 2 * mean * mean * c1);
  } else {
    centralSums(s, n, mean, out);
  }
  put(out, DMAX, dmax);
  put(out, DMAX_AT, <f64>dmaxAt);
  put(out, DMIN, dmin);
  put(out, DMIN_AT, <f64>dminAt);
  walks(s, n, bestAt, out);
}

/**
 * cait's threshold walks from t_max, as lib/dsp/mainParameters.ts fillMainParameters does them
 * (the same comparisons of the same values): last sample below 20 % before the maximum, first
 * above 80 % from there, first below 1/e from the maximum, then back to the last above 73.6 % and 90 %.
 */
function walks(s: usize, n: i32, tMax: i32, out: usize): void {
  const h = sAt(s, tMax);
  let tZero = 0;
  for (let i = tMax - 1; i >= 0; i--) if (sAt(s, i) < 0.2 * h) { tZero = i; break; }
  let tRise = tZero;
  for (let i = tZero; i < n; i++) if (sAt(s, i) > 0.8 * h) { tRise = i; break; }
  let tEnd = n - 1;
  for (let i = tMax; i < n; i++) if (sAt(s, i) < 0.368 * h) { tEnd = i; break; }
  let tHalf = tEnd;
  for (let i = tEnd; i >= 0; i--) if (sAt(s, i) > 0.736 * h) { tHalf = i; break; }
  let tDecay = tHalf;
  for (let i = tHalf; i >= 0; i--) if (sAt(s, i) > 0.9 * h) { tDecay = i; break; }
  put(out, T_ZERO, <f64>tZero);
  put(out, T_RISE, <f64>tRise);
  put(out, T_DECAY, <f64>tDecay);
  put(out, T_HALF, <f64>tHalf);
  put(out, T_END, <f64>tEnd);
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

/** An upper bound of s[k] − drift·k over block i, as the reference computes it (rounding is monotone). */
@inline function bound(blocks: usize, i: i32, n: i32, drift: f64): f64 {
  const m = load<f64>(blocks + (<usize>i << 3));
  const k = drift >= 0 ? i * BLOCK : min(n, (i + 1) * BLOCK) - 1;
  return m - drift * <f64>k;
}

/** Takes block i's values s[k] − drift·k into best/bestAt: greater, or equal at an earlier index. */
function scanPeak(s: usize, n: i32, i: i32, drift: f64): void {
  const k0 = i * BLOCK, k1 = min(n, k0 + BLOCK), even = k0 + ((k1 - k0) & ~1);
  const dd = f64x2.splat(drift), two = f64x2.splat(2);
  let cm = f64x2.splat(-Infinity), kv = f64x2(<f64>k0, <f64>(k0 + 1));
  for (let k = k0; k < even; k += 2) {
    cm = f64x2.pmax(cm, f64x2.sub(v128.load(s + (<usize>k << 3)), f64x2.mul(dd, kv)));
    kv = f64x2.add(kv, two);
  }
  let m = laneMax(cm);
  if (even < k1) m = max(m, sAt(s, even) - drift * <f64>even);
  if (!(m > best || (m == best && k0 < bestAt))) return;
  // The first index of m in the block (the same arithmetic as above: the same bits).
  for (let k = k0; k < k1; k++) {
    if (sAt(s, k) - drift * <f64>k == m) { best = m; bestAt = k; return; }
  }
}
