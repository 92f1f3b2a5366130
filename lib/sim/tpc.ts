// Liquid-xenon dual-phase TPC toy simulator: a recoil (electron or nuclear, energy, position)
// becomes S1 photons and S2 electrons with energy-dependent yields, then the summed S1 and S2
// waveforms and the S2 hit pattern on the top PMT array, as in the DARWIN pipeline's
// x = [S1WaveformTotal, S2WaveformTotal, S2Pattern].
//
// Microphysics (simplified NEST-like model, see docs/tpc-simulator.md):
//  - quanta N_q = L·E/W, W = 13.7 eV; L = 1 for ER, Lindhard quenching (k = 0.166) for NR;
//  - excitons/ions α = 0.06 (ER), 1.0 (NR); Thomas–Imel recombination r = 1 − ln(1+ξN_i)/(ξN_i),
//    which makes light and charge yields energy dependent; ER recombination fluctuates more;
//  - S1: binomial detection (g1), singlet/triplet decay (2.2 / 27 ns) with a larger singlet
//    fraction for NR; S2: electron lifetime, extraction, single-electron gain, longitudinal
//    diffusion; top-array light response ∝ (1 + d²/ρ²)^(−3/2).
import {erfc} from "../math/special.js";
import {Rng} from "../math/random.js";

export type RecoilKind = "ER" | "NR";
export const RECOIL_ER = 0;
export const RECOIL_NR = 1;

export interface TpcConfig {
  W_keV: number;
  /** S1 photon detection efficiency (PE per photon). */
  g1: number;
  /** Mean PE per extracted electron, and its relative spread. */
  seGain_PE: number;
  seGainSpread: number;
  extractionEfficiency: number;
  electronLifetime_us: number;
  maxDrift_us: number;
  /** Longitudinal diffusion: σ_t² = σ0² + D·t_drift (µs², µs²/µs). */
  s2Sigma0_us: number;
  diffusion_us2_per_us: number;
  /** Luminescence duration of one electron in the gas gap. */
  s2Width_us: number;
  radius_cm: number;
  pmtGrid: number;
  lrfScale_cm: number;
  s2TopFraction: number;
  s1Samples: number;
  s1Dt_ns: number;
  s2Samples: number;
  s2Dt_us: number;
  singletTau_ns: number;
  tripletTau_ns: number;
  singletFractionER: number;
  singletFractionNR: number;
  /** Thomas–Imel ξ for ER and NR, and the extra Gaussian spread of r for ER / NR. */
  xiER: number;
  xiNR: number;
  recombSpreadER: number;
  recombSpreadNR: number;
  lindhardK: number;
}

export const DEFAULT_TPC: TpcConfig = {
  W_keV: 0.0137,
  g1: 0.15,
  seGain_PE: 25,
  seGainSpread: 0.25,
  extractionEfficiency: 0.9,
  electronLifetime_us: 5000,
  maxDrift_us: 1000,
  s2Sigma0_us: 0.15,
  diffusion_us2_per_us: 0.0005,
  s2Width_us: 0.8,
  radius_cm: 60,
  pmtGrid: 7,
  lrfScale_cm: 12,
  s2TopFraction: 0.7,
  s1Samples: 24,
  s1Dt_ns: 10,
  s2Samples: 32,
  s2Dt_us: 0.2,
  singletTau_ns: 2.2,
  tripletTau_ns: 27,
  singletFractionER: 0.2,
  singletFractionNR: 0.5,
  xiER: 0.005,
  xiNR: 0.008,
  recombSpreadER: 0.06,
  recombSpreadNR: 0.02,
  lindhardK: 0.166
};

export function featureLength(cfg: TpcConfig = DEFAULT_TPC): number {
  return cfg.s1Samples + cfg.s2Samples + cfg.pmtGrid * cfg.pmtGrid;
}

/** Lindhard quenching factor for xenon (Z = 54) at E_keVnr. */
export function lindhard(E_keVnr: number, k = DEFAULT_TPC.lindhardK): number {
  const eps = 11.5 * E_keVnr * Math.pow(54, -7 / 3);
  const g = 3 * Math.pow(eps, 0.15) + 0.7 * Math.pow(eps, 0.6) + eps;
  return (k * g) / (1 + k * g);
}

/** Mean recombination fraction for N_i ions (Thomas–Imel box model). */
export function thomasImel(nIons: number, xi: number): number {
  const x = xi * nIons;
  return x < 1e-9 ? 0 : 1 - Math.log1p(x) / x;
}

/** Mean photons and electrons produced (before detection) for a recoil. */
export function meanQuanta(kind: RecoilKind, E_keV: number, cfg: TpcConfig = DEFAULT_TPC): {photons: number; electrons: number} {
  const L = kind === "ER" ? 1 : lindhard(E_keV, cfg.lindhardK);
  const nq = (L * E_keV) / cfg.W_keV;
  const alpha = kind === "ER" ? 0.06 : 1.0;
  const ni = nq / (1 + alpha);
  const r = thomasImel(ni, kind === "ER" ? cfg.xiER : cfg.xiNR);
  return {photons: nq - ni + r * ni, electrons: (1 - r) * ni};
}

function binomial(rng: Rng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n < 40) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rng.uniform() < p) k++;
    return k;
  }
  const m = n * p, s = Math.sqrt(n * p * (1 - p));
  return Math.min(n, Math.max(0, Math.round(rng.normal(m, s))));
}

export interface TpcEvents {
  n: number;
  cfg: TpcConfig;
  /** RECOIL_ER or RECOIL_NR per event. */
  kind: Uint8Array;
  /** True recoil energy: keVee for ER, keVnr for NR. */
  energy_keV: Float64Array;
  x_cm: Float64Array;
  y_cm: Float64Array;
  drift_us: Float64Array;
  s1_PE: Float64Array;
  s2_PE: Float64Array;
  /** Combined-energy estimate W (cS1/g1 + cS2/g2), keVee (drift-corrected S2). */
  energyRec_keVee: Float64Array;
  s1Waveform: Float32Array;
  s2Waveform: Float32Array;
  s2Pattern: Float32Array;
}

export interface TpcRequest {
  kind: RecoilKind;
  energy_keV: ArrayLike<number>;
}

function allocate(n: number, cfg: TpcConfig): TpcEvents {
  const g2 = cfg.pmtGrid * cfg.pmtGrid;
  return {
    n, cfg, kind: new Uint8Array(n), energy_keV: new Float64Array(n), x_cm: new Float64Array(n), y_cm: new Float64Array(n),
    drift_us: new Float64Array(n), s1_PE: new Float64Array(n), s2_PE: new Float64Array(n), energyRec_keVee: new Float64Array(n),
    s1Waveform: new Float32Array(n * cfg.s1Samples), s2Waveform: new Float32Array(n * cfg.s2Samples), s2Pattern: new Float32Array(n * g2)
  };
}

/** PMT centres of the square top array inscribed in the TPC radius. */
export function pmtPositions(cfg: TpcConfig = DEFAULT_TPC): {x: Float64Array; y: Float64Array} {
  const g = cfg.pmtGrid, pitch = (2 * cfg.radius_cm) / g;
  const x = new Float64Array(g * g), y = new Float64Array(g * g);
  for (let i = 0; i < g; i++) for (let j = 0; j < g; j++) {
    x[i * g + j] = -cfg.radius_cm + (j + 0.5) * pitch;
    y[i * g + j] = -cfg.radius_cm + (i + 0.5) * pitch;
  }
  return {x, y};
}

/** Simulate one event into slot `i` of `out`. */
function simulateOne(out: TpcEvents, i: number, kind: RecoilKind, E_keV: number, rng: Rng, pmts: {x: Float64Array; y: Float64Array}): void {
  const cfg = out.cfg;
  out.kind[i] = kind === "ER" ? RECOIL_ER : RECOIL_NR;
  out.energy_keV[i] = E_keV;
  // Position uniform in the cylinder.
  const rr = cfg.radius_cm * 0.9 * Math.sqrt(rng.uniform()), phi = 2 * Math.PI * rng.uniform();
  const x = rr * Math.cos(phi), y = rr * Math.sin(phi), td = rng.uniformIn(0.05, 1) * cfg.maxDrift_us;
  out.x_cm[i] = x; out.y_cm[i] = y; out.drift_us[i] = td;

  // Quanta with fluctuations.
  const L = kind === "ER" ? 1 : lindhard(E_keV, cfg.lindhardK);
  const nqMean = (L * E_keV) / cfg.W_keV;
  // NR: extra (Lindhard) fluctuation; ER: Fano-like (F ≈ 0.06 is tiny at these energies, use √N).
  const nq = Math.max(0, Math.round(rng.normal(nqMean, Math.sqrt(nqMean * (kind === "ER" ? 0.1 : 1)))));
  const alpha = kind === "ER" ? 0.06 : 1.0;
  const ni = binomial(rng, nq, 1 / (1 + alpha));
  const nex = nq - ni;
  const rMean = thomasImel(ni, kind === "ER" ? cfg.xiER : cfg.xiNR);
  const r = Math.min(1, Math.max(0, rng.normal(rMean, kind === "ER" ? cfg.recombSpreadER : cfg.recombSpreadNR)));
  const nRec = binomial(rng, ni, r);
  const photons = nex + nRec, electrons = ni - nRec;

  // S1: detected photoelectrons, each with an arrival time from the singlet/triplet mixture.
  const nPe = binomial(rng, photons, cfg.g1);
  const s1 = out.s1Waveform.subarray(i * cfg.s1Samples, (i + 1) * cfg.s1Samples);
  const fs = kind === "ER" ? cfg.singletFractionER : cfg.singletFractionNR;
  let s1Area = 0;
  for (let p = 0; p < nPe; p++) {
    const tau = rng.uniform() < fs ? cfg.singletTau_ns : cfg.tripletTau_ns;
    const t = 20 + rng.exponential(tau) + rng.normal(0, 2); // 20 ns pre-trigger, 2 ns transit spread
    const b = Math.floor(t / cfg.s1Dt_ns);
    const a = Math.max(0, rng.normal(1, 0.35)); // PMT gain spread
    s1Area += a;
    if (b >= 0 && b < cfg.s1Samples) s1[b] += a;
  }
  out.s1_PE[i] = s1Area;

  // S2: survival over the drift, extraction, gain.
  const survive = binomial(rng, electrons, Math.exp(-td / cfg.electronLifetime_us));
  const extracted = binomial(rng, survive, cfg.extractionEfficiency);
  const s2Mean = extracted * cfg.seGain_PE;
  const s2Area = Math.max(0, rng.normal(s2Mean, Math.sqrt(extracted) * cfg.seGain_PE * cfg.seGainSpread + 1e-9));
  out.s2_PE[i] = s2Area;
  // Time profile: Gaussian diffusion convolved with the luminescence box, centred in the window.
  const s2 = out.s2Waveform.subarray(i * cfg.s2Samples, (i + 1) * cfg.s2Samples);
  const sigma = Math.sqrt(cfg.s2Sigma0_us ** 2 + cfg.diffusion_us2_per_us * td);
  const centre = (cfg.s2Samples * cfg.s2Dt_us) / 2;
  let shapeSum = 0;
  const shape = new Float64Array(cfg.s2Samples);
  for (let b = 0; b < cfg.s2Samples; b++) {
    const t = (b + 0.5) * cfg.s2Dt_us - centre;
    // Box of width w convolved with a Gaussian: difference of normal CDFs.
    const w = cfg.s2Width_us / 2;
    const v = cdf((t + w) / sigma) - cdf((t - w) / sigma);
    shape[b] = v;
    shapeSum += v;
  }
  for (let b = 0; b < cfg.s2Samples; b++) {
    const m = (s2Area * shape[b]) / shapeSum;
    s2[b] = Math.max(0, m + rng.normal(0, Math.sqrt(m * (1 + cfg.seGainSpread ** 2))));
  }
  // Hit pattern on the top array.
  const g = cfg.pmtGrid * cfg.pmtGrid;
  const pat = out.s2Pattern.subarray(i * g, (i + 1) * g);
  let lrfSum = 0;
  const lrf = new Float64Array(g);
  for (let k = 0; k < g; k++) {
    const d2 = (pmts.x[k] - x) ** 2 + (pmts.y[k] - y) ** 2;
    lrf[k] = Math.pow(1 + d2 / cfg.lrfScale_cm ** 2, -1.5);
    lrfSum += lrf[k];
  }
  const top = s2Area * cfg.s2TopFraction;
  for (let k = 0; k < g; k++) {
    const m = (top * lrf[k]) / lrfSum;
    pat[k] = Math.max(0, m + rng.normal(0, Math.sqrt(m * (1 + cfg.seGainSpread ** 2))));
  }
  // Classical combined-energy reconstruction (drift-corrected S2).
  const g2 = cfg.seGain_PE * cfg.extractionEfficiency;
  const cs2 = s2Area * Math.exp(td / cfg.electronLifetime_us);
  out.energyRec_keVee[i] = cfg.W_keV * (s1Area / cfg.g1 + cs2 / g2);
}

function cdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Simulate events for each request, in order. Event k of the whole call uses its own
 * generator Rng(seed, k), so results do not depend on how requests are batched.
 */
export function simulateTpc(requests: TpcRequest[], seed: number, cfg: TpcConfig = DEFAULT_TPC, firstIndex = 0): TpcEvents {
  const n = requests.reduce((s, r) => s + r.energy_keV.length, 0);
  const out = allocate(n, cfg);
  const pmts = pmtPositions(cfg);
  let i = 0;
  for (const req of requests) {
    for (let j = 0; j < req.energy_keV.length; j++, i++) {
      const E = req.energy_keV[j];
      if (!(E > 0)) throw new RangeError(`simulateTpc: energy must be > 0 keV, got ${E}`);
      simulateOne(out, i, req.kind, E, new Rng(seed, 0x7c, firstIndex + i), pmts);
    }
  }
  return out;
}

/** Draw n energies uniformly in [lo, hi] keV. */
export function uniformEnergies(n: number, lo: number, hi: number, rng: Rng): Float64Array {
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = rng.uniformIn(lo, hi);
  return e;
}

/** Draw n energies from a differential spectrum tabulated on an increasing grid (inverse CDF,
 *  linear interpolation of the trapezoid cumulative). */
export function sampleSpectrum(n: number, E_keV: ArrayLike<number>, rate: ArrayLike<number>, rng: Rng): Float64Array {
  const m = E_keV.length;
  const cum = new Float64Array(m);
  for (let k = 1; k < m; k++) cum[k] = cum[k - 1] + 0.5 * (rate[k] + rate[k - 1]) * (E_keV[k] - E_keV[k - 1]);
  const total = cum[m - 1];
  if (!(total > 0)) throw new RangeError("sampleSpectrum: spectrum integrates to zero on the grid");
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform() * total;
    let lo = 0, hi = m - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < u) lo = mid; else hi = mid;
    }
    const f = (u - cum[lo]) / (cum[hi] - cum[lo] || 1);
    out[i] = E_keV[lo] + f * (E_keV[hi] - E_keV[lo]);
  }
  return out;
}

/**
 * ML input x = [S1 waveform, S2 waveform, S2 pattern] per event, as log1p(PE) so that the
 * S2/S1 ratio (the ER/NR discriminant) becomes a difference of inputs. Row-major n × d.
 */
export function tpcFeatures(ev: TpcEvents): Float32Array {
  const {s1Samples: a, s2Samples: b} = ev.cfg;
  const g = ev.cfg.pmtGrid * ev.cfg.pmtGrid;
  const d = a + b + g;
  const x = new Float32Array(ev.n * d);
  for (let i = 0; i < ev.n; i++) {
    const o = i * d;
    for (let k = 0; k < a; k++) x[o + k] = Math.log1p(ev.s1Waveform[i * a + k]);
    for (let k = 0; k < b; k++) x[o + a + k] = Math.log1p(ev.s2Waveform[i * b + k]);
    for (let k = 0; k < g; k++) x[o + a + b + k] = Math.log1p(ev.s2Pattern[i * g + k]);
  }
  return x;
}
