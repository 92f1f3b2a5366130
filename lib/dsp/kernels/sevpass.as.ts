// AssemblyScript source of the SEV fit's two passes over the samples (lib/dsp/sevFit.ts
// fitRecord, fast path): built by `node scripts/build-wasm.mjs` into sevpassWasm.ts (committed;
// test/featureKernel.test.ts rebuilds and compares).
//
// The same float64 operations as fitRecord's loops, and every sum in the same order, so the fit
// is bit-identical (test/sevFitKernel.test.ts): the gain is wasm's loop (no bounds checks, no
// element-kind dispatch), not a reordering. The five sums are independent chains of one add each
// per sample, so the pass runs at the add's latency.
//
// Memory (laid out by the caller, lib/dsp/sevFitKernel.ts): the record r as f32, a float32 buffer
// x of n samples, out as f64 (8 slots).

/**
 * o = the mean of r[0, max(1, ⌊n/8⌋)) (summed in order); x[i] = f32(r[i] − o); and, with
 * t = i·step − 1, step = 2/(n−1): out = [rr, m0, m1, m2, m3, o] = Σv², Σv, Σtv, Σt²v, Σt³v of v = r[i] − o.
 */
export function sevFirstPass(r: usize, x: usize, n: i32, out: usize): void {
  const nb = n >> 3 > 1 ? n >> 3 : 1;
  let o: f64 = 0;
  for (let i = 0; i < nb; i++) o += <f64>load<f32>(r + (<usize>i << 2));
  o /= <f64>nb;
  const step: f64 = n > 1 ? 2 / <f64>(n - 1) : 0;
  let rr: f64 = 0, m0: f64 = 0, m1: f64 = 0, m2: f64 = 0, m3: f64 = 0;
  for (let i = 0; i < n; i++) {
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
 * = Σ(r − o)v, Σv², Σv, Σtv, Σt²v, Σt³v.
 */
export function sevSecondPass(r: usize, s: usize, n: i32, o: f64, scale: f64, out: usize): void {
  const step: f64 = n > 1 ? 2 / <f64>(n - 1) : 0;
  let rs: f64 = 0, sq: f64 = 0, m0: f64 = 0, m1: f64 = 0, m2: f64 = 0, m3: f64 = 0;
  for (let i = 0; i < n; i++) {
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
