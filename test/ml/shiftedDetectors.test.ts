// The detectors outside the training family (lib/ml/data/shiftedDetectors.ts) must keep their
// labels true: a decaying-baseline record of the fast light channel has to show its tail, or it
// is a clean pulse labelled an artefact and caps every classifier's selectivity.
import {describe, expect, it} from "vitest";
import {addPulse} from "../../lib/dsp/pulseModel.ts";
import {downsample} from "../../lib/ml/data/preprocess.ts";
import {downsampledNoiseSigma} from "../../lib/ml/data/simDetectors.ts";
import {fastLightDetectorPreset, FAST_LIGHT_DECAY_MS} from "../../lib/ml/data/shiftedDetectors.ts";

describe("fast-light detectors", () => {
  it("the light channel's pulses decay within the stated range, outside the family's ≥ 3 ms", () => {
    for (let d = 1; d <= 4; d++) {
      const tau = fastLightDetectorPreset(d).channels[1].pulse.tauN_ms;
      expect(tau).toBeGreaterThanOrEqual(FAST_LIGHT_DECAY_MS[0]);
      expect(tau).toBeLessThanOrEqual(FAST_LIGHT_DECAY_MS[1]);
    }
    expect(fastLightDetectorPreset(3, 1.6).channels[1].pulse.tauN_ms).toBe(1.6);
  });

  it("every decaying-baseline tail is visible in both channels: > 3 σ of the noise over the record's start", () => {
    for (let d = 1; d <= 4; d++) {
      const p = fastLightDetectorPreset(d);
      const sigma = downsampledNoiseSigma(p, 1);
      const [lo, hi] = p.artefacts.decayingOnset_ms;
      for (const onset of [lo, (lo + hi) / 2, hi]) {
        for (const c of [0, 1]) {
          // The smallest tail the simulation draws (simulate.ts: height × the channel's relative height).
          const rec = addPulse(new Float64Array(p.layout.recordLength), p.channels[c].pulse, p.layout, p.artefacts.decayingHeight_V[0] * p.channels[c].relativeHeight, onset);
          const ds = downsample(rec);
          // Measured with the family's onsets (up to 1.5 of the module's slowest thermal decays,
          // 48–117 ms before the window): 0–13 of 40 onsets visible in the light channel.
          expect((ds[0] - ds[100]) / sigma[c], `${p.name} channel ${c} onset ${onset.toFixed(1)} ms`).toBeGreaterThan(3);
        }
      }
    }
  });
});
