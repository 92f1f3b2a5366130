// Signal efficiency measured by counting injected pulses that survive each step of the analysis
// (trigger, cuts, classifier), with Clopper–Pearson intervals; and the exposure of a run from its
// live time. The efficiency table is what `pulsebook limit` folds into the expected signal.
import {clopperPearson} from "./binomialInterval.js";

/** Survival of the injected pulses of one energy through the analysis steps, in order. */
export interface EfficiencyRow {
  energy_keV: number;
  injected: number;
  /** Pulses surviving each step cumulatively (same order as `steps` of the table). */
  survived: number[];
  /** Final efficiency (after every step) and its Clopper–Pearson interval. */
  efficiency: number;
  lower: number;
  upper: number;
}

export interface EfficiencyTable {
  steps: string[];
  cl: number;
  rows: EfficiencyRow[];
}

/**
 * Per injected energy: how many pulses survive the steps (`passes[s][k]`: injection k passed
 * step s, steps applied in order so survival is cumulative), and the efficiency with its
 * two-sided Clopper–Pearson interval at `cl`.
 */
export function efficiencyTable(energies_keV: ArrayLike<number>, steps: readonly {name: string; pass: ArrayLike<number>}[], cl = 0.6826894921370859): EfficiencyTable {
  const n = energies_keV.length;
  for (const s of steps) if (s.pass.length !== n) throw new RangeError(`efficiencyTable: step "${s.name}" has ${s.pass.length} flags for ${n} injections`);
  const byEnergy = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const e = energies_keV[k];
    if (!byEnergy.has(e)) byEnergy.set(e, []);
    byEnergy.get(e)!.push(k);
  }
  const rows = [...byEnergy.keys()].sort((a, b) => a - b).map((energy_keV): EfficiencyRow => {
    const ks = byEnergy.get(energy_keV)!;
    const alive = ks.map(() => true);
    const survived = steps.map((s) => {
      let m = 0;
      ks.forEach((k, i) => { alive[i] &&= s.pass[k] !== 0; if (alive[i]) m++; });
      return m;
    });
    const k = steps.length ? survived[survived.length - 1] : ks.length;
    const ci = clopperPearson(k, ks.length, cl);
    return {energy_keV, injected: ks.length, survived, efficiency: ci.estimate, lower: ci.lower, upper: ci.upper};
  });
  return {steps: steps.map((s) => s.name), cl, rows};
}

export interface ExposureInput {
  /** Detector (target) mass, kg. */
  mass_kg: number;
  /** Span of the run, hours (first to last record, plus one record). */
  live_h: number;
  /** Time in which the detector could not trigger (a record length after every recorded trigger), hours. */
  dead_h: number;
  /** Time removed by time-based cuts (unstable intervals of the calibration), hours. */
  removed_h: number;
}

export interface Exposure extends ExposureInput {
  /** live − dead − removed, hours. */
  usable_h: number;
  kg_day: number;
}

/**
 * Exposure in kg·day: mass × (live time − dead time − time cut away). Energy-dependent losses
 * of the cuts are not here: they are in the efficiency measured on injected pulses, and
 * counting them twice would understate the sensitivity.
 */
export function exposure(e: ExposureInput): Exposure {
  for (const [k, v] of Object.entries(e)) if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`exposure: ${k} must be a finite number ≥ 0, got ${v}`);
  const usable_h = e.live_h - e.dead_h - e.removed_h;
  if (!(usable_h > 0)) throw new RangeError(`exposure: no time left (live ${e.live_h} h − dead ${e.dead_h} h − removed ${e.removed_h} h)`);
  return {...e, usable_h, kg_day: (e.mass_kg * usable_h) / 24};
}
