// Pulses of known amplitude added to a run's own noise records (cait's `simulate_pulses`:
// the standard event scaled to the true height, shifted to the true onset and added to a
// measured empty baseline). What comes out is processed as the run's events are — trigger,
// features, cuts, classifier — so the fraction that survives is the signal efficiency with the
// detector's real noise, drifts and artefacts in it.
import {Rng} from "../math/random.js";
import type {EventChunk} from "../types.js";

export interface Injection {
  /** Index of the noise record (event of the noise group) the pulse is added to. */
  noiseEvent: number;
  /** Injected energy, keV (what the efficiency is a function of). */
  energy_keV: number;
  /** Onset shift relative to the standard event's, samples (may be fractional). */
  shift: number;
}

export interface InjectionPlanOptions {
  /** Energies, keV. */
  energies_keV: ArrayLike<number>;
  /** Pulses per energy. */
  perEnergy: number;
  /** Noise records available. */
  noiseRecords: number;
  /** Onsets are drawn uniformly in ±jitter samples (cait draws true_onset in a window too). */
  jitterSamples: number;
  seed: number;
}

/**
 * Which noise record and onset each injected pulse gets: noise records in turn (every record
 * used about equally often at every energy), onsets uniform in ±jitter from a seeded stream.
 */
export function injectionPlan(o: InjectionPlanOptions): Injection[] {
  if (!(o.noiseRecords >= 1)) throw new RangeError("injectionPlan: no noise records to inject into");
  if (!(Number.isInteger(o.perEnergy) && o.perEnergy >= 1)) throw new RangeError(`injectionPlan: perEnergy must be an integer ≥ 1, got ${o.perEnergy}`);
  const rng = new Rng(o.seed, 0x1a7ec7);
  const out: Injection[] = [];
  let next = Math.floor(rng.uniform() * o.noiseRecords);
  for (let e = 0; e < o.energies_keV.length; e++) {
    for (let i = 0; i < o.perEnergy; i++) {
      out.push({noiseEvent: next, energy_keV: o.energies_keV[e], shift: (2 * rng.uniform() - 1) * o.jitterSamples});
      next = (next + 1) % o.noiseRecords;
    }
  }
  return out;
}

/**
 * `record + amplitude · sev(t − shift)`, written into `out`. The shift is applied by linear
 * interpolation of the standard event (outside it, its first/last value: the baseline before
 * the onset and the tail at the end).
 */
export function addPulse(record: ArrayLike<number>, sev: ArrayLike<number>, amplitude: number, shift: number, out: Float32Array | Float64Array): void {
  const L = record.length;
  if (sev.length !== L) throw new RangeError(`addPulse: standard event has ${sev.length} samples, the record ${L}`);
  if (out.length !== L) throw new RangeError(`addPulse: output has ${out.length} samples, the record ${L}`);
  const i0 = Math.floor(shift), frac = shift - i0;
  for (let t = 0; t < L; t++) {
    const a = Math.min(L - 1, Math.max(0, t - i0)), b = Math.min(L - 1, Math.max(0, t - i0 - 1));
    const s = (1 - frac) * sev[a] + frac * sev[b];
    out[t] = record[t] + amplitude * s;
  }
}

/**
 * A chunk of injected events: event k is noise record `noise(plan[k].noiseEvent)` (all
 * channels) with, on each channel c, `amplitudes[c][k] · sev[c]` added at the planned shift
 * (a channel with amplitude 0 or no standard event keeps its noise). Hours are the noise
 * record's, so time-dependent calibration treats the pulse as it would a real one then.
 */
export function injectedChunk(
  plan: readonly Injection[],
  noise: (event: number) => {samples: readonly ArrayLike<number>[]; hours: number},
  sev: readonly (ArrayLike<number> | null)[],
  amplitudes: readonly (ArrayLike<number> | null)[],
  start = 0
): EventChunk {
  const count = plan.length;
  if (count === 0) throw new RangeError("injectedChunk: nothing to inject");
  const first = noise(plan[0].noiseEvent).samples;
  const nChannels = first.length, L = first[0].length;
  const samples = new Float32Array(nChannels * count * L);
  const hours = new Float64Array(count);
  const tmp = new Float64Array(L);
  plan.forEach((p, k) => {
    const rec = noise(p.noiseEvent);
    hours[k] = rec.hours;
    for (let c = 0; c < nChannels; c++) {
      const at = (c * count + k) * L;
      const s = sev[c], a = amplitudes[c]?.[k] ?? 0;
      if (s && a !== 0) {
        addPulse(rec.samples[c], s, a, p.shift, tmp);
        samples.set(tmp, at);
      } else samples.set(rec.samples[c], at);
    }
  });
  return {group: "events", start, count, nChannels, recordLength: L, samples, hours};
}
