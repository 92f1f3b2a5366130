// AssemblyScript source of the SEV fit's two passes over the samples (lib/dsp/sevFit.ts
// fitRecord, fast path): built by `node scripts/build-wasm.mjs` into sevpassWasm.ts (committed;
// test/featureKernel.test.ts rebuilds and compares).
//
// Each sample takes some thirteen float64 operations (the centred value, t = i·step − 1 and its
// powers, five sums): V8, and wasm one sample at a time, are bound by that count (≈ 30 µs per pass
// at 16384 samples). Here two samples go through each f64x2 operation and the sums run in four
// lanes (samples i mod 4), added up at the end (≈ 17 µs). The float32 values written for the
// transform are fitRecord's to the bit (elementwise); the sums differ from its in-order sums by
// rounding (test/sevFitKernel.test.ts; the fit columns' bounds in test/golden.test.ts).
//
// Memory (laid out by the caller, lib/dsp/sevFitKernel.ts): the record r as f32, a float32 buffer
// x of n samples, out as f64 (8 slots).

/** Lanes 0 + 1 of a + b: the reduction of the two interleaved accumulators of one sum. */
@inline function total(a: v128, b: v128): f64 {
  const s = f64x2.add(a, b);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * o = the mean of r[0, max(1, ⌊n/8⌋)) (summed in order); x[i] = f32(r[i] − o); and, with
 * t = i·step − 1, step = 2/(n−1): out = [rr, m0, m1, m2, m3, o] = Σv², Σv, Σtv, Σt²v, Σt³v of v = r[i] − o.
 * The sums run in four lanes (samples i ≡ 0, 1, 2, 3 mod 4), added up at the end.
 */
export function sevFirstPass(r: usize, x: usize, n: i32, out: usize): void {
  const nb = n >> 3 > 1 ? n >> 3 : 1;
  let o: f64 = 0;
  for (let i = 0; i < nb; i++) o += <f64>load<f32>(r + (<usize>i << 2));
  o /= <f64>nb;
  const step: f64 = n > 1 ? 2 / <f64>(n - 1) : 0;
  const ov = f64x2.splat(o), sv = f64x2.splat(step), one = f64x2.splat(1), four = f64x2.splat(4);
  let ia = f64x2(0, 1), ib = f64x2(2, 3);
  let rrA = f64x2.splat(0), m0A = rrA, m1A = rrA, m2A = rrA, m3A = rrA;
  let rrB = rrA, m0B = rrA, m1B = rrA, m2B = rrA, m3B = rrA;
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const q = v128.load(r + (<usize>i << 2));
    const va = f64x2.sub(f64x2.promote_low_f32x4(q), ov);
    const vb = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(q, q, 2, 3, 0, 1)), ov);
    v128.store(x + (<usize>i << 2), v128.shuffle<f32>(f32x4.demote_f64x2_zero(va), f32x4.demote_f64x2_zero(vb), 0, 1, 4, 5));
    const ta = f64x2.sub(f64x2.mul(ia, sv), one), tb = f64x2.sub(f64x2.mul(ib, sv), one);
    const tva = f64x2.mul(ta, va), tvb = f64x2.mul(tb, vb);
    const ttva = f64x2.mul(ta, tva), ttvb = f64x2.mul(tb, tvb);
    rrA = f64x2.add(rrA, f64x2.mul(va, va));
    rrB = f64x2.add(rrB, f64x2.mul(vb, vb));
    m0A = f64x2.add(m0A, va);
    m0B = f64x2.add(m0B, vb);
    m1A = f64x2.add(m1A, tva);
    m1B = f64x2.add(m1B, tvb);
    m2A = f64x2.add(m2A, ttva);
    m2B = f64x2.add(m2B, ttvb);
    m3A = f64x2.add(m3A, f64x2.mul(ta, ttva));
    m3B = f64x2.add(m3B, f64x2.mul(tb, ttvb));
    ia = f64x2.add(ia, four);
    ib = f64x2.add(ib, four);
  }
  let rr = total(rrA, rrB), m0 = total(m0A, m0B), m1 = total(m1A, m1B), m2 = total(m2A, m2B), m3 = total(m3A, m3B);
  for (let i = n4; i < n; i++) {
    const v = <f64>load<f32>(r + (<usize>i << 2)) - o;
    store<f32>(x + (<usize>i << 2), <f32>v);
    rr += v * v;
    const t = <f64>i * step - 1, tv = t * v, ttv = t * tv;
    m0 += v;
    m1 += tv;
    m2 += ttv;
    m3 += t * ttv;
  }
  store<f64>(out, rr);
  store<f64>(out, m0, 8);
  store<f64>(out, m1, 16);
  store<f64>(out, m2, 24);
  store<f64>(out, m3, 32);
  store<f64>(out, o, 40);
}

/**
 * With v = s[i]·scale (the shifted SEV) and the record r minus o: out = [rs, sq, m0, m1, m2, m3]
 * = Σ(r − o)v, Σv², Σv, Σtv, Σt²v, Σt³v, in four lanes as sevFirstPass.
 */
export function sevSecondPass(r: usize, s: usize, n: i32, o: f64, scale: f64, out: usize): void {
  const step: f64 = n > 1 ? 2 / <f64>(n - 1) : 0;
  const ov = f64x2.splat(o), cv = f64x2.splat(scale), sv = f64x2.splat(step), one = f64x2.splat(1), four = f64x2.splat(4);
  let ia = f64x2(0, 1), ib = f64x2(2, 3);
  let rsA = f64x2.splat(0), sqA = rsA, m0A = rsA, m1A = rsA, m2A = rsA, m3A = rsA;
  let rsB = rsA, sqB = rsA, m0B = rsA, m1B = rsA, m2B = rsA, m3B = rsA;
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const q = v128.load(s + (<usize>i << 2)), p = v128.load(r + (<usize>i << 2));
    const va = f64x2.mul(f64x2.promote_low_f32x4(q), cv);
    const vb = f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(q, q, 2, 3, 0, 1)), cv);
    const ra = f64x2.sub(f64x2.promote_low_f32x4(p), ov);
    const rb = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(p, p, 2, 3, 0, 1)), ov);
    const ta = f64x2.sub(f64x2.mul(ia, sv), one), tb = f64x2.sub(f64x2.mul(ib, sv), one);
    const tva = f64x2.mul(ta, va), tvb = f64x2.mul(tb, vb);
    const ttva = f64x2.mul(ta, tva), ttvb = f64x2.mul(tb, tvb);
    rsA = f64x2.add(rsA, f64x2.mul(ra, va));
    rsB = f64x2.add(rsB, f64x2.mul(rb, vb));
    sqA = f64x2.add(sqA, f64x2.mul(va, va));
    sqB = f64x2.add(sqB, f64x2.mul(vb, vb));
    m0A = f64x2.add(m0A, va);
    m0B = f64x2.add(m0B, vb);
    m1A = f64x2.add(m1A, tva);
    m1B = f64x2.add(m1B, tvb);
    m2A = f64x2.add(m2A, ttva);
    m2B = f64x2.add(m2B, ttvb);
    m3A = f64x2.add(m3A, f64x2.mul(ta, ttva));
    m3B = f64x2.add(m3B, f64x2.mul(tb, ttvb));
    ia = f64x2.add(ia, four);
    ib = f64x2.add(ib, four);
  }
  let rs = total(rsA, rsB), sq = total(sqA, sqB), m0 = total(m0A, m0B), m1 = total(m1A, m1B), m2 = total(m2A, m2B), m3 = total(m3A, m3B);
  for (let i = n4; i < n; i++) {
    const v = <f64>load<f32>(s + (<usize>i << 2)) * scale;
    rs += (<f64>load<f32>(r + (<usize>i << 2)) - o) * v;
    sq += v * v;
    const t = <f64>i * step - 1, tv = t * v, ttv = t * tv;
    m0 += v;
    m1 += tv;
    m2 += ttv;
    m3 += t * ttv;
  }
  store<f64>(out, rs);
  store<f64>(out, sq, 8);
  store<f64>(out, m0, 16);
  store<f64>(out, m1, 24);
  store<f64>(out, m2, 32);
  store<f64>(out, m3, 40);
}

/**
 * sevFit.ts valueAtLag2's pass over the spectrum X (f32, bin k at 2k, 2k+1) for bins [1, last):
 * the phasors of odd k and of even k are its two interleaved recurrences, stepped by (c2r, c2i)
 * from (cr, ci) and (c2r, c2i), here as lanes 0 and 1 of one f64x2 each for re and im; each lane
 * does its recurrence's operations and sums in its order, so the sums are valueAtLag2's to the bit.
 * Into out: [s0, s1, s2, t0, t1, t2] = Σ Re, Σ k·Im, Σ k²·Re over odd k (s) and even k (t).
 */
export function sevLagSums(X: usize, last: i32, cr: f64, ci: f64, c2r: f64, c2i: f64, out: usize): void {
  let pr = f64x2(cr, c2r), pi = f64x2(ci, c2i);
  const wr = f64x2.splat(c2r), wi = f64x2.splat(c2i), two = f64x2.splat(2);
  let kv = f64x2(1, 2);
  let S0 = f64x2.splat(0), S1 = S0, S2 = S0;
  let k = 1;
  for (; k + 1 < last; k += 2) {
    // [re X_k, im X_k, re X_{k+1}, im X_{k+1}] → (re X_k, re X_{k+1}) and (im X_k, im X_{k+1}).
    const q = v128.load(X + (<usize>k << 3));
    const xr = f64x2.promote_low_f32x4(v128.shuffle<f32>(q, q, 0, 2, 1, 3));
    const xi = f64x2.promote_low_f32x4(v128.shuffle<f32>(q, q, 1, 3, 0, 2));
    const re = f64x2.sub(f64x2.mul(xr, pr), f64x2.mul(xi, pi));
    const im = f64x2.add(f64x2.mul(xr, pi), f64x2.mul(xi, pr));
    S0 = f64x2.add(S0, re);
    S1 = f64x2.add(S1, f64x2.mul(kv, im));
    S2 = f64x2.add(S2, f64x2.mul(f64x2.mul(kv, kv), re));
    const t = f64x2.sub(f64x2.mul(pr, wr), f64x2.mul(pi, wi));
    pi = f64x2.add(f64x2.mul(pr, wi), f64x2.mul(pi, wr));
    pr = t;
    kv = f64x2.add(kv, two);
  }
  let s0 = f64x2.extract_lane(S0, 0), s1 = f64x2.extract_lane(S1, 0), s2 = f64x2.extract_lane(S2, 0);
  if (k < last) {
    const ar = f64x2.extract_lane(pr, 0), ai = f64x2.extract_lane(pi, 0);
    const p = X + (<usize>k << 3);
    const xr = <f64>load<f32>(p), xi = <f64>load<f32>(p, 4);
    const re = xr * ar - xi * ai, im = xr * ai + xi * ar;
    const fk = <f64>k;
    s0 += re;
    s1 += fk * im;
    s2 += fk * fk * re;
  }
  store<f64>(out, s0);
  store<f64>(out, s1, 8);
  store<f64>(out, s2, 16);
  store<f64>(out, f64x2.extract_lane(S0, 1), 24);
  store<f64>(out, f64x2.extract_lane(S1, 1), 32);
  store<f64>(out, f64x2.extract_lane(S2, 1), 40);
}

/**
 * sevFit.ts phaseRampPacked's loop: for k in [1, half) the bin S_k (f64, at 2k, 2k+1) times the
 * phasor e^{ikw}, written as f32 at out[2k], out[2k+1]. The phasors of odd and even k are its two
 * interleaved recurrences, stepped by (c2r, c2i) from (cr, ci) and (c2r, c2i), as lanes 0 and 1;
 * each lane does the JavaScript's operations in its order and the f64 → f32 rounding is the
 * store's, so the values are the same to the bit. DC and Nyquist are the caller's.
 */
export function sevPhaseRamp(S: usize, half: i32, cr: f64, ci: f64, c2r: f64, c2i: f64, out: usize): void {
  let pr = f64x2(cr, c2r), pi = f64x2(ci, c2i);
  const wr = f64x2.splat(c2r), wi = f64x2.splat(c2i);
  let k = 1;
  for (; k + 1 < half; k += 2) {
    // [re S_k, im S_k] and [re S_{k+1}, im S_{k+1}] → (re S_k, re S_{k+1}) and (im S_k, im S_{k+1}).
    const a = v128.load(S + (<usize>k << 4)), b = v128.load(S + (<usize>k << 4), 16);
    const sr = v128.shuffle<f64>(a, b, 0, 2), si = v128.shuffle<f64>(a, b, 1, 3);
    const re = f64x2.sub(f64x2.mul(sr, pr), f64x2.mul(si, pi));
    const im = f64x2.add(f64x2.mul(sr, pi), f64x2.mul(si, pr));
    v128.store(out + (<usize>k << 3), v128.shuffle<f32>(f32x4.demote_f64x2_zero(re), f32x4.demote_f64x2_zero(im), 0, 4, 1, 5));
    const t = f64x2.sub(f64x2.mul(pr, wr), f64x2.mul(pi, wi));
    pi = f64x2.add(f64x2.mul(pr, wi), f64x2.mul(pi, wr));
    pr = t;
  }
  if (k < half) {
    const zr = f64x2.extract_lane(pr, 0), zi = f64x2.extract_lane(pi, 0);
    const p = S + (<usize>k << 4);
    const sr = load<f64>(p), si = load<f64>(p, 8);
    store<f32>(out + (<usize>k << 3), <f32>(sr * zr - si * zi));
    store<f32>(out + (<usize>k << 3), <f32>(sr * zi + si * zr), 4);
  }
}
