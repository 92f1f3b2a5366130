// A simulated xenon-TPC data set for an exposure: ER background (flat, 2–10 keVee), NR
// background (flat, 5–35 keVnr) and WIMP recoils drawn from the SI rate of lib/sim/recoil,
// each with a Poisson count, through the TPC toy simulator. Seeded.
import {LXE, SHM_2021, TONNE_YEAR_KG_DAY, wimpSpectrum, type Halo} from "./recoil.js";
import {Rng} from "../math/random.js";
import {DEFAULT_TPC, sampleSpectrum, simulateTpc, uniformEnergies, type TpcConfig, type TpcEvents} from "./tpc.js";

export interface TpcExperiment {
  exposure_tonne_yr: number;
  erRate_per_tonne_yr_keV: number;
  nrBackground_per_tonne_yr: number;
  wimp?: {mass_GeV: number; sigma_cm2: number; halo?: Halo};
  erWindow_keVee?: [number, number];
  nrWindow_keVnr?: [number, number];
  wimpWindow_keVnr?: [number, number];
}

/** Simulate one experiment; `source` tells which events are ER (0), NR background (1), WIMP (2). */
export function simulateTpcExperiment(x: TpcExperiment, seed: number, cfg: TpcConfig = DEFAULT_TPC): {events: TpcEvents; source: Uint8Array; expected: {er: number; nr: number; wimp: number}} {
  const rng = new Rng(seed, 0xe7);
  const [eLo, eHi] = x.erWindow_keVee ?? [2, 10], [nLo, nHi] = x.nrWindow_keVnr ?? [5, 35], [wLo, wHi] = x.wimpWindow_keVnr ?? [5, 35];
  const er = x.erRate_per_tonne_yr_keV * (eHi - eLo) * x.exposure_tonne_yr;
  const nr = x.nrBackground_per_tonne_yr * x.exposure_tonne_yr;
  let wimp = 0;
  let wimpE: Float64Array = new Float64Array(0);
  if (x.wimp) {
    const grid = Float64Array.from({length: 601}, (_, i) => wLo + ((wHi - wLo) * i) / 600);
    const rate = wimpSpectrum(grid, LXE, {mass_GeV: x.wimp.mass_GeV, sigma_cm2: x.wimp.sigma_cm2, halo: x.wimp.halo ?? SHM_2021});
    let integral = 0;
    for (let i = 1; i < grid.length; i++) integral += 0.5 * (rate[i] + rate[i - 1]) * (grid[i] - grid[i - 1]);
    wimp = integral * TONNE_YEAR_KG_DAY * x.exposure_tonne_yr;
    const n = rng.poisson(wimp);
    wimpE = n > 0 ? sampleSpectrum(n, grid, rate, rng) : wimpE;
  }
  const erE = uniformEnergies(rng.poisson(er), eLo, eHi, rng);
  const nrE = uniformEnergies(rng.poisson(nr), nLo, nHi, rng);
  const events = simulateTpc([{kind: "ER", energy_keV: erE}, {kind: "NR", energy_keV: nrE}, {kind: "NR", energy_keV: wimpE}], seed, cfg);
  const source = new Uint8Array(events.n);
  source.fill(1, erE.length, erE.length + nrE.length);
  source.fill(2, erE.length + nrE.length);
  return {events, source, expected: {er, nr, wimp}};
}
