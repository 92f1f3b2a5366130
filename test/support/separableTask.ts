// A separable classification task for the networks' learning tests: clean pulses against SQUID
// jumps and spikes on the CRESST-like module, which every model should tell apart quickly.
import {CRESST_LIKE, type DetectorPreset} from "../../lib/sim/index.js";
import {simulateLabeledSet} from "../../lib/ml/data/simDetectors.js";

export function separablePreset(): DetectorPreset {
  const none = Object.fromEntries(Object.keys(CRESST_LIKE.events.artefactFractions).map((k) => [k, 0])) as DetectorPreset["events"]["artefactFractions"];
  return {...CRESST_LIKE, events: {...CRESST_LIKE.events, artefactFractions: {...none, squidJump: 0.3, spike: 0.3}}};
}

/** Training (300 events), validation (60) and test (150) sets of distinct detectors, pulses ≥ 20 σ. */
export function separableSets() {
  const p = separablePreset();
  return {
    train: simulateLabeledSet(p, {events: 300, seed: 1, detectorBase: 0, minSnr: 20}),
    validation: simulateLabeledSet(p, {events: 60, seed: 2, detectorBase: 10, minSnr: 20}),
    test: simulateLabeledSet(p, {events: 150, seed: 3, detectorBase: 20, minSnr: 20})
  };
}
