// AssemblyScript source of the OF amplitude's record work around the two transforms (WebAssembly
// with 128-bit SIMD): the record's preparation (minus its baseline mean, times the window) and the
// search for the filtered record's first maximum. Built by `node scripts/build-wasm.mjs` into
// ofpeakWasm.ts (committed; test/featureKernel.test.ts rebuilds and compares).
//
// V8 runs lib/dsp/optimumFilter.ts `prepareRecord` at ≈ 1.5 ns and ofBatch.ts's max search at
// ≈ 1 ns per sample (issue 17: 40 of the 102 µs of an OF amplitude). Both are bit-identical here:
// the preparation does the same float64 operations per sample (promote, subtract, multiply, round
// to float32 — elementwise, so SIMD changes no result) after the same sequential baseline sum, and
// a first maximum does not depend on the order the samples are compared in.
//
// Memory (laid out by the caller, lib/dsp/ofPeakKernel.ts): records and filtered records as f32,
// windows as f64, each 16-byte aligned.

/**
 * x[i] = f32((f64(r[i]) − off) · w[i]) for i in [0, n), off = the mean of r[0, m) (float64,
 * summed in order, as prepareRecord). r and x may be the same address.
 */
export function ofPrepare(r: usize, w: usize, x: usize, n: i32, m: i32): void {
  let off: f64 = 0;
  for (let i = 0; i < m; i++) off += <f64>load<f32>(r + (<usize>i << 2));
  off /= <f64>m;
  const o = f64x2.splat(off);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const v = v128.load(r + (<usize>i << 2));
    const wi = w + (<usize>i << 3);
    const lo = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), o), v128.load(wi));
    const hi = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), o), v128.load(wi + 16));
    v128.store(x + (<usize>i << 2), v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (let i = n4; i < n; i++) {
    store<f32>(x + (<usize>i << 2), <f32>((<f64>load<f32>(r + (<usize>i << 2)) - off) * load<f64>(w + (<usize>i << 3))));
  }
}

@inline function max4(top: f32, a: f32, b: f32, c: f32, d: f32): f32 {
  if (a > top) top = a;
  if (b > top) top = b;
  if (c > top) top = c;
  if (d > top) top = d;
  return top;
}

/**
 * Index of the first maximum of y[0, n) (n ≥ 1) as a scan `if (y[i] > top)` from top = y[0]
 * finds it: NaN is never greater (a NaN y[0] stays the maximum, at 0).
 * Pass 1: the maximum, four f32x4 accumulators by pmax (`acc < v ? v : acc`, the scan's test);
 * pass 2: the first sample equal to it.
 */
export function ofArgmax(y: usize, n: i32): i32 {
  let top = load<f32>(y);
  if (isNaN(top)) return 0;
  let a0 = f32x4.splat(top), a1 = a0, a2 = a0, a3 = a0;
  const n16 = n & ~15;
  let i = 0;
  for (; i < n16; i += 16) {
    const p = y + (<usize>i << 2);
    a0 = f32x4.pmax(a0, v128.load(p));
    a1 = f32x4.pmax(a1, v128.load(p, 16));
    a2 = f32x4.pmax(a2, v128.load(p, 32));
    a3 = f32x4.pmax(a3, v128.load(p, 48));
  }
  const a = f32x4.pmax(f32x4.pmax(a0, a1), f32x4.pmax(a2, a3));
  top = max4(top, f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1), f32x4.extract_lane(a, 2), f32x4.extract_lane(a, 3));
  for (; i < n; i++) {
    const v = load<f32>(y + (<usize>i << 2));
    if (v > top) top = v;
  }
  const t = f32x4.splat(top);
  const n4 = n & ~3;
  for (i = 0; i < n4; i += 4) if (v128.any_true(f32x4.eq(v128.load(y + (<usize>i << 2)), t))) break;
  for (; i < n; i++) if (load<f32>(y + (<usize>i << 2)) == top) return i;
  return 0;
}

/**
 * sum[k] += X_k² (k = 0…h) for a packed real spectrum X of 2h float32 values (PFFFT's order:
 * X_0, X_h, then re, im of X_1 … X_{h−1}): the NPS's running sum of periodograms (lib/dsp/nps.ts).
 * Bit-identical to its JavaScript loop: each product of two float32 is exact in float64, the two
 * are added and the sum accumulated in float64 as there, bin by bin (bins are independent, so
 * SIMD changes no result). V8 took ≈ 4.7 ns per bin.
 */
export function powerAdd(X: usize, sum: usize, h: i32): void {
  const x0 = <f64>load<f32>(X), xh = <f64>load<f32>(X, 4);
  store<f64>(sum, load<f64>(sum) + x0 * x0);
  store<f64>(sum + (<usize>h << 3), load<f64>(sum + (<usize>h << 3)) + xh * xh);
  let k = 1;
  // Four bins per step: re and im of bins k…k+3 deinterleaved, promoted in pairs.
  for (; k + 4 <= h; k += 4) {
    const p = X + (<usize>k << 3);
    const a = v128.load(p), b = v128.load(p, 16);
    const re = v128.shuffle<f32>(a, b, 0, 2, 4, 6), im = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
    const rl = f64x2.promote_low_f32x4(re), il = f64x2.promote_low_f32x4(im);
    const rh = f64x2.promote_low_f32x4(v128.shuffle<f32>(re, re, 2, 3, 0, 1)), ih = f64x2.promote_low_f32x4(v128.shuffle<f32>(im, im, 2, 3, 0, 1));
    const s = sum + (<usize>k << 3);
    v128.store(s, f64x2.add(v128.load(s), f64x2.add(f64x2.mul(rl, rl), f64x2.mul(il, il))));
    v128.store(s, f64x2.add(v128.load(s, 16), f64x2.add(f64x2.mul(rh, rh), f64x2.mul(ih, ih))), 16);
  }
  for (; k < h; k++) {
    const re = <f64>load<f32>(X + (<usize>k << 3)), im = <f64>load<f32>(X + (<usize>k << 3), 4);
    const s = sum + (<usize>k << 3);
    store<f64>(s, load<f64>(s) + (re * re + im * im));
  }
}
