// Nuclear-recoil physics for direct detection: spin-independent WIMP–nucleus rate in the
// standard halo model (SHM) with the Helm form factor, coherent elastic neutrino–nucleus
// scattering (CEvNS), and a flat electron-recoil background. All rates are differential in
// recoil energy, per unit target mass: events / (keV kg day).
//
// Sources (see docs/recoil-physics.md): Lewin & Smith, Astropart. Phys. 6 (1996) 87 (Helm
// parameters, rate normalisation); Savage, Freese & Gondolo, PRD 74 (2006) 043531 and
// McCabe, PRD 82 (2010) 023530 (closed form of the truncated-Maxwellian mean inverse speed);
// Baxter et al., EPJC 81 (2021) 907 (recommended SHM parameters); Freedman, PRD 9 (1974) 1389
// (CEvNS cross-section). Closed forms are written out here because no maintained npm package
// implements them.

import {erf, erfc} from "../math/special.js";

/** Physical constants (CODATA 2018 / PDG). */
export const AMU_GeV = 0.93149410242;
export const PROTON_MASS_GeV = 0.93827208816;
export const HBARC_keV_fm = 197326.9804;
export const GEV_PER_C2_IN_KG = 1.78266192e-27;
export const KEV_IN_J = 1.602176634e-16;
export const SECONDS_PER_DAY = 86400;
/** Fermi constant G_F/(ħc)^3 in GeV^-2, and (ħc)^2 in GeV^2 cm^2. */
export const FERMI_GeV2 = 1.1663787e-5;
export const HBARC2_GeV2_cm2 = 0.3893793721e-27;
export const SIN2_THETA_W = 0.23857; // low-energy value (PDG)

export interface Element {
  symbol: string;
  Z: number;
  /** Mass number used for the form factor and coherence (A² enhancement). */
  A: number;
  /** Mean atomic mass in atomic mass units (nucleus mass = massAmu · u). */
  massAmu: number;
}

export interface Target {
  name: string;
  /** Elements with their mass fraction in the target (fractions sum to 1). */
  elements: {element: Element; massFraction: number}[];
}

export const XENON: Element = {symbol: "Xe", Z: 54, A: 131.293, massAmu: 131.293};
export const CALCIUM: Element = {symbol: "Ca", Z: 20, A: 40.078, massAmu: 40.078};
export const TUNGSTEN: Element = {symbol: "W", Z: 74, A: 183.84, massAmu: 183.84};
export const OXYGEN: Element = {symbol: "O", Z: 8, A: 15.999, massAmu: 15.999};

/** Build a compound target from a stoichiometric formula (element, atoms per formula unit). */
export function compound(name: string, parts: [Element, number][]): Target {
  if (parts.length === 0) throw new RangeError(`compound ${name}: no elements`);
  const total = parts.reduce((s, [e, n]) => s + e.massAmu * n, 0);
  return {name, elements: parts.map(([element, n]) => ({element, massFraction: (element.massAmu * n) / total}))};
}

export const LXE: Target = {name: "Xe", elements: [{element: XENON, massFraction: 1}]};
export const CAWO4: Target = compound("CaWO4", [[CALCIUM, 1], [TUNGSTEN, 1], [OXYGEN, 4]]);

/** Standard halo model parameters (speeds in km/s, density in GeV/cm³). */
export interface Halo {
  rho_GeV_cm3: number;
  v0_km_s: number;
  vEsc_km_s: number;
  vEarth_km_s: number;
}

/** Baxter et al. 2021 recommended SHM: ρ = 0.3, v0 = 238, v_esc = 544, ⟨v_E⟩ = 254 km/s. */
export const SHM_2021: Halo = {rho_GeV_cm3: 0.3, v0_km_s: 238, vEsc_km_s: 544, vEarth_km_s: 253.7};
/** The older convention (Lewin & Smith / XENON1T): v0 = 220, v_E = 232 km/s. */
export const SHM_220: Halo = {rho_GeV_cm3: 0.3, v0_km_s: 220, vEsc_km_s: 544, vEarth_km_s: 232};

export function nucleusMass_GeV(el: Element): number {
  return el.massAmu * AMU_GeV;
}

export function reducedMass(a: number, b: number): number {
  return (a * b) / (a + b);
}

/** Helm form factor squared F²(E) with the Lewin–Smith parameters
 *  (c = 1.23 A^{1/3} − 0.60 fm, a = 0.52 fm, s = 0.9 fm). */
export function helmFormFactorSq(E_keV: number, el: Element): number {
  if (E_keV <= 0) return 1;
  const c = 1.23 * Math.cbrt(el.A) - 0.6;
  const a = 0.52;
  const s = 0.9;
  const rn = Math.sqrt(c * c + (7 / 3) * Math.PI * Math.PI * a * a - 5 * s * s);
  const q_fm = Math.sqrt(2 * nucleusMass_GeV(el) * 1e6 * E_keV) / HBARC_keV_fm;
  const x = q_fm * rn;
  // 3 j1(x)/x, with the series near 0 to avoid cancellation.
  const f = x < 1e-3 ? 1 - (x * x) / 10 : (3 * (Math.sin(x) - x * Math.cos(x))) / (x * x * x);
  return f * f * Math.exp(-(q_fm * s) * (q_fm * s));
}

/** Minimum WIMP speed (km/s) to give a recoil of E_keV on a nucleus of mass mN_GeV. */
export function vMin_km_s(E_keV: number, mChi_GeV: number, mN_GeV: number): number {
  const mu = reducedMass(mChi_GeV, mN_GeV);
  return Math.sqrt((mN_GeV * E_keV * 1e-6) / (2 * mu * mu)) * 299792.458;
}

/** Mean inverse speed η(v_min) = ∫_{v>v_min} f(v)/v d³v of the truncated Maxwellian seen from
 *  Earth, in s/km (closed form, Savage et al. 2006 eq. B3 / McCabe 2010). */
export function meanInverseSpeed_s_km(vMin: number, halo: Halo): number {
  const {v0_km_s: v0, vEsc_km_s: vEsc, vEarth_km_s: vE} = halo;
  const x = vMin / v0, y = vE / v0, z = vEsc / v0;
  const nEsc = erf(z) - (2 / Math.sqrt(Math.PI)) * z * Math.exp(-z * z);
  if (x >= y + z) return 0;
  if (x < Math.abs(y - z)) {
    if (z < y) return 1 / (v0 * y);
    return (erfc(x - y) - erfc(x + y) - (4 / Math.sqrt(Math.PI)) * y * Math.exp(-z * z)) / (2 * nEsc * v0 * y);
  }
  return (erfc(x - y) - erfc(z) - (2 / Math.sqrt(Math.PI)) * (y + z - x) * Math.exp(-z * z)) / (2 * nEsc * v0 * y);
}

export interface WimpModel {
  mass_GeV: number;
  /** Spin-independent WIMP–nucleon cross-section. */
  sigma_cm2: number;
  halo?: Halo;
  /** Nucleon mass in μ_p; the proton mass by default (Lewin & Smith). */
  nucleonMass_GeV?: number;
}

// n σ A² η / (2 μ²) with n in cm^-3, σ in cm², η in s/km and μ in GeV/c²: in SI units
// (m^-3 · m² · s/m / kg²) it is a rate per joule per second per kg of target; convert to
// per keV and per day.
function rateUnits(): number {
  const n_m3 = 1e6, sigma_m2 = 1e-4, eta_s_m = 1e-3;
  return ((n_m3 * sigma_m2 * eta_s_m) / (GEV_PER_C2_IN_KG * GEV_PER_C2_IN_KG)) * KEV_IN_J * SECONDS_PER_DAY;
}
const RATE_UNITS = rateUnits();

/** Spin-independent WIMP differential rate on one element, events/(keV kg of that element · day). */
export function wimpRateElement(E_keV: number, el: Element, wimp: WimpModel): number {
  const halo = wimp.halo ?? SHM_2021;
  const mN = nucleusMass_GeV(el);
  const muP = reducedMass(wimp.mass_GeV, wimp.nucleonMass_GeV ?? PROTON_MASS_GeV);
  const eta = meanInverseSpeed_s_km(vMin_km_s(E_keV, wimp.mass_GeV, mN), halo);
  if (eta <= 0) return 0;
  const n = halo.rho_GeV_cm3 / wimp.mass_GeV;
  // dR/dE per kg = n σ_p A² F² η / (2 μ_p²) (the μ_N² of σ_N cancels the kinematics).
  return ((n * wimp.sigma_cm2 * el.A * el.A * helmFormFactorSq(E_keV, el) * eta) / (2 * muP * muP)) * RATE_UNITS;
}

/** Per-element contributions and total rate on a (compound) target, events/(keV kg day). */
export function wimpRate(E_keV: number, target: Target, wimp: WimpModel): {total: number; byElement: {[symbol: string]: number}} {
  const byElement: {[symbol: string]: number} = {};
  let total = 0;
  for (const {element, massFraction} of target.elements) {
    const r = massFraction * wimpRateElement(E_keV, element, wimp);
    byElement[element.symbol] = r;
    total += r;
  }
  return {total, byElement};
}

/** dR/dE on a grid of energies (Float64Array), total over elements. */
export function wimpSpectrum(E_keV: ArrayLike<number>, target: Target, wimp: WimpModel): Float64Array {
  const out = new Float64Array(E_keV.length);
  for (let i = 0; i < out.length; i++) out[i] = wimpRate(E_keV[i], target, wimp).total;
  return out;
}

/** Integral of a rate function over [lo, hi] keV by composite Simpson (n even intervals). */
export function integrateRate(f: (E: number) => number, lo_keV: number, hi_keV: number, n = 400): number {
  if (!(hi_keV > lo_keV)) throw new RangeError(`integrateRate: need hi > lo, got [${lo_keV}, ${hi_keV}]`);
  if (n % 2) n++;
  const h = (hi_keV - lo_keV) / n;
  let s = f(lo_keV) + f(hi_keV);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(lo_keV + i * h);
  return (s * h) / 3;
}

// ---------------------------------------------------------------------------------------------
// CEvNS

/** Weak nuclear charge Q_W = N − (1 − 4 sin²θ_W) Z. */
export function weakCharge(el: Element): number {
  return el.A - el.Z - (1 - 4 * SIN2_THETA_W) * el.Z;
}

/** Maximum recoil energy (keV) from a neutrino of energy Enu_MeV. */
export function cevnsMaxRecoil_keV(Enu_MeV: number, el: Element): number {
  const mN_MeV = nucleusMass_GeV(el) * 1e3;
  return ((2 * Enu_MeV * Enu_MeV) / (mN_MeV + 2 * Enu_MeV)) * 1e3;
}

/** CEvNS dσ/dE_R in cm²/keV (Freedman 1974): G_F² m_N Q_W²/(4π) (1 − m_N E_R/(2E_ν²)) F². */
export function cevnsDiffCrossSection_cm2_keV(E_keV: number, Enu_MeV: number, el: Element, formFactor = true): number {
  const mN = nucleusMass_GeV(el);
  const E_GeV = E_keV * 1e-6, Enu_GeV = Enu_MeV * 1e-3;
  const kin = 1 - (mN * E_GeV) / (2 * Enu_GeV * Enu_GeV);
  if (kin <= 0) return 0;
  const qw = weakCharge(el);
  const ff = formFactor ? helmFormFactorSq(E_keV, el) : 1;
  // GeV^-3 · GeV^2 cm^2 → cm^2/GeV, then per keV.
  return ((FERMI_GeV2 * FERMI_GeV2 * mN * qw * qw) / (4 * Math.PI)) * kin * ff * HBARC2_GeV2_cm2 * 1e-6;
}

/** A neutrino flux component: a line (energy, flux) or a tabulated spectrum. */
export type NeutrinoFlux =
  | {name: string; kind: "line"; energy_MeV: number; flux_cm2_s: number}
  | {name: string; kind: "spectrum"; energy_MeV: Float64Array; flux_cm2_s_MeV: Float64Array};

/** Monoenergetic solar lines, fluxes from Baxter et al. 2021 (Table 3, high-Z SSM). */
export const SOLAR_LINES: NeutrinoFlux[] = [
  {name: "7Be 862 keV", kind: "line", energy_MeV: 0.8613, flux_cm2_s: 4.93e9 * 0.896},
  {name: "7Be 384 keV", kind: "line", energy_MeV: 0.3843, flux_cm2_s: 4.93e9 * 0.104},
  {name: "pep", kind: "line", energy_MeV: 1.44, flux_cm2_s: 1.44e8}
];

/** CEvNS differential rate on one element, events/(keV kg day). */
export function cevnsRateElement(E_keV: number, el: Element, flux: NeutrinoFlux): number {
  const nuclei_per_kg = 1 / (nucleusMass_GeV(el) * GEV_PER_C2_IN_KG);
  let rate_per_s: number;
  if (flux.kind === "line") {
    rate_per_s = flux.flux_cm2_s * cevnsDiffCrossSection_cm2_keV(E_keV, flux.energy_MeV, el);
  } else {
    // Trapezoid over the tabulated spectrum (only energies above the kinematic threshold add).
    const e = flux.energy_MeV, phi = flux.flux_cm2_s_MeV;
    rate_per_s = 0;
    for (let i = 1; i < e.length; i++) {
      const a = phi[i - 1] * cevnsDiffCrossSection_cm2_keV(E_keV, e[i - 1], el);
      const b = phi[i] * cevnsDiffCrossSection_cm2_keV(E_keV, e[i], el);
      rate_per_s += 0.5 * (a + b) * (e[i] - e[i - 1]);
    }
  }
  return rate_per_s * nuclei_per_kg * SECONDS_PER_DAY;
}

/** CEvNS rate summed over elements and flux components, events/(keV kg day). */
export function cevnsRate(E_keV: number, target: Target, fluxes: NeutrinoFlux[]): number {
  let total = 0;
  for (const {element, massFraction} of target.elements) {
    for (const f of fluxes) total += massFraction * cevnsRateElement(E_keV, element, f);
  }
  return total;
}

/** Flat electron-recoil background: events/(keV kg day), constant in [lo, hi] keVee, 0 outside. */
export function flatErRate(E_keVee: number, rate_per_keV_kg_day: number, lo_keVee: number, hi_keVee: number): number {
  return E_keVee >= lo_keVee && E_keVee <= hi_keVee ? rate_per_keV_kg_day : 0;
}

/** 1 tonne·year in kg·day. */
export const TONNE_YEAR_KG_DAY = 1000 * 365.25;
