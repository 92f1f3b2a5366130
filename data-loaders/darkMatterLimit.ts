// The report "From raw records to a dark-matter limit" on the run the pages show (the demo without a run file): the processed events
// (pulsebook process), the cleaning (trigger threshold, the cut files of src/cuts, the shipped
// 4-feature boosted trees), the efficiency of pulses injected into the run's own noise records
// through the same steps (runEfficiency.ts), the exposure, and the CaWO4 limits by the optimum
// interval, the maximum gap and a Poisson CLs likelihood (lib/stats/wimpLimit.ts).
import {LIMIT_METHODS, TARGETS, wimpLimits, type EfficiencyCurve} from "../lib/stats/wimpLimit.js";
import {activeProcessConfig, ensureRunProcessed} from "./run.js";
import {readCutDir} from "./cuts.js";
import {DEFAULT_TREE_MODEL_DIRS} from "./modelDirs.js";
import {readTreeClassifier, runEfficiency} from "./runEfficiency.js";

export const LIMIT_REPORT = {
  masses: {lo: 0.3, hi: 100, n: 16},
  perEnergy: 100,
  target: "CaWO4",
  cl: 0.9,
  seed: 1,
  experiments: 2000
} as const;

/** The report's numbers, from the demo run and the cut files in `cutsDir`. */
export async function darkMatterLimitReport(cutsDir: string): Promise<object> {
  await ensureRunProcessed();
  const config = await activeProcessConfig();
  const cuts = readCutDir(cutsDir);
  const classifier = readTreeClassifier(DEFAULT_TREE_MODEL_DIRS.four, "trees-four");
  const r = await runEfficiency(config, {cuts, classifier, perEnergy: LIMIT_REPORT.perEnergy, seed: LIMIT_REPORT.seed});
  const steps = Object.keys(r.events.pass);
  const survives = (i: number) => steps.every((s) => r.events.pass[s][i]);
  const energies = Array.from(r.events.energy_keV);
  const clean = energies.filter((e, i) => survives(i) && Number.isFinite(e));
  const efficiency: EfficiencyCurve = {
    energy_keV: Float64Array.from(r.table.rows, (x) => x.energy_keV),
    efficiency: Float64Array.from(r.table.rows, (x) => x.efficiency)
  };
  const window_keV: [number, number] = [r.threshold_keV, r.table.rows[r.table.rows.length - 1].energy_keV];
  const inWindow = clean.filter((e) => e >= window_keV[0] && e <= window_keV[1]);
  const {lo, hi, n} = LIMIT_REPORT.masses;
  const masses = Array.from({length: n}, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
  // CLs is told a flat background at the rate observed in the window: a comparison only as
  // good as that assumption (the Yellin methods need none).
  const background = inWindow.length / ((window_keV[1] - window_keV[0]) * r.exposure.kg_day);
  const setup = {target: TARGETS[LIMIT_REPORT.target], exposure_kg_day: r.exposure.kg_day, window_keV, efficiency, background_per_keV_kg_day: background};
  const limits = Object.fromEntries(LIMIT_METHODS.map((method) => [method,
    wimpLimits(clean, masses, setup, {method, cl: LIMIT_REPORT.cl, seed: LIMIT_REPORT.seed, experiments: LIMIT_REPORT.experiments})
      .map((row) => ({mass_GeV: row.mass_GeV, sigma_cm2: Number.isFinite(row.sigma_cm2) ? row.sigma_cm2 : null, mu: Number.isFinite(row.mu) ? row.mu : null}))]));
  // Per step: how many of the run's events (phonon channel) survive it, cumulatively.
  const alive = energies.map(() => true);
  const eventSteps = steps.map((s) => {
    r.events.pass[s].forEach((p, i) => { alive[i] &&= p === 1; });
    return {step: s, survived: alive.filter(Boolean).length};
  });
  return {
    settings: {...LIMIT_REPORT, masses, window_keV, background_per_keV_kg_day: background, cuts: cuts.map((c) => ({file: c.file, name: c.cut.name})), classifier: classifier.name},
    threshold: {sigma: r.threshold_V / r.resolution_V, V: r.threshold_V, keV: r.threshold_keV, resolution_V: r.resolution_V, keV_per_V: r.keV_per_unit},
    exposure: r.exposure,
    efficiency: r.table,
    events: {total: energies.length, steps: eventSteps, energy_keV: energies.map((e) => (Number.isFinite(e) ? e : null)), clean: energies.map((_, i) => (survives(i) ? 1 : 0)), inWindow: inWindow.length},
    limits,
    lineage: r.lineage
  };
}
