// Spin-independent WIMP–nucleon cross-section upper limit versus WIMP mass, from a list of
// event energies: the expected signal spectrum (lib/sim/recoil.ts, standard halo model and Helm
// form factor) times the efficiency, integrated over the energy window and the exposure, maps
// the events to the cumulative-signal variable; maximum gap, optimum interval or the Poisson
// CLs likelihood turns them into a limit μ on the expected signal count, and the cross-section
// limit is σ_ref · μ / N(σ_ref) since the rate is linear in σ.

import {
  CAWO4, LXE, compound, wimpRate, type Element, type Halo, type Target
} from "../sim/recoil.js";
import {maximumGapLimit} from "./maximumGap.js";
import {optimumIntervalLimit} from "./optimumInterval.js";
import {poissonLimit} from "./poissonLimit.js";

// Elements of the other cryogenic targets CRESST has run (mean atomic masses, IUPAC).
const ALUMINIUM: Element = {symbol: "Al", Z: 13, A: 26.982, massAmu: 26.982};
const SILICON: Element = {symbol: "Si", Z: 14, A: 28.085, massAmu: 28.085};
const GERMANIUM: Element = {symbol: "Ge", Z: 32, A: 72.63, massAmu: 72.63};
const LITHIUM: Element = {symbol: "Li", Z: 3, A: 6.94, massAmu: 6.94};
const OXYGEN: Element = {symbol: "O", Z: 8, A: 15.999, massAmu: 15.999};

/** Targets by name: those of recoil.ts and CRESST's other crystals. */
export const TARGETS: {readonly [name: string]: Target} = {
  CaWO4: CAWO4,
  Xe: LXE,
  Al2O3: compound("Al2O3", [[ALUMINIUM, 2], [OXYGEN, 3]]),
  Si: compound("Si", [[SILICON, 1]]),
  Ge: compound("Ge", [[GERMANIUM, 1]]),
  LiAlO2: compound("LiAlO2", [[LITHIUM, 1], [ALUMINIUM, 1], [OXYGEN, 2]])
};
export const TARGET_NAMES = Object.keys(TARGETS);

export const LIMIT_METHODS = ["optimum-interval", "maximum-gap", "poisson"] as const;
export type LimitMethod = (typeof LIMIT_METHODS)[number];

/** Signal efficiency vs energy, linearly interpolated, held at the end values outside. */
export interface EfficiencyCurve {
  energy_keV: Float64Array;
  efficiency: Float64Array;
}

export function efficiencyAt(curve: EfficiencyCurve | undefined, E: number): number {
  if (!curve) return 1;
  const x = curve.energy_keV, y = curve.efficiency, n = x.length;
  if (E <= x[0]) return y[0];
  if (E >= x[n - 1]) return y[n - 1];
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= E) lo = mid;
    else hi = mid;
  }
  return y[lo] + ((E - x[lo]) / (x[hi] - x[lo])) * (y[hi] - y[lo]);
}

/** Checks an efficiency table: ascending energies, efficiencies in [0, 1]; `source` names it. */
export function checkEfficiency(curve: EfficiencyCurve, source: string): EfficiencyCurve {
  const {energy_keV: x, efficiency: y} = curve;
  if (x.length < 2 || x.length !== y.length) throw new RangeError(`${source}: an efficiency table needs ≥ 2 rows of energy and efficiency, got ${x.length} and ${y.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || (i > 0 && !(x[i] > x[i - 1]))) throw new RangeError(`${source}: energies must rise strictly (row ${i}: ${x[i]})`);
    if (!(y[i] >= 0 && y[i] <= 1)) throw new RangeError(`${source}: efficiency ${y[i]} at row ${i} is outside [0, 1]`);
  }
  return curve;
}

export interface LimitSetup {
  target: Target;
  exposure_kg_day: number;
  window_keV: [number, number];
  efficiency?: EfficiencyCurve;
  halo?: Halo;
  /** Cells of the energy grid the spectrum is tabulated on (log-spaced; default 2000). */
  cells?: number;
  /** Flat known background for the Poisson method, events/(keV kg day) as observed. */
  background_per_keV_kg_day?: number;
  /** Poisson method: equal-width bins in log energy; 0 = unbinned (the fine grid). */
  bins?: number;
}

export const SIGMA_REF_cm2 = 1e-40;

/** The expected signal at σ_ref on the log grid of the window: edges and events per cell. */
export function signalOnGrid(mass_GeV: number, setup: LimitSetup): {edges: Float64Array; cell: Float64Array; total: number} {
  const [lo, hi] = setup.window_keV;
  const n = setup.cells ?? 2000;
  const edges = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) edges[i] = lo * (hi / lo) ** (i / n);
  const cell = new Float64Array(n);
  let total = 0;
  const wimp = {mass_GeV, sigma_cm2: SIGMA_REF_cm2, halo: setup.halo};
  for (let i = 0; i < n; i++) {
    // Simpson on each cell: the spectrum can end inside a cell at low mass.
    const a = edges[i], b = edges[i + 1], m = 0.5 * (a + b);
    const f = (E: number) => wimpRate(E, setup.target, wimp).total * efficiencyAt(setup.efficiency, E);
    cell[i] = ((b - a) / 6) * (f(a) + 4 * f(m) + f(b)) * setup.exposure_kg_day;
    total += cell[i];
  }
  return {edges, cell, total};
}

function cellOf(edges: Float64Array, E: number): number {
  let lo = 0, hi = edges.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= E) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Cumulative-signal values of events (inside the window) for a tabulated signal. */
export function cumulativeSignal(energies: ArrayLike<number>, edges: Float64Array, cell: Float64Array, total: number): Float64Array {
  const cdf = new Float64Array(cell.length + 1);
  for (let i = 0; i < cell.length; i++) cdf[i + 1] = cdf[i] + cell[i] / total;
  const u = new Float64Array(energies.length);
  for (let j = 0; j < energies.length; j++) {
    const E = energies[j], i = cellOf(edges, E);
    const t = Math.log(E / edges[i]) / Math.log(edges[i + 1] / edges[i]);
    u[j] = Math.min(1, Math.max(0, cdf[i] + t * (cdf[i + 1] - cdf[i])));
  }
  return u;
}

export interface LimitRow {
  mass_GeV: number;
  /** Cross-section upper limit; Infinity where no signal reaches the window. */
  sigma_cm2: number;
  /** Upper limit on the expected signal events in the window. */
  mu: number;
  /** Expected signal events in the window at σ = 1e-40 cm². */
  expected_at_ref: number;
}

export interface LimitOptions {
  method: LimitMethod;
  cl?: number;
  seed?: number;
  /** Optimum interval: Monte-Carlo experiments per μ; Poisson: pseudo-experiments. */
  experiments?: number;
}

/** Events inside the window, checked. */
export function eventsInWindow(energies: ArrayLike<number>, window: [number, number]): Float64Array {
  const [lo, hi] = window;
  if (!(lo > 0 && hi > lo)) throw new RangeError(`energy window [${lo}, ${hi}] keV: need 0 < lo < hi`);
  const out: number[] = [];
  for (let i = 0; i < energies.length; i++) {
    const E = energies[i];
    if (Number.isNaN(E)) throw new RangeError(`event ${i} has no energy (NaN)`);
    if (E >= lo && E <= hi) out.push(E);
  }
  return Float64Array.from(out);
}

/** The limit on σ at each mass for the event energies (keV) in the window. */
export function wimpLimits(energies: ArrayLike<number>, masses_GeV: ArrayLike<number>, setup: LimitSetup, opts: LimitOptions): LimitRow[] {
  if (!(setup.exposure_kg_day > 0)) throw new RangeError(`exposure ${setup.exposure_kg_day} kg·day must be > 0`);
  const ev = eventsInWindow(energies, setup.window_keV);
  const cl = opts.cl ?? 0.9;
  const rows: LimitRow[] = [];
  for (let m = 0; m < masses_GeV.length; m++) {
    const mass = masses_GeV[m];
    if (!(mass > 0)) throw new RangeError(`WIMP mass ${mass} GeV must be > 0`);
    const {edges, cell, total} = signalOnGrid(mass, setup);
    if (!(total > 0)) {
      rows.push({mass_GeV: mass, sigma_cm2: Infinity, mu: NaN, expected_at_ref: 0});
      continue;
    }
    let mu: number;
    if (opts.method === "poisson") {
      mu = poissonForGrid(ev, edges, cell, total, setup, cl, opts);
    } else {
      const u = cumulativeSignal(ev, edges, cell, total);
      mu = opts.method === "maximum-gap"
        ? maximumGapLimit(u, cl)
        : optimumIntervalLimit(u, {cl, seed: opts.seed, experiments: opts.experiments}).mu;
    }
    rows.push({mass_GeV: mass, sigma_cm2: (SIGMA_REF_cm2 * mu) / total, mu, expected_at_ref: total});
  }
  return rows;
}

function poissonForGrid(ev: Float64Array, edges: Float64Array, cell: Float64Array, total: number, setup: LimitSetup, cl: number, opts: LimitOptions): number {
  const n = cell.length, bins = setup.bins ?? 0;
  const rate = setup.background_per_keV_kg_day ?? 0;
  if (!(rate >= 0)) throw new RangeError(`background rate ${rate} must be ≥ 0`);
  // Group fine cells into bins (bins = 0: every cell its own bin, the unbinned likelihood).
  const nBins = bins > 0 ? Math.min(bins, n) : n;
  const binOfCell = (i: number) => Math.floor((i * nBins) / n);
  const signal = new Float64Array(nBins), background = new Float64Array(nBins), counts = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    signal[binOfCell(i)] += cell[i] / total;
    background[binOfCell(i)] += rate * (edges[i + 1] - edges[i]) * setup.exposure_kg_day;
  }
  for (const E of ev) counts[binOfCell(cellOf(edges, E))]++;
  return poissonLimit({signal, background}, counts, {cl, seed: opts.seed, toys: opts.experiments}).mu;
}
