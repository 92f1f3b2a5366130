// The signal efficiency of a processed run, measured on the run itself: pulses of known energy
// (the run's standard event, scaled through the run's own calibration) added to the run's noise
// records (lib/sim/injectPulses.ts), then passed through what the run's events pass through —
// the OF trigger threshold, the feature and OF-amplitude code of `pulsebook process`, the cut
// files and the classifier — and counted (lib/stats/signalEfficiency.ts). The same selection
// is applied to the run's events for the spectrum after cleaning, and the run's live time gives
// the exposure. The processing chain is the one of the processing config (reused from its store).
import {computeFeatures, inUnit} from "../lib/dsp/features.js";
import {ofAmplitudeAt} from "../lib/dsp/optimumFilter.js";
import {ofBatch, type OfBatch} from "../lib/dsp/ofBatch.js";
import {thresholdForNoiseRate} from "../lib/dsp/trigger.js";
import {testPulseResponse, tpaEquivalent, type PolyOrder, type TestPulseResponse} from "../lib/dsp/calibration.js";
import {ConfigError, type ProcessConfig} from "../lib/config/processConfig.js";
import {hashJson} from "../lib/hash.js";
import {unitColumn} from "../lib/math/units.js";
import {concatColumns} from "../lib/io/columns.js";
import {runChain, type ChainRun} from "../lib/pipeline/index.js";
import {filterOf, PROCESS_STAGES} from "../lib/pipeline/process/index.js";
import {tableOf, type Columns} from "../lib/pipeline/process/context.js";
import type {CalibrationJson} from "../lib/pipeline/process/calibration.js";
import {amplitudeColumn} from "../lib/pipeline/process/calibration.js";
import type {OptimumFilterJson} from "../lib/pipeline/process/optimumFilter.js";
import type {Cut} from "../lib/cuts/cut.js";
import {parseTreeModel} from "../lib/ml/trees/treeModelFile.js";
import {featureMatrix} from "../lib/ml/trees/treeData.js";
import {predictProba, type TreeEnsemble} from "../lib/ml/trees/trees.js";
import {injectedChunk, injectionPlan, type Injection} from "../lib/sim/injectPulses.js";
import {efficiencyTable, exposure, type EfficiencyTable, type Exposure} from "../lib/stats/signalEfficiency.js";
import {chunkRecord, type EventChunk} from "../lib/types.js";
import {applyCuts} from "./cuts.js";
import {encodeParquet} from "./io/parquet.js";
import {readText} from "./io/readFile.js";
import {openRun} from "./process.js";
import {join} from "node:path";

/** A classifier of feature rows: a boosted-tree model file and the probability it must reach. */
export interface TreeClassifier {
  name: string;
  model: TreeEnsemble;
  cutoff: number;
}

/** A shipped or user tree model directory (models/trees-*), as a classifier. */
export function readTreeClassifier(dir: string, name: string, cutoff = 0.5): TreeClassifier {
  const file = join(dir, "trees.json");
  return {name, model: parseTreeModel(readText(file, "tree model"), file).model, cutoff};
}

export interface RunEfficiencyOptions {
  /** Channel whose pulses are injected and whose energy the limit uses (default 0, phonon). */
  channel?: number;
  /** Injected energies, keV (default: 24 log-spaced from 0.2× the trigger threshold's energy to 20× it or `energiesUpTo_keV`, the larger). */
  energies_keV?: number[];
  energiesUpTo_keV?: number;
  /** Pulses per energy (default 200). */
  perEnergy?: number;
  /** Noise records read (evenly spaced through the run) to inject into (default 500: 64 MB for two channels of 16384 samples). */
  maxNoiseRecords?: number;
  /** Trigger threshold in filtered-baseline σ (default: the config's trigger.threshold_sigma). */
  threshold_sigma?: number;
  /** Onset jitter of the injected pulses, ms (default 1). */
  jitter_ms?: number;
  cuts?: readonly {file: string; cut: Cut}[];
  classifier?: TreeClassifier;
  /** Target mass, kg (default 0.0236: a CRESST-III CaWO4 crystal). */
  mass_kg?: number;
  seed?: number;
  log?: (message: string) => void;
}

export interface RunEfficiency {
  channel: number;
  threshold_V: number;
  threshold_keV: number;
  resolution_V: number;
  /** keV per amplitude unit near threshold (the calibration's slope at small amplitude). */
  keV_per_unit: number;
  table: EfficiencyTable;
  /** Per injection: energy, reconstructed energy, and which steps it passed. */
  injections: {energy_keV: Float64Array; reconstructed_keV: Float64Array; pass: {[step: string]: Uint8Array}};
  /** The run's events: energy and whether each survived every step (same steps as the table). */
  events: {event: Int32Array; energy_keV: Float64Array; pass: {[step: string]: Uint8Array}};
  exposure: Exposure;
  /** Identity of what the efficiency depends on: the chain's stage lineages and the options. */
  lineage: string;
  parameters: object;
}

const DEFAULT_MASS_KG = 0.0236;

/** Loads (from the store) or computes the chain of `config`. The caller closes `run.file`. */
async function chainOf(config: ProcessConfig, log: (m: string) => void) {
  const run = await openRun(config, {log});
  try {
    const chain = await runChain(PROCESS_STAGES, config, {versions: run.versions, inputIdentity: run.identity, context: run.context, store: run.store, log});
    return {run, chain};
  } catch (e) {
    run.file.close();
    throw e;
  }
}

/** The event or test-pulse table of a chain: every stage's columns of that group. */
function groupTable(chain: ChainRun, group: "events" | "testpulses" | "noise"): Columns {
  return Object.assign({}, ...["features", "ofAmplitude", "sevFit", "calibration"].map((s) => tableOf(chain.outputs.get(s), group))) as Columns;
}

function rowsOfChannel(t: Columns, c: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < t.channel.length; r++) if (t.channel[r] === c) out.push(r);
  return out;
}

/**
 * Efficiency, spectrum after cleaning and exposure of the run `config` describes. Needs the
 * config's sev, optimumFilter and calibration steps (the energy scale of the injected pulses).
 */
export async function runEfficiency(config: ProcessConfig, o: RunEfficiencyOptions = {}): Promise<RunEfficiency> {
  const log = o.log ?? (() => {});
  const channel = o.channel ?? 0;
  for (const [key, on] of [["sev", config.sev.enabled], ["optimumFilter", config.optimumFilter.enabled], ["calibration", config.calibration.enabled]] as const) {
    if (!on) throw new ConfigError(config.source, key, "must be enabled: the efficiency injects the standard event through the optimum filter and calibration");
  }
  const {run, chain} = await chainOf(config, log);
  const batches: OfBatch[] = [];
  try {
    const {file} = run;
    const {layout, unit} = run.dataset;
    const nChannels = run.dataset.channels.length;
    if (!run.channels.includes(channel)) throw new ConfigError(config.source, "channels", `does not include channel ${channel}, whose efficiency was asked for`);
    if (!file.dataset.groups.noise) throw new ConfigError(config.source, "input", `${config.input} has no noise records to inject pulses into`);
    const sevOut = chain.outputs.get("sev")!, ofOut = chain.outputs.get("optimumFilter")!;
    const ofJson = ofOut.json as OptimumFilterJson;
    const calJson = chain.outputs.get("calibration")!.json as CalibrationJson;
    const sev = (c: number) => (sevOut.arrays[`sev_ch${c}`] as Float64Array | undefined) ?? null;
    const of = filterOf(ofOut, channel);
    const resolution_V = ofJson.channels.find((x) => x.channel === channel)!.summary.predictedResolution_V;
    // The trigger of the config: k σ of the filtered baseline, or the level noise alone crosses at a given rate.
    let threshold_sigma = o.threshold_sigma ?? config.trigger.threshold_sigma;
    if (threshold_sigma === null) {
      const psd = chain.outputs.get("nps")!.arrays[`psd_ch${channel}_V2_per_Hz`];
      threshold_sigma = thresholdForNoiseRate(of, psd, config.trigger.noise_rate_Hz!).threshold_V / resolution_V;
    }
    const threshold_V = threshold_sigma * resolution_V;
    const cpe = calJson.channels.find((x) => x.channel === channel)?.cpe_keV_per_TPA;
    if (cpe === undefined) throw new ConfigError(config.source, "calibration", `gave no energy scale for channel ${channel} (no test pulses on it?)`);

    // The calibration of `pulsebook process`, rebuilt from the run's test pulses: energy of an amplitude at a time.
    const ampCol = amplitudeColumn(config.calibration.amplitude, unit);
    const tp = groupTable(chain, "testpulses");
    const tpRows = rowsOfChannel(tp, channel);
    const cal = config.calibration;
    const response: TestPulseResponse = testPulseResponse({
      hours: Float64Array.from(tpRows, (r) => tp.hours[r]), tpa: Float64Array.from(tpRows, (r) => tp.tpa[r]), amplitude_V: Float64Array.from(tpRows, (r) => tp[ampCol][r])
    }, {interpolation: cal.interpolation, medianWindow: cal.medianWindow, maxGap_h: cal.maxGap_h ?? Infinity});
    const tpaOptions = {polyOrder: cal.polyOrder as PolyOrder};
    const energyOf = (hours: ArrayLike<number>, amplitude: ArrayLike<number>) =>
      tpaEquivalent(response, hours, amplitude, tpaOptions).tpaEquivalent.map((x) => cpe * x);
    // Amplitudes giving energies E at times h: bisection on the monotone calibration.
    const amplitudeFor = (hours: Float64Array, E: Float64Array) => {
      const lo = new Float64Array(E.length), hi = new Float64Array(E.length).fill(1e-3);
      for (let it = 0; it < 60; it++) {
        const e = energyOf(hours, hi);
        let grown = false;
        e.forEach((v, i) => { if (!(v >= E[i])) { hi[i] *= 2; grown = true; } });
        if (!grown) break;
      }
      for (let it = 0; it < 60; it++) {
        const mid = lo.map((l, i) => 0.5 * (l + hi[i]));
        energyOf(hours, mid).forEach((v, i) => { if (v < E[i]) lo[i] = mid[i]; else hi[i] = mid[i]; });
      }
      return lo.map((l, i) => 0.5 * (l + hi[i]));
    };
    const hoursAll = Float64Array.from(tpRows, (r) => tp.hours[r]);
    const midHours = hoursAll.length ? hoursAll[hoursAll.length >> 1] : 0;
    const keV_per_unit = energyOf([midHours], [10 * resolution_V])[0] / (10 * resolution_V);
    const threshold_keV = threshold_V * keV_per_unit;

    // Amplitude column → record scale of the standard event (what a pulse of amplitude 1 adds).
    const sevC = sev(channel);
    if (!sevC) throw new ConfigError(config.source, "sev", `made no standard event for channel ${channel}`);
    let sevPeak = 0;
    for (const v of sevC) sevPeak = Math.max(sevPeak, v);
    const unitAmplitude = /^of_amplitude/.test(ampCol) ? ofAmplitudeAt(of, sevC) : sevPeak;

    // Noise records of the run, every channel, with their times: at most maxNoiseRecords, evenly spaced.
    const inFile = file.count("noise");
    const noiseCount = Math.min(inFile, o.maxNoiseRecords ?? 500);
    const wanted = new Set(Array.from({length: noiseCount}, (_, k) => Math.floor((k * inFile) / noiseCount)));
    const noise: {samples: Float32Array[]; hours: number}[] = [];
    for (const chunk of file.chunks("noise", 64)) {
      for (let i = 0; i < chunk.count; i++) {
        if (wanted.has(chunk.start + i)) noise.push({samples: Array.from({length: nChannels}, (_, c) => chunkRecord(chunk, c, i).slice()), hours: chunk.hours[i]});
      }
    }
    if (noiseCount === 0) throw new ConfigError(config.source, "input", `${config.input} has no noise records to inject pulses into`);
    const top = Math.max(20 * threshold_keV, o.energiesUpTo_keV ?? 0), bottom = 0.2 * threshold_keV;
    const energies = o.energies_keV ?? Array.from({length: 24}, (_, i) => bottom * (top / bottom) ** (i / 23));
    const perEnergy = o.perEnergy ?? 200;
    const jitter_ms = o.jitter_ms ?? 1;
    const seed = o.seed ?? 1;
    const plan: Injection[] = injectionPlan({energies_keV: energies, perEnergy, noiseRecords: noiseCount, jitterSamples: (jitter_ms / 1000) * layout.sampleFrequency_Hz, seed});
    log(`efficiency: ${plan.length} pulses (${energies.length} energies × ${perEnergy}) into ${noiseCount} noise records of channel ${channel}; trigger ${threshold_sigma} σ = ${threshold_keV.toFixed(4)} keV`);

    // Injected events processed as `process` does: features, OF amplitude (trigger and energy).
    const ofs = new Map<number, OfBatch>();
    for (const c of run.channels) {
      try {
        const b = await ofBatch(filterOf(ofOut, c));
        batches.push(b);
        ofs.set(c, b);
      } catch { /* a channel without a filter has no OF column */ }
    }
    const parts: Columns[] = [];
    const amplitudeTrue = new Float64Array(plan.length);
    const BATCH = 64;
    for (let start = 0; start < plan.length; start += BATCH) {
      const slice = plan.slice(start, start + BATCH);
      const hours = Float64Array.from(slice, (p) => noise[p.noiseEvent].hours);
      const amp = amplitudeFor(hours, Float64Array.from(slice, (p) => p.energy_keV));
      amp.forEach((a, i) => (amplitudeTrue[start + i] = a));
      const amplitudes = Array.from({length: nChannels}, (_, c) => (c === channel ? amp.map((a) => a / unitAmplitude) : null));
      const chunk: EventChunk = injectedChunk(slice, (e) => noise[e], Array.from({length: nChannels}, (_, c) => sev(c)), amplitudes, start);
      const {rows: _rows, ...f} = computeFeatures(chunk, layout);
      const part = inUnit(f as unknown as Columns, unit);
      const ofA = new Float64Array(part.event.length).fill(NaN);
      for (let i = 0; i < chunk.count; i++) for (const [c, b] of ofs) ofA[i * nChannels + c] = b.amplitude(chunkRecord(chunk, c, i)).amplitude_V;
      part[unitColumn("of_amplitude_V", unit)] = ofA;
      parts.push(part);
    }
    const inj = concatColumns(parts);
    const evt = groupTable(chain, "events");
    const ofName = unitColumn("of_amplitude_V", unit);
    const selection = async (t: Columns, name: string) => selectionSteps(t, name, {channel, ofName, threshold_V, cuts: o.cuts ?? [], classifier: o.classifier, nChannels});
    const injPass = await selection(inj, "injected events");
    const evPass = await selection(evt, "events");

    const injRows = rowsOfChannel(inj, channel);
    const reconstructed = energyOf(Float64Array.from(injRows, (r) => inj.hours[r]), Float64Array.from(injRows, (r) => inj[ampCol]?.[r] ?? NaN));
    const energy_keV = Float64Array.from(plan, (p) => p.energy_keV);
    const table = efficiencyTable(energy_keV, Object.entries(injPass).map(([name, pass]) => ({name, pass})));

    const evRows = rowsOfChannel(evt, channel);
    // Live time: the span of every record of the run; dead time: a record length after each
    // recorded trigger (events and test pulses: the DAQ is busy); removed: unstable intervals.
    let first = Infinity, last = -Infinity;
    for (const g of ["events", "testpulses", "noise"] as const) {
      const h = tableOf(chain.outputs.get("features"), g).hours;
      if (h) for (const x of h) { first = Math.min(first, x); last = Math.max(last, x); }
    }
    const record_h = layout.recordLength / layout.sampleFrequency_Hz / 3600;
    const triggered = file.count("events") + (file.dataset.groups.testpulses ? file.count("testpulses") : 0);
    const exp = exposure({
      mass_kg: o.mass_kg ?? DEFAULT_MASS_KG,
      live_h: last - first + record_h,
      dead_h: triggered * record_h,
      removed_h: response.unstable.reduce((s, u) => s + (u.end_h - u.start_h), 0)
    });
    const parameters = {
      channel, energies_keV: energies, perEnergy, noiseRecords: noiseCount, jitter_ms, seed, threshold_sigma, mass_kg: exp.mass_kg,
      cuts: (o.cuts ?? []).map((c) => c.cut), classifier: o.classifier ? {name: o.classifier.name, cutoff: o.classifier.cutoff, model: hashJson(o.classifier.model)} : null
    };
    return {
      channel, threshold_V, threshold_keV, resolution_V, keV_per_unit, table,
      injections: {energy_keV, reconstructed_keV: reconstructed, pass: injPass},
      events: {
        event: Int32Array.from(evRows, (r) => evt.event[r]),
        energy_keV: Float64Array.from(evRows, (r) => evt.energy_keV[r]),
        pass: evPass
      },
      exposure: exp,
      lineage: hashJson({stages: chain.stages.map((s) => s.lineage), parameters}),
      parameters
    };
  } finally {
    for (const b of batches) b.dispose();
    run.file.close();
  }
}

/**
 * Per event of `t` (events in row order of `channel`): passed the trigger (OF amplitude of the
 * channel above threshold), each cut (in order), the classifier. Flags are per step, not
 * cumulative; efficiencyTable accumulates them.
 */
async function selectionSteps(t: Columns, name: string, s: {channel: number; ofName: string; threshold_V: number; cuts: readonly {file: string; cut: Cut}[]; classifier?: TreeClassifier; nChannels: number}): Promise<{[step: string]: Uint8Array}> {
  const rows = rowsOfChannel(t, s.channel);
  const steps: {[step: string]: Uint8Array} = {};
  steps.trigger = Uint8Array.from(rows, (r) => (t[s.ofName][r] > s.threshold_V ? 1 : 0));
  if (s.cuts.length) {
    const bytes = encodeParquet(t as Parameters<typeof encodeParquet>[0]);
    const report = await applyCuts(bytes, s.cuts.map((c) => c.cut), name);
    const position = new Map<number, number>();
    report.events.forEach((e, i) => position.set(e, i));
    s.cuts.forEach((c, k) => {
      steps[`cut: ${c.cut.name}`] = Uint8Array.from(rows, (r) => report.passes[k][position.get(t.event[r])!]);
    });
  }
  if (s.classifier) {
    const picked = Object.fromEntries(s.classifier.model.features.map((f) => [f, t[f] ? Float64Array.from(rows, (r) => t[f][r]) : undefined]));
    const p = predictProba(s.classifier.model, featureMatrix(picked, s.classifier.model.features));
    steps[`classifier: ${s.classifier.name}`] = Uint8Array.from(p, (x) => (x >= s.classifier!.cutoff ? 1 : 0));
  }
  return steps;
}
