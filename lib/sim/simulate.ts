// Simulate chunks of cait-layout events. Every event draws from its own stream
// (`eventStream(seed, group, index)`), so a chunk's bytes depend only on (preset, seed, group,
// indices), never on how a range is split into chunks.
import {LABEL, type EventChunk, type RecordGroup} from "../types.js";
import {eventStream, type Rng} from "../math/random.js";
import {addNoise} from "./noise.js";
import {addPulse} from "../dsp/pulseModel.js";
import {addDecayingBaseline, addSpike, addSquidJump, addTemperatureRise, earlyOrLateShift_ms, saturation_V} from "./artefacts.js";
import {ARTEFACT_KINDS, ARTEFACT_LABEL, type ArtefactKind, type DetectorPreset} from "./presets.js";

export interface SimulationRequest {
  group: RecordGroup;
  /** Index of the first event within the group. */
  start: number;
  count: number;
  seed: number;
}

/** What was put into each record. */
export interface SimulationTruth {
  /** Per channel × event: peak height of the main pulse before saturation, V (0 for noise). */
  pulseHeight_V: Float64Array;
  /** Per event: shift of the main pulse onset from the shape's t0, ms (NaN where no pulse). */
  onset_ms: Float64Array;
  /** Per channel × event: baseline offset added, V. */
  baselineOffset_V: Float64Array;
  /** Per event: class code (1, 2, 3 or the artefact's label). */
  eventClass: Int32Array;
}

const GROUP_CODE: {readonly [G in RecordGroup]: number} = {events: 1, testpulses: 2, noise: 3};

/** Hours since run start of event `index` of `group`: increasing, chunk-independent. */
export function eventHours(preset: DetectorPreset, group: RecordGroup, index: number, jitter: number): number {
  switch (group) {
    case "events":
      return ((index + jitter) * preset.events.meanGap_s) / 3600;
    case "testpulses":
      return ((index + 1 / 3) * preset.testpulses.interval_s) / 3600;
    case "noise":
      return ((index + 2 / 3) * preset.noise.interval_s) / 3600;
  }
}

/** The artefact drawn for a uniform u in (0, 1), or null for a clean pulse. */
export function artefactFor(preset: DetectorPreset, u: number): ArtefactKind | null {
  let acc = 0;
  for (const k of ARTEFACT_KINDS) {
    acc += preset.events.artefactFractions[k];
    if (u < acc) return k;
  }
  return null;
}

/** Phonon height of an ordinary event: exponential background plus the calibration line. */
function drawHeight_V(preset: DetectorPreset, rng: Rng): number {
  return rng.uniform() < preset.events.lineFraction ? preset.events.line_V : rng.exponential(preset.events.backgroundMean_V);
}

const pulseScratch = new Map<number, Float64Array>();

export function simulateChunk(preset: DetectorPreset, req: SimulationRequest): {chunk: EventChunk; truth: SimulationTruth} {
  const {group, start, count, seed} = req;
  if (!Number.isInteger(start) || start < 0 || !Number.isInteger(count) || count < 0) {
    throw new RangeError(`simulateChunk: bad range start=${start} count=${count}`);
  }
  const {layout, channels} = preset;
  const L = layout.recordLength;
  const nch = channels.length;
  const samples = new Float32Array(nch * count * L);
  const hours = new Float64Array(count);
  const labels = new Int32Array(nch * count);
  const truth: SimulationTruth = {
    pulseHeight_V: new Float64Array(nch * count),
    onset_ms: new Float64Array(count).fill(NaN),
    baselineOffset_V: new Float64Array(nch * count),
    eventClass: new Int32Array(count)
  };
  const tpa = group === "testpulses" ? new Float64Array(count) : undefined;
  let scratch = pulseScratch.get(L);
  if (!scratch) pulseScratch.set(L, (scratch = new Float64Array(L)));
  const A = preset.artefacts;

  for (let i = 0; i < count; i++) {
    const index = start + i;
    const rng = eventStream(seed, GROUP_CODE[group], index);
    hours[i] = eventHours(preset, group, index, 0.05 + 0.9 * rng.uniform());

    // Event-level draws first, in a fixed order.
    let kind: ArtefactKind | null = null;
    let height_V = 0;
    let shift_ms = NaN;
    let cls: number = group === "noise" ? LABEL.Noise : group === "testpulses" ? LABEL.TestPulse : LABEL.EventPulse;
    if (group === "testpulses") {
      const amps = preset.testpulses.amplitudes;
      tpa![i] = amps[index % amps.length];
      shift_ms = 0;
    } else if (group === "events") {
      kind = artefactFor(preset, rng.uniform());
      if (kind) cls = ARTEFACT_LABEL[kind];
      height_V = drawHeight_V(preset, rng);
      shift_ms = rng.uniformIn(-preset.events.onsetJitter_ms, preset.events.onsetJitter_ms);
      if (kind === "earlyOrLateTrigger") shift_ms = earlyOrLateShift_ms(rng.uniform(), layout, rng.uniform() < 0.5);
      if (kind === "saturated") height_V = channels[0].saturation_V * rng.uniformIn(A.saturatedHeight[0], A.saturatedHeight[1]);
      if (kind === "carrier") height_V *= 0.5;
    }
    truth.eventClass[i] = cls;
    truth.onset_ms[i] = shift_ms;
    // Artefact parameters shared by the channels.
    const hit = kind === "squidJump" || kind === "spike" ? rng.int(nch) : -1;
    const pileHeight = kind === "pileUp" ? drawHeight_V(preset, rng) : 0;
    const pileDelay = kind === "pileUp" ? rng.uniformIn(A.pileUpDelay_ms[0], A.pileUpDelay_ms[1]) : 0;
    const tailOnset = kind === "decayingBaseline" ? rng.uniformIn(A.decayingOnset_ms[0], A.decayingOnset_ms[1]) : 0;
    const tailHeight = kind === "decayingBaseline" ? rng.uniformIn(A.decayingHeight_V[0], A.decayingHeight_V[1]) : 0;
    const riseStart = kind === "temperatureRise" ? rng.uniformIn(-150, 300) : 0;
    const riseExp = kind === "temperatureRise" ? (rng.uniform() < 0.5 ? 1 : 2) : 1;

    for (let c = 0; c < nch; c++) {
      const ch = channels[c];
      const at = c * count + i;
      const rec = samples.subarray(at * L, (at + 1) * L);
      const offset = rng.uniformIn(preset.baselineOffset_V[0], preset.baselineOffset_V[1]);
      truth.baselineOffset_V[at] = offset;
      rec.fill(offset);
      addNoise(rec, ch.noiseAmplitude_V, rng);
      let label = cls;
      let h = 0;
      if (group === "testpulses") {
        h = tpa![i] * ch.testPulseGain_V_per_TPA;
        addPulse(rec, ch.pulse, layout, h, 0);
      } else if (group === "events") {
        if (kind === "carrier") {
          h = ch.carrierPulse ? height_V * ch.relativeHeight : 0;
          if (ch.carrierPulse) addPulse(rec, ch.carrierPulse, layout, h, shift_ms);
        } else if (kind === "saturated") {
          h = height_V * ch.relativeHeight;
          scratch.fill(0);
          addPulse(scratch, ch.pulse, layout, h, shift_ms);
          for (let j = 0; j < L; j++) rec[j] += saturation_V(scratch[j], ch.saturation_V);
          if (h < ch.saturation_V) label = LABEL.EventPulse;
        } else {
          h = height_V * ch.relativeHeight;
          addPulse(rec, ch.pulse, layout, h, shift_ms);
        }
        if (kind === "squidJump" || kind === "spike") {
          if (c === hit) {
            const t_ms = rng.uniformIn(-150, 450);
            if (kind === "squidJump") {
              const k = 1 + rng.int(A.squidMaxQuanta);
              const sign = rng.uniform() < 0.5 ? -1 : 1;
              addSquidJump(rec, layout, {time_ms: t_ms, step_V: sign * k * ch.fluxQuantum_V, ramp_ms: rng.uniformIn(A.squidRamp_ms[0], A.squidRamp_ms[1])});
            } else {
              const sign = rng.uniform() < 0.5 ? -1 : 1;
              addSpike(rec, layout, {time_ms: t_ms, width_ms: rng.uniformIn(A.spikeWidth_ms[0], A.spikeWidth_ms[1]), height_V: sign * rng.uniformIn(A.spikeHeight_V[0], A.spikeHeight_V[1])});
            }
          } else {
            label = LABEL.EventPulse;
          }
        } else if (kind === "pileUp") {
          addPulse(rec, ch.pulse, layout, pileHeight * ch.relativeHeight, shift_ms + pileDelay);
        } else if (kind === "decayingBaseline") {
          addDecayingBaseline(rec, layout, ch.pulse, tailHeight * ch.relativeHeight, tailOnset);
        } else if (kind === "temperatureRise") {
          addTemperatureRise(rec, layout, {start_ms: riseStart, rise_V: rng.uniformIn(A.temperatureRise_V[0], A.temperatureRise_V[1]) * ch.relativeHeight ** 0.5, exponent: riseExp});
        }
      }
      truth.pulseHeight_V[at] = h;
      labels[at] = label;
    }
  }
  const chunk: EventChunk = {group, start, count, nChannels: nch, recordLength: L, samples, hours, labels};
  if (tpa) chunk.testpulseAmplitude = tpa;
  return {chunk, truth};
}
