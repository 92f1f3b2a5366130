// Detector presets: everything the simulator needs to know about a module, in physical units.
import {CAIT_LAYOUT, LABEL, type Channel, type RecordLayout} from "../types.js";
import {pulseShapeFromCait, type PulseShape} from "../dsp/pulseModel.js";
import {composePsd, lowPassGain, mainsPsd, noiseAmplitudes, powerLawPsd, shapedPsd, whitePsd} from "./noise.js";

export interface ChannelPreset extends Channel {
  /** Channel number written to the file (cait `Ch_1`, `Ch_2`, …). */
  channelNumber: number;
  pulse: PulseShape;
  /** Shape of carrier events; null = no pulse in this channel for carrier events. */
  carrierPulse: PulseShape | null;
  /** Pulse height relative to the phonon height for ordinary events (light yield for light). */
  relativeHeight: number;
  /** One-sided noise PSD on the n/2+1 bins. */
  noisePsd_V2_per_Hz: Float64Array;
  /** Precomputed `noiseAmplitudes(noisePsd_V2_per_Hz)`: what the simulator uses per record. */
  noiseAmplitude_V: Float64Array;
  testPulseGain_V_per_TPA: number;
  saturation_V: number;
  /** Volts per SQUID flux quantum (size of one jump). */
  fluxQuantum_V: number;
}

/** Artefact classes of the events group, by cait label code. */
export type ArtefactKind =
  | "squidJump" | "spike" | "decayingBaseline" | "temperatureRise"
  | "pileUp" | "earlyOrLateTrigger" | "saturated" | "carrier";

export const ARTEFACT_LABEL: {readonly [K in ArtefactKind]: number} = {
  squidJump: LABEL.SquidJump,
  spike: LABEL.Spike,
  decayingBaseline: LABEL.DecayingBaseline,
  temperatureRise: LABEL.TemperatureRise,
  pileUp: LABEL.PileUp,
  earlyOrLateTrigger: LABEL.EarlyOrLateTrigger,
  saturated: LABEL.SaturatedEventPulse,
  carrier: LABEL.CarrierEvent
};

export const ARTEFACT_KINDS = Object.keys(ARTEFACT_LABEL) as ArtefactKind[];

export interface DetectorPreset {
  name: string;
  layout: RecordLayout;
  channels: ChannelPreset[];
  /** Channel numbers per channel index, as written to the file (= channels[i].channelNumber). */
  channelNumbers: number[];
  events: {
    /** Mean spacing of triggered events in time. */
    meanGap_s: number;
    /** Phonon height spectrum: exponential background … */
    backgroundMean_V: number;
    /** … plus a mono-energetic calibration line for this fraction of ordinary events. */
    line_V: number;
    lineFraction: number;
    /** Uniform jitter of the onset around the trigger (±). */
    onsetJitter_ms: number;
    /** Fraction of all events that carry each artefact (the rest are clean pulses). */
    artefactFractions: {[K in ArtefactKind]: number};
  };
  testpulses: {
    /** TPA values, cycled by test-pulse index. */
    amplitudes: number[];
    interval_s: number;
  };
  noise: {interval_s: number};
  /** Baseline offsets are uniform in this range, per channel and record. */
  baselineOffset_V: [number, number];
  artefacts: {
    squidMaxQuanta: number;
    squidRamp_ms: [number, number];
    spikeWidth_ms: [number, number];
    spikeHeight_V: [number, number];
    /** Onset of the pulse whose tail is seen, before the window. */
    decayingOnset_ms: [number, number];
    decayingHeight_V: [number, number];
    temperatureRise_V: [number, number];
    pileUpDelay_ms: [number, number];
    /** Phonon height of saturated events in units of the phonon saturation level. */
    saturatedHeight: [number, number];
  };
}

/** Build a channel: PSD on the layout's bins and its precomputed amplitudes. */
export function makeChannel(
  layout: RecordLayout,
  c: Omit<ChannelPreset, "noisePsd_V2_per_Hz" | "noiseAmplitude_V">,
  psd: Float64Array
): ChannelPreset {
  if (psd.length !== (layout.recordLength >> 1) + 1) throw new RangeError(`PSD of channel ${c.name} has ${psd.length} bins`);
  return {...c, noisePsd_V2_per_Hz: psd, noiseAmplitude_V: noiseAmplitudes(psd, layout.sampleFrequency_Hz)};
}

/** Cryodetector-like noise: (white + 1/f)·low-pass + mains lines. */
export function detectorPsd(layout: RecordLayout, white_V2_per_Hz: number, pinkAt1Hz_V2_per_Hz: number, cutoff_Hz: number, mains_V: [number, number, number]): Float64Array {
  return composePsd(
    layout.recordLength,
    layout.sampleFrequency_Hz,
    shapedPsd(lowPassGain(cutoff_Hz), whitePsd(white_V2_per_Hz), powerLawPsd(pinkAt1Hz_V2_per_Hz, 1)),
    mainsPsd(mains_V)
  );
}

/**
 * A CRESST-like module after cait's `TestData`: phonon + light channel, cait's pulse shapes,
 * baseline noise of about 2 mV (phonon) and 3 mV (light) rms. Another `layout` (shorter
 * records, for runs of many events at test size) keeps the physics and the noise spectrum's shape.
 */
export function cresstLike(L: RecordLayout = CAIT_LAYOUT): DetectorPreset {
  return {
  name: L === CAIT_LAYOUT ? "cresst-like" : `cresst-like-L${L.recordLength}`,
  layout: L,
  channels: [
    makeChannel(L, {
      index: 0, name: "phonon", kind: "phonon", channelNumber: 0,
      pulse: pulseShapeFromCait([-1.11, 4, 0.02, 4.15, 2.1, 53.06]),
      carrierPulse: pulseShapeFromCait([-2.38, 1.73, 1.65, 136, 0.38, 2.13]),
      relativeHeight: 1, testPulseGain_V_per_TPA: 0.2, saturation_V: 3, fluxQuantum_V: 0.4
    }, detectorPsd(L, 7.5e-10, 6e-8, 3000, [5e-4, 2e-4, 1e-4])),
    makeChannel(L, {
      index: 1, name: "light", kind: "light", channelNumber: 1,
      pulse: pulseShapeFromCait([0.77, 51.76, 50.81, 37.24, 8.33, 8.59]),
      carrierPulse: null,
      relativeHeight: 0.3, testPulseGain_V_per_TPA: 0.1, saturation_V: 2, fluxQuantum_V: 0.25
    }, detectorPsd(L, 1.1e-9, 1.4e-7, 5000, [8e-4, 3e-4, 1.5e-4]))
  ],
  channelNumbers: [0, 1],
  events: {
    meanGap_s: 3,
    backgroundMean_V: 0.3,
    line_V: 0.5,
    lineFraction: 0.2,
    onsetJitter_ms: 0.5,
    artefactFractions: {
      squidJump: 0.03, spike: 0.03, decayingBaseline: 0.04, temperatureRise: 0.03,
      pileUp: 0.04, earlyOrLateTrigger: 0.03, saturated: 0.02, carrier: 0.03
    }
  },
  testpulses: {amplitudes: [0.5, 1, 3, 5], interval_s: 10},
  noise: {interval_s: 10},
  baselineOffset_V: [-0.5, 0.5],
  artefacts: {
    squidMaxQuanta: 3,
    squidRamp_ms: [0.04, 0.4],
    spikeWidth_ms: [0.1, 1],
    spikeHeight_V: [0.5, 2],
    decayingOnset_ms: [-600, -200],
    decayingHeight_V: [1, 5],
    temperatureRise_V: [0.05, 0.5],
    pileUpDelay_ms: [5, 400],
    saturatedHeight: [1.5, 4]
  }
  };
}

export const CRESST_LIKE: DetectorPreset = cresstLike();
