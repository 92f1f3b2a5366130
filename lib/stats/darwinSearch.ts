// The DARWIN anomaly-aware search assembled from scored template events and recoil physics:
// expected ER, NR-background and WIMP counts for an exposure, the species for the
// pseudo-experiments (TS = −ELBO + R·H_B), and the sensitivity-versus-exposure scan.
// Used by the report page, the `pulsebook anomaly-search` command and the bench.
import {medianSensitivity, prepareSearch, type PreparedSearch, type SensitivityPoint, type Species} from "./anomalySearch.js";
import {LXE, SHM_2021, TONNE_YEAR_KG_DAY, wimpRate, type Halo} from "../sim/recoil.js";

/** Scored events of one recoil class, simulated uniformly in true energy over [lo, hi]. */
export interface ScoredTemplate {
  energyRange_keV: [number, number];
  energy_keV: ArrayLike<number>;
  energyRec_keVee: ArrayLike<number>;
  /** −ELBO of the ER-trained VAE. */
  negElbo: ArrayLike<number>;
  /** H_B = −ln(1 − p_NR) of the classifier. */
  hB: ArrayLike<number>;
}

export interface AnomalyTemplates {
  er: ScoredTemplate;
  nr: ScoredTemplate;
}

export interface SearchParams {
  R: number;
  wimpMass_GeV: number;
  sigma_cm2: number;
  exposure_tonne_yr: number;
  /** Flat ER background in the 2–10 keVee window, events/(t·yr·keVee). */
  erRate_per_tonne_yr_keV?: number;
  erWindow_keVee?: [number, number];
  /** NR background (CEvNS + neutrons) in its window, events/(t·yr), flat in keVnr. */
  nrBackground_per_tonne_yr?: number;
  nrWindow_keVnr?: [number, number];
  /** WIMP recoils counted in this window (keVnr). */
  wimpWindow_keVnr?: [number, number];
  /** Classical analysis: ER rejection and NR acceptance of the S2/S1 band cut. */
  erRejection?: number;
  nrAcceptance?: number;
  halo?: Halo;
}

export const DEFAULT_SEARCH = {
  // pp-neutrino ν–e scattering in xenon: 5900 events in 2–30 keV for 14 t × 5 yr
  // (Baudis et al., JCAP 01 (2014) 044) → 3.0 /(t·yr·keV); see docs/anomaly-search.md.
  erRate_per_tonne_yr_keV: 3.0,
  erWindow_keVee: [2, 10] as [number, number],
  // Assumption (order of DARWIN projections for atmospheric/DSNB CEvNS + radiogenic neutrons).
  nrBackground_per_tonne_yr: 0.02,
  nrWindow_keVnr: [5, 35] as [number, number],
  wimpWindow_keVnr: [5, 35] as [number, number],
  erRejection: 0.9998,
  nrAcceptance: 0.3,
  energyEdges_keVee: [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12]
};

export interface SearchModel {
  background: Species[];
  signal: Species;
  expected: {er: number; nr: number; wimp: number};
}

function score(t: ScoredTemplate, R: number): Float64Array {
  const out = new Float64Array(t.negElbo.length);
  for (let i = 0; i < out.length; i++) out[i] = t.negElbo[i] + R * t.hB[i];
  return out;
}

/** WIMP events per t·yr in the window (xenon), by Simpson integration of dR/dE. */
export function wimpEventsPerTonneYear(mass_GeV: number, sigma_cm2: number, window: [number, number], halo: Halo = SHM_2021): number {
  const [lo, hi] = window, n = 200, h = (hi - lo) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
    s += w * wimpRate(lo + i * h, LXE, {mass_GeV, sigma_cm2, halo}).total;
  }
  return ((s * h) / 3) * TONNE_YEAR_KG_DAY;
}

/** Build the species (ER, NR background, WIMP) for one parameter point. */
export function buildSearch(t: AnomalyTemplates, p: SearchParams): SearchModel {
  const q = {...DEFAULT_SEARCH, halo: SHM_2021, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))} as unknown as Required<SearchParams>;
  if (!(q.exposure_tonne_yr > 0)) throw new RangeError(`exposure must be > 0 t·yr, got ${q.exposure_tonne_yr}`);
  const [erLo, erHi] = q.erWindow_keVee, [nrLo, nrHi] = q.nrWindow_keVnr, [wLo, wHi] = q.wimpWindow_keVnr;
  const inRange = (r: [number, number], lo: number, hi: number, what: string) => {
    if (lo < r[0] - 1e-9 || hi > r[1] + 1e-9) throw new RangeError(`${what} window [${lo}, ${hi}] keV is outside the simulated template range [${r[0]}, ${r[1]}]`);
  };
  inRange(t.er.energyRange_keV, erLo, erHi, "ER");
  inRange(t.nr.energyRange_keV, nrLo, nrHi, "NR background");
  inRange(t.nr.energyRange_keV, wLo, wHi, "WIMP");
  const erExp = q.erRate_per_tonne_yr_keV * (erHi - erLo) * q.exposure_tonne_yr;
  const nrExp = q.nrBackground_per_tonne_yr * q.exposure_tonne_yr;
  const wimpExp = wimpEventsPerTonneYear(q.wimpMass_GeV, q.sigma_cm2, [wLo, wHi], q.halo ?? SHM_2021) * q.exposure_tonne_yr;
  // Templates are uniform in true energy: a spectrum is imposed by weights ∝ dR/dE.
  const erW = Float64Array.from(t.er.energy_keV, (e) => (e >= erLo && e <= erHi ? 1 : 0));
  const nrW = Float64Array.from(t.nr.energy_keV, (e) => (e >= nrLo && e <= nrHi ? 1 : 0));
  const wW = Float64Array.from(t.nr.energy_keV, (e) => (e >= wLo && e <= wHi ? wimpRate(e, LXE, {mass_GeV: q.wimpMass_GeV, sigma_cm2: q.sigma_cm2, halo: q.halo ?? SHM_2021}).total : 0));
  // A WIMP too light to give any recoil in the window: no signal (and no weights to sample).
  const noSignal = !(wimpExp > 0) || !wW.some((w) => w > 0);
  const erScore = score(t.er, q.R), nrScore = score(t.nr, q.R);
  return {
    background: [
      {name: "ER", expected: erExp, score: erScore, energy_keVee: t.er.energyRec_keVee, weight: erW, classicalAcceptance: 1 - q.erRejection},
      {name: "NR background", expected: nrExp, score: nrScore, energy_keVee: t.nr.energyRec_keVee, weight: nrW, classicalAcceptance: q.nrAcceptance}
    ],
    signal: {name: "WIMP", expected: noSignal ? 0 : wimpExp, score: nrScore, energy_keVee: t.nr.energyRec_keVee, weight: noSignal ? null : wW, classicalAcceptance: q.nrAcceptance},
    expected: {er: erExp, nr: nrExp, wimp: noSignal ? 0 : wimpExp}
  };
}

export function prepareDarwinSearch(t: AnomalyTemplates, p: SearchParams): {model: SearchModel; prepared: PreparedSearch} {
  const model = buildSearch(t, p);
  return {model, prepared: prepareSearch(model.background, model.signal, {energyEdges_keVee: DEFAULT_SEARCH.energyEdges_keVee})};
}

/** Median sensitivity of both methods at each exposure. */
export function sensitivityVsExposure(t: AnomalyTemplates, p: Omit<SearchParams, "exposure_tonne_yr">, exposures_tonne_yr: number[], opts: {nNull?: number; nNullBinned?: number; nSignal?: number; seed?: number} = {}): (SensitivityPoint & {expected: SearchModel["expected"]})[] {
  return exposures_tonne_yr.map((ex, i) => {
    const {model, prepared} = prepareDarwinSearch(t, {...p, exposure_tonne_yr: ex});
    return {...medianSensitivity(prepared, ex, {...opts, seed: (opts.seed ?? 1) + 17 * i}), expected: model.expected};
  });
}
