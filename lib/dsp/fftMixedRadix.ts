// Complex DFT of length m = p₁·p₂·…, float64, by Stockham autosort stages (no bit reversal),
// with butterflies for radix 4, 2, 3, 5 and a direct O(p) one for other primes.
//
// Why hand-written: lib/dsp/fft.ts needs float64 for lengths like 6250 = 2·5⁵ or 10000; fft.js
// only does powers of two and the installed mixed-radix library, @echogarden/kissfft-wasm,
// computes in float32 (≈1e-7). Bluestein (lib/dsp/fft.ts) handles every length in float64 but
// spends 4 power-of-two transforms of ≥ 2m points; these stages were ≈ 4× faster at 6250 (rfft +
// irfft, measured side by side), so fft.ts uses them up to MAX_RADIX.
//
// Stage with radix p after L points are done (L·p·r = m): with x[j + L·k] the L-point DFTs of
// the decimated sequences k < p·r, y[j + L·s + L·p·k] = Σ_q ω_p^{qs}·ω_{Lp}^{qj}·x[j + L·(k + r·q)].

/** Largest prime factor handled by these stages (above it Bluestein is cheaper). */
export const MAX_RADIX = 61;

/** Radices of m, 4s first (as KISS FFT), or null when a prime factor exceeds MAX_RADIX. */
export function radices(m: number): number[] | null {
  const f: number[] = [];
  let n = m;
  while (n % 4 === 0) { f.push(4); n /= 4; }
  for (let p = 2; p * p <= n; p++) while (n % p === 0) { f.push(p); n /= p; }
  if (n > 1) f.push(n);
  return f.every((p) => p <= MAX_RADIX) ? f : null;
}

export interface MixedRadixPlan {
  /** out = DFT(data) (e^{−2πi·jk/m}); `out` and `data` are interleaved re, im and must differ. */
  forward(out: Float64Array, data: Float64Array): void;
  /** out = IDFT(data), scaled by 1/m. */
  inverse(out: Float64Array, data: Float64Array): void;
}

export function mixedRadixPlan(m: number): MixedRadixPlan | null {
  const factors = radices(m);
  if (!factors) return null;
  // e^{−2πi·t/m}, t < m.
  const tw = new Float64Array(2 * m);
  for (let t = 0; t < m; t++) {
    tw[2 * t] = Math.cos((2 * Math.PI * t) / m);
    tw[2 * t + 1] = -Math.sin((2 * Math.PI * t) / m);
  }
  const bufA = new Float64Array(2 * m), bufB = new Float64Array(2 * m), bufC = new Float64Array(2 * m);
  const zr = new Float64Array(MAX_RADIX), zi = new Float64Array(MAX_RADIX);
  const wr = new Float64Array(MAX_RADIX), wi = new Float64Array(MAX_RADIX);
  const C3 = -0.5, S3 = Math.sqrt(3) / 2;
  const C51 = Math.cos((2 * Math.PI) / 5), C52 = Math.cos((4 * Math.PI) / 5);
  const S51 = Math.sin((2 * Math.PI) / 5), S52 = Math.sin((4 * Math.PI) / 5);

  function stage(x: Float64Array, y: Float64Array, L: number, p: number): void {
    const r = m / (L * p), Lp = L * p, step = r; // ω_{Lp}^{qj} = tw[q·j·r]
    for (let j = 0; j < L; j++) {
      for (let q = 1; q < p; q++) {
        const t = q * j * step;
        wr[q] = tw[2 * t];
        wi[q] = tw[2 * t + 1];
      }
      for (let k = 0; k < r; k++) {
        // Gather and twiddle.
        const base = j + L * k, stride = L * r;
        zr[0] = x[2 * base];
        zi[0] = x[2 * base + 1];
        for (let q = 1; q < p; q++) {
          const i = 2 * (base + stride * q);
          const a = x[i], b = x[i + 1];
          if (j === 0) {
            zr[q] = a;
            zi[q] = b;
          } else {
            zr[q] = a * wr[q] - b * wi[q];
            zi[q] = a * wi[q] + b * wr[q];
          }
        }
        const o = j + Lp * k; // y[o + L·s]
        if (p === 4) {
          const ar = zr[0] + zr[2], ai = zi[0] + zi[2], br = zr[0] - zr[2], bi = zi[0] - zi[2];
          const cr = zr[1] + zr[3], ci = zi[1] + zi[3], dr = zr[1] - zr[3], di = zi[1] - zi[3];
          y[2 * o] = ar + cr; y[2 * o + 1] = ai + ci;
          y[2 * (o + L)] = br + di; y[2 * (o + L) + 1] = bi - dr; // b − i·d
          y[2 * (o + 2 * L)] = ar - cr; y[2 * (o + 2 * L) + 1] = ai - ci;
          y[2 * (o + 3 * L)] = br - di; y[2 * (o + 3 * L) + 1] = bi + dr; // b + i·d
        } else if (p === 2) {
          y[2 * o] = zr[0] + zr[1]; y[2 * o + 1] = zi[0] + zi[1];
          y[2 * (o + L)] = zr[0] - zr[1]; y[2 * (o + L) + 1] = zi[0] - zi[1];
        } else if (p === 3) {
          const ar = zr[1] + zr[2], ai = zi[1] + zi[2];
          const br = S3 * (zr[1] - zr[2]), bi = S3 * (zi[1] - zi[2]);
          const cr = zr[0] + C3 * ar, ci = zi[0] + C3 * ai;
          y[2 * o] = zr[0] + ar; y[2 * o + 1] = zi[0] + ai;
          y[2 * (o + L)] = cr + bi; y[2 * (o + L) + 1] = ci - br; // c − i·b
          y[2 * (o + 2 * L)] = cr - bi; y[2 * (o + 2 * L) + 1] = ci + br;
        } else if (p === 5) {
          const a1r = zr[1] + zr[4], a1i = zi[1] + zi[4], b1r = zr[1] - zr[4], b1i = zi[1] - zi[4];
          const a2r = zr[2] + zr[3], a2i = zi[2] + zi[3], b2r = zr[2] - zr[3], b2i = zi[2] - zi[3];
          const c1r = zr[0] + C51 * a1r + C52 * a2r, c1i = zi[0] + C51 * a1i + C52 * a2i;
          const c2r = zr[0] + C52 * a1r + C51 * a2r, c2i = zi[0] + C52 * a1i + C51 * a2i;
          const d1r = S51 * b1r + S52 * b2r, d1i = S51 * b1i + S52 * b2i; // Z1 = c1 − i·d1, Z4 = c1 + i·d1
          const d2r = S52 * b1r - S51 * b2r, d2i = S52 * b1i - S51 * b2i; // Z2 = c2 − i·d2, Z3 = c2 + i·d2
          y[2 * o] = zr[0] + a1r + a2r; y[2 * o + 1] = zi[0] + a1i + a2i;
          y[2 * (o + L)] = c1r + d1i; y[2 * (o + L) + 1] = c1i - d1r;
          y[2 * (o + 4 * L)] = c1r - d1i; y[2 * (o + 4 * L) + 1] = c1i + d1r;
          y[2 * (o + 2 * L)] = c2r + d2i; y[2 * (o + 2 * L) + 1] = c2i - d2r;
          y[2 * (o + 3 * L)] = c2r - d2i; y[2 * (o + 3 * L) + 1] = c2i + d2r;
        } else {
          // Direct DFT of p points: ω_p^{qs} = tw[(q·s mod p)·m/p].
          const mp = m / p;
          for (let s = 0; s < p; s++) {
            let sr = zr[0], si = zi[0];
            for (let q = 1, e = s; q < p; q++, e = (e + s) % p) {
              const t = e * mp, cr = tw[2 * t], ci = tw[2 * t + 1];
              sr += zr[q] * cr - zi[q] * ci;
              si += zr[q] * ci + zi[q] * cr;
            }
            y[2 * (o + L * s)] = sr;
            y[2 * (o + L * s) + 1] = si;
          }
        }
      }
    }
  }

  function run(out: Float64Array, data: Float64Array): void {
    let x: Float64Array = data, L = 1;
    for (let i = 0; i < factors!.length; i++) {
      const last = i === factors!.length - 1;
      const y = last ? out : x === bufA ? bufB : bufA;
      stage(x, y, L, factors![i]);
      L *= factors![i];
      x = y;
    }
    if (factors!.length === 0) for (let i = 0; i < 2 * m; i++) out[i] = data[i];
  }

  return {
    forward: run,
    inverse(out, data) {
      // IDFT(x) = conj(DFT(conj x))/m.
      // bufC: run() ping-pongs between bufA and bufB only.
      for (let i = 0; i < 2 * m; i += 2) {
        bufC[i] = data[i];
        bufC[i + 1] = -data[i + 1];
      }
      run(out, bufC);
      for (let i = 0; i < 2 * m; i += 2) {
        out[i] /= m;
        out[i + 1] = -out[i + 1] / m;
      }
    }
  };
}
