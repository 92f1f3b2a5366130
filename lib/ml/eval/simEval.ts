// The paper's evaluation on simulated data (Sec. 4.2): recall on clean pulses against SNR,
// integrated over SNR 3–300 (IOR), and selectivity on two-pulse pile-up against onset
// difference and relative height, integrated over the whole range (IOS). Pulses are the
// detector's own shape put on its simulated noise traces; SNR = pulse height / σ of the
// downsampled baseline noise. Records are drawn uniformly over the region, so the integrals
// normalised by the region's size are the fractions accepted (resp. rejected).
import {chunkRecord} from "../../types.js";
import {Rng} from "../../math/random.js";
import {addPulse} from "../../dsp/pulseModel.js";
import {simulateChunk} from "../../sim/simulate.js";
import type {DetectorPreset} from "../../sim/presets.js";
import {downsampledNoiseSigma} from "../data/simDetectors.js";
import {MODEL_SAMPLES, preprocessRecord} from "../data/preprocess.js";

export interface SimulatedProbe {
  /** n × 512 preprocessed records. */
  x: Float32Array;
  /** SNR of the (first) pulse. */
  snr: Float64Array;
  /** Pile-up only: onset of the second pulse after the first, ms. */
  onsetDifference_ms?: Float64Array;
  /** Pile-up only: height of the second pulse / height of the first. */
  relativeHeight?: Float64Array;
  /** Pile-up only: SNR of the second pulse. */
  secondSnr?: Float64Array;
  /** With `keepRaw`: the full-length records before preprocessing, n × recordLength (float32,
   *  as a file stores them), for classifiers on features computed from raw records (trees). */
  raw?: Float32Array;
}

export interface ProbeOptions {
  /** Keep the raw records (`raw`); the preprocessed `x` is the same either way. */
  keepRaw?: boolean;
}

/**
 * How pile-up probes are drawn. "later-smaller": second pulse after the first, height uniform in
 * (0, 1) × the first. "paper": the reading of the paper's Sec. 4.2 ("PHs between zero and three
 * hundred SNR … the second is placed randomly within the window"): both heights uniform in
 * `snr` independently, the second onset uniform over the whole window (before or after the first).
 */
export type PileUpReading = "later-smaller" | "paper";

function probes(preset: DetectorPreset, channel: number, count: number, seed: number, pileUp: PileUpReading | null, snr: [number, number], opts: ProbeOptions = {}): SimulatedProbe {
  const ch = preset.channels[channel];
  const {layout} = preset;
  const sigma = downsampledNoiseSigma(preset, seed ^ 0x51)[channel];
  const rng = new Rng(seed, 0x10b);
  const out: SimulatedProbe = {x: new Float32Array(count * MODEL_SAMPLES), snr: new Float64Array(count)};
  if (pileUp) {
    out.onsetDifference_ms = new Float64Array(count);
    out.relativeHeight = new Float64Array(count);
    out.secondSnr = new Float64Array(count);
  }
  const after_ms = ((layout.recordLength - layout.triggerIndex) / layout.sampleFrequency_Hz) * 1000;
  const before_ms = (layout.triggerIndex / layout.sampleFrequency_Hz) * 1000;
  const rec = new Float64Array(layout.recordLength);
  if (opts.keepRaw) out.raw = new Float32Array(count * layout.recordLength);
  for (let start = 0; start < count; start += 256) {
    const n = Math.min(256, count - start);
    const {chunk} = simulateChunk(preset, {group: "noise", start, count: n, seed});
    for (let i = 0; i < n; i++) {
      const k = start + i;
      rec.set(chunkRecord(chunk, channel, i));
      const s = rng.uniformIn(snr[0], snr[1]);
      out.snr[k] = s;
      addPulse(rec, ch.pulse, layout, s * sigma, 0);
      if (pileUp) {
        const paper = pileUp === "paper";
        const d = paper ? rng.uniformIn(-before_ms, after_ms) : rng.uniformIn(0, after_ms);
        const s2 = paper ? rng.uniformIn(snr[0], snr[1]) : rng.uniform() * s;
        out.onsetDifference_ms![k] = d;
        out.relativeHeight![k] = s > 0 ? s2 / s : Infinity;
        out.secondSnr![k] = s2;
        addPulse(rec, ch.pulse, layout, s2 * sigma, d);
      }
      out.raw?.set(rec, k * layout.recordLength);
      preprocessRecord(rec, out.x.subarray(k * MODEL_SAMPLES, (k + 1) * MODEL_SAMPLES));
    }
  }
  return out;
}

/** Clean pulses of channel `channel` with SNR uniform in `snr` (default 3–300). */
export function simulatedCleanPulses(preset: DetectorPreset, channel: number, count: number, seed: number, snr: [number, number] = [3, 300], opts: ProbeOptions = {}): SimulatedProbe {
  return probes(preset, channel, count, seed, null, snr, opts);
}

/**
 * Pile-up: first pulse at the trigger with SNR uniform in `snr`, second pulse after it by an
 * onset difference uniform over the rest of the window, height uniform in (0, 1) × the first.
 */
export function simulatedPileUps(preset: DetectorPreset, channel: number, count: number, seed: number, snr: [number, number] = [3, 300], opts: ProbeOptions = {}): SimulatedProbe {
  return probes(preset, channel, count, seed, "later-smaller", snr, opts);
}

/**
 * Pile-up as the paper reads (Sec. 4.2): first pulse at the trigger, second anywhere in the
 * window, both heights uniform in `snr` (default 0–300) independently.
 */
export function simulatedPileUpsAnywhere(preset: DetectorPreset, channel: number, count: number, seed: number, snr: [number, number] = [0, 300], opts: ProbeOptions = {}): SimulatedProbe {
  return probes(preset, channel, count, seed, "paper", snr, opts);
}

/** Relative difference of the two pulse heights, |h1 − h2| / max(h1, h2), in [0, 1]. */
export function relativeHeightDifference(snr1: number, snr2: number): number {
  const m = Math.max(snr1, snr2);
  return m > 0 ? Math.abs(snr1 - snr2) / m : 0;
}

export interface BinnedRate {
  lo: number;
  hi: number;
  n: number;
  rate: number;
}

/** Fraction of `accepted` (or rejected) per bin of `value`. */
export function binnedRate(value: ArrayLike<number>, prob: ArrayLike<number>, edges: number[], accepted: boolean, cutoff = 0.5): BinnedRate[] {
  return edges.slice(0, -1).map((lo, b) => {
    const hi = edges[b + 1];
    let n = 0, k = 0;
    for (let i = 0; i < value.length; i++) {
      if (value[i] < lo || value[i] >= hi) continue;
      n++;
      if ((prob[i] >= cutoff) === accepted) k++;
    }
    return {lo, hi, n, rate: k / n};
  });
}

/** IOR: recall integrated over the SNR range, normalised by its width (mean recall there). */
export function integralOverRecall(prob: ArrayLike<number>, snr: ArrayLike<number>, range: [number, number] = [3, 300], cutoff = 0.5): number {
  let n = 0, k = 0;
  for (let i = 0; i < prob.length; i++) {
    if (snr[i] < range[0] || snr[i] > range[1]) continue;
    n++;
    if (prob[i] >= cutoff) k++;
  }
  return k / n;
}

/** IOS: selectivity over the whole sampled (onset difference × relative height) region. */
export function integralOverSelectivity(prob: ArrayLike<number>, cutoff = 0.5): number {
  let k = 0;
  for (let i = 0; i < prob.length; i++) if (prob[i] < cutoff) k++;
  return k / prob.length;
}

export interface GridCell {
  /** Onset difference / record window, bin centre. */
  onset: number;
  /** Relative height difference, bin centre. */
  relativeDifference: number;
  n: number;
  rate: number;
}

export interface SimulationEvaluation {
  ior: number;
  /** IOS on pile-up drawn as the paper reads (see PileUpReading "paper"). */
  ios: number;
  /** IOS on pile-up whose second pulse comes later and is smaller (a harder region). */
  iosLaterSmaller: number;
  recallBySnr: BinnedRate[];
  /** Paper reading: selectivity by onset difference as a fraction of the record window (−¼ … ¾). */
  selectivityByOnsetWindow: BinnedRate[];
  /** Paper reading: selectivity by relative height difference |h1 − h2| / max(h1, h2). */
  selectivityByRelativeDifference: BinnedRate[];
  /** Paper reading: selectivity over onset difference × relative height difference (Fig. 6 right). */
  selectivityGrid: GridCell[];
  /** Later–smaller reading: selectivity by onset difference (fraction of the window after the trigger). */
  selectivityByOnset: BinnedRate[];
  /** Later–smaller reading: selectivity by relative height of the second pulse. */
  selectivityByRelativeHeight: BinnedRate[];
  records: number;
}

/** Selectivity (fraction below `cutoff`) on a grid of `nx` × `ny` bins over [x0, x1] × [0, 1]. */
export function selectivityGrid(x: ArrayLike<number>, y: ArrayLike<number>, prob: ArrayLike<number>, [x0, x1]: [number, number], nx: number, ny: number, cutoff = 0.5): GridCell[] {
  const n = new Int32Array(nx * ny), k = new Int32Array(nx * ny);
  for (let i = 0; i < prob.length; i++) {
    const ix = Math.min(nx - 1, Math.max(0, Math.floor(((x[i] - x0) / (x1 - x0)) * nx)));
    const iy = Math.min(ny - 1, Math.max(0, Math.floor(y[i] * ny)));
    n[iy * nx + ix]++;
    if (prob[i] < cutoff) k[iy * nx + ix]++;
  }
  const cells: GridCell[] = [];
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const c = iy * nx + ix;
      cells.push({onset: x0 + ((ix + 0.5) * (x1 - x0)) / nx, relativeDifference: (iy + 0.5) / ny, n: n[c], rate: n[c] ? k[c] / n[c] : NaN});
    }
  }
  return cells;
}

/**
 * IOR and IOS of a classifier on the phonon channel of each preset (`count` clean pulses and
 * `count` pile-ups of each reading per preset), pooled. `predict` maps preprocessed records to
 * probabilities; it also gets the probe (with its raw records when `keepRaw`) and its preset,
 * so that a classifier on features of the raw records (the boosted trees) scores the same
 * records.
 */
export async function evaluateOnSimulation(
  predict: (x: Float32Array, probe: SimulatedProbe, preset: DetectorPreset) => Promise<ArrayLike<number>>,
  presets: DetectorPreset[], count: number, seed: number, opts: ProbeOptions = {}
): Promise<SimulationEvaluation> {
  const snr: number[] = [], pClean: number[] = [], pPile: number[] = [], onsetFrac: number[] = [], rel: number[] = [];
  const pAny: number[] = [], onsetWindow: number[] = [], relDiff: number[] = [];
  for (const [k, preset] of presets.entries()) {
    const clean = simulatedCleanPulses(preset, 0, count, seed + 2 * k, undefined, opts);
    pClean.push(...Array.from(await predict(clean.x, clean, preset)));
    snr.push(...clean.snr);
    const pile = simulatedPileUps(preset, 0, count, seed + 2 * k + 1, undefined, opts);
    pPile.push(...Array.from(await predict(pile.x, pile, preset)));
    const {layout} = preset;
    const window_ms = (layout.recordLength / layout.sampleFrequency_Hz) * 1000;
    const after_ms = ((layout.recordLength - layout.triggerIndex) / layout.sampleFrequency_Hz) * 1000;
    onsetFrac.push(...[...pile.onsetDifference_ms!].map((d) => d / after_ms));
    rel.push(...pile.relativeHeight!);
    // Seeds of the third probe set continue past those of the first two (seed + 2·presets + k).
    const any = simulatedPileUpsAnywhere(preset, 0, count, seed + 2 * presets.length + k, undefined, opts);
    pAny.push(...Array.from(await predict(any.x, any, preset)));
    onsetWindow.push(...[...any.onsetDifference_ms!].map((d) => d / window_ms));
    for (let i = 0; i < count; i++) relDiff.push(relativeHeightDifference(any.snr[i], any.secondSnr![i]));
  }
  const snrEdges = [3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300.0001];
  const unitEdges = Array.from({length: 11}, (_, i) => i / 10);
  unitEdges[10] = 1.0001;
  const windowEdges = Array.from({length: 21}, (_, i) => -0.25 + i / 20);
  windowEdges[20] = 0.7501;
  return {
    ior: integralOverRecall(pClean, snr),
    ios: integralOverSelectivity(pAny),
    iosLaterSmaller: integralOverSelectivity(pPile),
    recallBySnr: binnedRate(snr, pClean, snrEdges, true),
    selectivityByOnsetWindow: binnedRate(onsetWindow, pAny, windowEdges, false),
    selectivityByRelativeDifference: binnedRate(relDiff, pAny, unitEdges, false),
    selectivityGrid: selectivityGrid(onsetWindow, relDiff, pAny, [-0.25, 0.75], 20, 10),
    selectivityByOnset: binnedRate(onsetFrac, pPile, unitEdges, false),
    selectivityByRelativeHeight: binnedRate(rel, pPile, unitEdges, false),
    records: 3 * count * presets.length
  };
}
