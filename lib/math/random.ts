// Seeded, deterministic random numbers: xoshiro128** (fast, 32-bit, passes BigCrush) seeded
// through splitmix32 hashing. `eventStream` derives an independent generator per
// (seed, group, event index), so what an event looks like never depends on chunking. The one
// PRNG of lib/: the simulator, training, pseudo-experiments and UMAP all draw from it.
import {logFactorial} from "./special.js";

/** splitmix32 finaliser: a bijective 32-bit hash with good avalanche. */
export function mix32(x: number): number {
  let t = (x + 0x9e3779b9) | 0;
  t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
  t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

/** 32-bit hash of a string (FNV-1a, then mixed). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

const TWO_POW_M32 = 2 ** -32;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = NaN;

  /** Seed with any number of integers (each hashed in, up to 2^53). */
  constructor(...keys: number[]) {
    let h = 0x2545f491;
    for (const k of keys) {
      const lo = k >>> 0;
      const hi = Math.floor(k / 4294967296) >>> 0;
      h = mix32(h ^ lo);
      h = mix32(h ^ hi);
    }
    this.s0 = mix32(h);
    this.s1 = mix32(h + 0x6a09e667);
    this.s2 = mix32(h + 0xbb67ae85);
    this.s3 = mix32(h + 0x3c6ef372);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform in the open interval (0, 1) (32-bit resolution, never 0, so log() is safe). */
  uniform(): number {
    return (this.nextUint32() + 0.5) * TWO_POW_M32;
  }

  /** Fill out[0..n) with the next n values of uniform(), identically, but with the generator
   *  state kept in locals: several times faster in hot loops (pseudo-experiments). */
  fillUniform(out: Float64Array, n = out.length): Float64Array {
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    for (let i = 0; i < n; i++) {
      const r = Math.imul(s1, 5);
      const result = Math.imul((r << 7) | (r >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = ((result >>> 0) + 0.5) * TWO_POW_M32;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    return out;
  }

  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Gaussian (Marsaglia polar method: no trigonometry, the pair's second value is kept). */
  normal(mean = 0, sd = 1): number {
    if (this.spare === this.spare) {
      const v = this.spare;
      this.spare = NaN;
      return mean + sd * v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return mean + sd * u * f;
  }

  exponential(mean = 1): number {
    return -mean * Math.log(this.uniform());
  }

  /** Poisson deviate: Knuth's product method below 30, Hörmann's PTRS above. */
  poisson(lambda: number): number {
    if (!(lambda >= 0)) throw new RangeError(`poisson: lambda must be ≥ 0, got ${lambda}`);
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const U = this.uniform() - 0.5;
      const V = this.uniform();
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
    }
  }

  /** Index drawn with probability proportional to `weights`. */
  pick(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }
}


/** An independent stream for event `eventIndex` of `group` under `seed`. */
export function eventStream(seed: number, group: string | number, eventIndex: number): Rng {
  const g = typeof group === "string" ? hashString(group) : group;
  return new Rng(seed, g, eventIndex);
}
