// Detectors outside the training family (lib/ml/data/simDetectors.ts), for measuring how a
// model adapts to a user's detector: a module whose light channel is fast, its pulses decaying
// in 1–2.5 ms where the family's decay no faster than 3 ms and its carrier events in 0.6–2 ms.
// The shipped CNN was never shown a clean pulse that fast, and calls many of them artefacts.
import {Rng} from "../../math/random.js";
import {pulseShapeFromCait} from "../../dsp/pulseModel.js";
import type {DetectorPreset} from "../../sim/presets.js";
import {randomDetectorPreset} from "./simDetectors.js";

/**
 * Onsets (ms) of a decaying-baseline record's earlier pulse such that the fast channel still
 * shows its tail: 1 to 1 + 3 non-thermal decays before the window (the tail starts the record
 * at 3–70 % of its height). The family's rule (1.5 thermal decays of its slower channels, up to
 * 120 ms) would leave the light channel a clean pulse labelled an artefact: measured, a 1 V tail
 * was 3 σ above the noise in 0–13 of 40 onsets on the four bench detectors.
 */
export function fastDecayingOnset(layout: {triggerIndex: number; sampleFrequency_Hz: number}, tauN_ms: number): [number, number] {
  const windowStart_ms = (-layout.triggerIndex / layout.sampleFrequency_Hz) * 1000;
  return [windowStart_ms - 1 - 3 * tauN_ms, windowStart_ms - 1];
}

const logUniform = (rng: Rng, lo: number, hi: number) => lo * Math.pow(hi / lo, rng.uniform());

/** Range of the fast light channel's non-thermal decay time, ms (the family's floor is 3 ms). */
export const FAST_LIGHT_DECAY_MS: readonly [number, number] = [1.5, 3];

/**
 * The family's module `seed` (preset seeds far from those simulatedSplit uses) with its light
 * channel replaced by a fast one: rise 0.1–0.4 ms, non-thermal decay FAST_LIGHT_DECAY_MS, a
 * thermal component of 1–10 % decaying 2–4× slower; `decay_ms` fixes the decay instead.
 * Everything else (layout, noise, artefact rates, the phonon channel with its carrier events)
 * is the family's, except the decaying tails' onsets (fastDecayingOnset).
 */
export function fastLightDetectorPreset(seed: number, decay_ms?: number): DetectorPreset {
  const base = randomDetectorPreset(900_000_000 + seed);
  const rng = new Rng(0xfa57, seed);
  const tauIn = logUniform(rng, 0.1, 0.4);
  const drawn = logUniform(rng, ...FAST_LIGHT_DECAY_MS);
  const tauN = decay_ms ?? drawn;
  const tauT = tauN * rng.uniformIn(2, 4);
  const light = base.channels[1];
  const channels = [base.channels[0], {...light, pulse: pulseShapeFromCait([rng.uniformIn(-1.5, 0), 1, logUniform(rng, 0.01, 0.1), tauN, tauIn, tauT])}];
  return {
    ...base,
    name: `fast-light-detector-${seed}`,
    channels,
    artefacts: {...base.artefacts, decayingOnset_ms: fastDecayingOnset(base.layout, tauN)}
  };
}
