// Detectors outside the training family (lib/ml/data/simDetectors.ts), for measuring how a
// model adapts to a user's detector: a module whose light channel is fast, its pulses decaying
// in 1–2.5 ms where the family's decay no faster than 3 ms and its carrier events in 0.6–2 ms.
// The shipped CNN was never shown a clean pulse that fast, and calls many of them artefacts.
import {Rng} from "../../math/random.js";
import {pulseShapeFromCait} from "../../dsp/pulseModel.js";
import type {DetectorPreset} from "../../sim/presets.js";
import {randomDetectorPreset} from "./simDetectors.js";

const logUniform = (rng: Rng, lo: number, hi: number) => lo * Math.pow(hi / lo, rng.uniform());

/** Range of the fast light channel's non-thermal decay time, ms (the family's floor is 3 ms). */
export const FAST_LIGHT_DECAY_MS: readonly [number, number] = [1.5, 3];

/**
 * The family's module `seed` (preset seeds far from those simulatedSplit uses) with its light
 * channel replaced by a fast one: rise 0.1–0.4 ms, non-thermal decay FAST_LIGHT_DECAY_MS, a
 * thermal component of 1–10 % decaying 2–4× slower; `decay_ms` fixes the decay instead.
 * Everything else (layout, noise, artefact rates, the phonon channel with its carrier events)
 * is the family's.
 */
export function fastLightDetectorPreset(seed: number, decay_ms?: number): DetectorPreset {
  const base = randomDetectorPreset(900_000_000 + seed);
  const rng = new Rng(0xfa57, seed);
  const tauIn = logUniform(rng, 0.1, 0.4);
  const drawn = logUniform(rng, ...FAST_LIGHT_DECAY_MS);
  const tauN = decay_ms ?? drawn;
  const tauT = tauN * rng.uniformIn(2, 4);
  const light = base.channels[1];
  return {
    ...base,
    name: `fast-light-detector-${seed}`,
    channels: [base.channels[0], {...light, pulse: pulseShapeFromCait([rng.uniformIn(-1.5, 0), 1, logUniform(rng, 0.01, 0.1), tauN, tauIn, tauT])}]
  };
}
