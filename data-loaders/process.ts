// `pulsebook process config.yaml`: the whole DSP chain of one run, driven by the declarative
// processing config (lib/config/processConfig.ts, docs/processing-config.md).
//
//   pass 1  main parameters of every record of every group      → feature tables (in memory)
//   SEV     records chosen by a SQL predicate over the features → standard event per channel
//   NPS     noise records chosen the same way                   → noise power spectrum
//   OF      SEV + NPS                                           → optimum filter, resolution
//   pass 2  OF amplitude/time and SEV fit of every record       → more feature columns
//   calib.  test-pulse response + a known line                  → tpa_equivalent, energy_keV
//
// Records are streamed in chunks in both passes; only feature tables (a few dozen numbers per
// record) are held whole. Every output carries the config hash and the input's identity, and
// is written atomically, so an interrupted run never leaves a half-written table.

import {mkdirSync} from "node:fs";
import {join} from "node:path";
import * as arrow from "apache-arrow";
import {configHash, forChannel, type ProcessConfig} from "../lib/config/processConfig.js";
import {stableJson} from "../lib/hash.js";
import {calibrate, type Calibration} from "../lib/dsp/calibration.js";
import {computeFeatures, FEATURE_COLUMNS} from "../lib/dsp/features.js";
import {noisePowerSpectrum} from "../lib/dsp/nps.js";
import {measuredResolution, optimumFilter} from "../lib/dsp/optimumFilter.js";
import {ofBatch, type OfBatch} from "../lib/dsp/ofBatch.js";
import {fitRecord, prepareSevFit, SEV_FIT_COLUMNS, type SevFitPlan} from "../lib/dsp/sevFit.js";
import {StandardEventBuilder} from "../lib/dsp/standardEvent.js";
import {DataFileError, openCaitFile, type CaitFile} from "./io/node.js";
import {atomicWrite} from "./io/atomicWrite.js";
import {encodeParquet, type Columns} from "./io/parquet.js";
import {openFeatureDb, type FeatureDb} from "./io/sqlSelect.js";
import {chunkRecord, type RecordGroup, type RecordLayout} from "../lib/types.js";
import {concatColumns} from "./columns.js";
import {fileIdentity, FEATURES_FORMAT_VERSION, PULSEBOOK_VERSION} from "./provenance.js";

/** Version of the layout of a process output directory (tables, spectra, summary.json). */
export const PROCESS_OUTPUT_VERSION = "1";

export interface ChannelSummary {
  channel: number;
  sev?: {group: RecordGroup; records: number; selected: number; amplitude_V: number};
  nps?: {records: number; selected: number};
  optimumFilter?: {predictedResolution_V: number; measuredResolution_V: number; noiseRecords: number};
  calibration?: {
    cpe_keV_per_TPA: number; linePosition_keV: number; linePositionError_keV: number;
    sigma_keV: number; sigmaError_keV: number; fwhm_keV: number; unstableIntervals: number;
  };
}

export interface ProcessSummary {
  format_version: string;
  pulsebook_version: string;
  config_hash: string;
  config: Omit<ProcessConfig, "source">;
  input: ReturnType<typeof fileIdentity>;
  layout: RecordLayout;
  /** Output tables by group: file name and rows. */
  tables: {[G in RecordGroup]?: {file: string; rows: number; columns: string[]}};
  channels: ChannelSummary[];
  seconds: number;
}

export interface ProcessOptions {
  /** Progress messages (one line each). */
  log?: (message: string) => void;
  /** Events per HDF5 read. */
  chunkEvents?: number;
}

type Table = Columns & {event: Int32Array; channel: Int32Array};

/** Runs the chain described by `config`; writes its outputs to `config.output`; returns the summary. */
export async function runProcess(config: ProcessConfig, options: ProcessOptions = {}): Promise<ProcessSummary> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const chunkEvents = options.chunkEvents ?? 64;
  if (config.trigger.enabled) {
    throw new Error(`${config.source}: trigger is for continuous streams; a record file (${config.input}) is already triggered — set trigger: false`);
  }
  const file = await openCaitFile(config.input);
  const ofs = new Map<number, OfBatch>();
  try {
    const {layout, channels: fileChannels} = file.dataset;
    const nChannels = fileChannels.length;
    const channels = config.channels === "all" ? fileChannels.map((c) => c.index) : config.channels;
    for (const c of channels) {
      if (c >= nChannels) throw new Error(`${config.source}: channels lists ${c}, but ${config.input} has ${nChannels} channels`);
    }
    const need = (g: RecordGroup, why: string) => {
      if (!file.dataset.groups[g]) throw new DataFileError(config.input, `group "${g}" is missing, but ${why} needs it`, `${g}/event`);
    };
    for (const g of config.groups) need(g, "the config's groups");
    if (config.sev.enabled) need(config.sev.group, "sev.group");
    if (config.nps.enabled) need(config.nps.group, "nps.group");
    if (config.calibration.enabled) { need("events", "calibration"); need("testpulses", "calibration"); }

    // Pass 1: main parameters of every group the chain touches.
    const groups = [...new Set<RecordGroup>([
      ...config.groups,
      ...(config.sev.enabled ? [config.sev.group] : []),
      ...(config.nps.enabled ? [config.nps.group] : []),
      ...(config.calibration.enabled ? ["events", "testpulses"] as RecordGroup[] : [])
    ])];
    const tables = new Map<RecordGroup, Table>();
    for (const g of groups) {
      tables.set(g, featureTable(file, g, layout, chunkEvents));
      log(`features: ${g} ${tables.get(g)!.event.length} rows`);
    }

    const summaries: ChannelSummary[] = channels.map((channel) => ({channel}));
    const sevs = new Map<number, Float64Array>();
    const psds = new Map<number, Float64Array>();
    const arrays: Columns = {};

    if (config.sev.enabled) {
      const {group, selection, align, maxRecords} = config.sev;
      const picks = await selectPerChannel(tables.get(group)!, channels, (c) => forChannel(selection, c, "sev.selection"), "sev.selection");
      const builders = new Map(channels.map((c) => [c, new StandardEventBuilder(layout, {align})]));
      const chosen = new Map(channels.map((c) => [c, maxRecords === null ? picks.get(c)! : picks.get(c)!.subarray(0, maxRecords)]));
      forEachSelected(file, group, chosen, (c, record) => builders.get(c)!.add(record));
      for (const [i, c] of channels.entries()) {
        if (chosen.get(c)!.length === 0) throw new Error(`${config.source}: sev.selection selects no ${group} records of channel ${c}`);
        const sev = builders.get(c)!.result();
        sevs.set(c, sev.sev);
        arrays[`sev_ch${c}`] = sev.sev;
        summaries[i].sev = {group, records: sev.count, selected: picks.get(c)!.length, amplitude_V: sev.amplitude_V};
        log(`SEV ch${c}: ${sev.count} records, amplitude ${sev.amplitude_V.toFixed(4)} V`);
      }
    }

    let noisePicks: Map<number, Int32Array> | undefined;
    if (config.nps.enabled) {
      const {group, selection, window} = config.nps;
      noisePicks = await selectPerChannel(tables.get(group)!, channels, (c) => forChannel(selection, c, "nps.selection"), "nps.selection");
      for (const [i, c] of channels.entries()) {
        const picked = noisePicks.get(c)!;
        if (picked.length === 0) throw new Error(`${config.source}: nps.selection selects no ${group} records of channel ${c}`);
        const nps = noisePowerSpectrum(selectedRecords(file, group, picked, c), layout, {window});
        psds.set(c, nps.psd_V2_per_Hz);
        arrays.frequency_Hz ??= nps.frequency_Hz;
        arrays[`psd_ch${c}_V2_per_Hz`] = nps.psd_V2_per_Hz;
        summaries[i].nps = {records: nps.count, selected: picked.length};
        log(`NPS ch${c}: ${nps.count} records`);
      }
    }

    const ofConfig = config.optimumFilter;
    if (ofConfig.enabled) {
      if (!config.sev.enabled || !config.nps.enabled) throw new Error(`${config.source}: optimumFilter needs sev and nps enabled`);
      for (const [i, c] of channels.entries()) {
        const of = optimumFilter(sevs.get(c)!, psds.get(c)!, layout, {window: ofConfig.window ? "tukey" : "none", search: searchRange(ofConfig.search_ms, layout)});
        ofs.set(c, await ofBatch(of));
        const measured = measuredResolution(of, selectedRecords(file, config.nps.group, noisePicks!.get(c)!, c));
        arrays[`of_transfer_ch${c}_re`] = Float64Array.from({length: of.transfer.length / 2}, (_, k) => of.transfer[2 * k]);
        arrays[`of_transfer_ch${c}_im`] = Float64Array.from({length: of.transfer.length / 2}, (_, k) => of.transfer[2 * k + 1]);
        summaries[i].optimumFilter = {predictedResolution_V: of.resolution_V, measuredResolution_V: measured.sigma_V, noiseRecords: measured.count};
        log(`OF ch${c}: resolution predicted ${(of.resolution_V * 1e3).toFixed(4)} mV, measured ${(measured.sigma_V * 1e3).toFixed(4)} mV`);
      }
    }

    // Pass 2: per-record OF amplitudes and SEV fits.
    const fitConfig = config.sevFit;
    if (fitConfig.enabled && !config.sev.enabled) throw new Error(`${config.source}: sevFit needs sev enabled`);
    const plans = new Map<number, SevFitPlan>();
    if (fitConfig.enabled) {
      for (const c of channels) plans.set(c, prepareSevFit(sevs.get(c)!, layout, {baselineOrder: fitConfig.baselineOrder, maxShift_ms: fitConfig.maxShift_ms}));
    }
    if (ofs.size || plans.size) {
      for (const g of groups) {
        const table = tables.get(g)!;
        const rows = table.event.length;
        const extra: Columns = {};
        if (ofs.size) { extra.of_amplitude_V = nanArray(rows); extra.of_time_ms = nanArray(rows); }
        if (plans.size) for (const col of SEV_FIT_COLUMNS) extra[col.name] = nanArray(rows);
        for (const chunk of file.chunks(g, chunkEvents)) {
          for (let i = 0; i < chunk.count; i++) {
            for (const c of channels) {
              const row = (chunk.start + i) * nChannels + c;
              const record = chunkRecord(chunk, c, i);
              const of = ofs.get(c);
              if (of) {
                const a = of.amplitude(record);
                extra.of_amplitude_V[row] = a.amplitude_V;
                extra.of_time_ms[row] = a.time_ms;
              }
              const plan = plans.get(c);
              if (plan) {
                const level = forChannel(fitConfig.truncationLevel_V, c, "sevFit.truncationLevel_V") ?? undefined;
                let fit;
                try {
                  fit = fitRecord(plan, record, {truncationLevel_V: level});
                } catch (e) {
                  throw new Error(`${config.input} [${g}] event ${chunk.start + i}, channel ${c}: SEV fit failed (${(e as Error).message})`);
                }
                extra.fit_height_V[row] = fit.height_V;
                extra.fit_onset_shift_ms[row] = fit.onsetShift_ms;
                extra.fit_rms_V[row] = fit.rms_V;
              }
            }
          }
        }
        Object.assign(table, extra);
        log(`pass 2: ${g} done`);
      }
    }

    let calibration: Calibration | undefined;
    const cal = config.calibration;
    if (cal.enabled) {
      const ev = tables.get("events")!;
      const tp = tables.get("testpulses")!;
      const column = cal.amplitude;
      for (const t of [ev, tp]) if (!(column in t)) throw new Error(`${config.source}: calibration.amplitude is ${column}, which this run does not compute (enable the step that makes it)`);
      const linePicks = await selectPerChannel(ev, channels, (c) => forChannel(cal.lineSelection, c, "calibration.lineSelection"), "calibration.lineSelection");
      const lineRows = new Uint8Array(ev.event.length);
      for (const c of channels) for (const e of linePicks.get(c)!) lineRows[e * nChannels + c] = 1;
      const onChannels = (t: Table) => rowsWhere(t.channel, (c) => channels.includes(c));
      const evRows = onChannels(ev), tpRows = onChannels(tp);
      calibration = calibrate(
        {channel: take(ev.channel, evRows), hours: take(ev.hours, evRows) as Float64Array, amplitude_V: take(ev[column], evRows) as Float64Array},
        {channel: take(tp.channel, tpRows), hours: take(tp.hours, tpRows) as Float64Array, amplitude_V: take(tp[column], tpRows) as Float64Array, tpa: take(tp.tpa, tpRows) as Float64Array},
        {
          line_keV: cal.line_keV!, lineRows: take(lineRows, evRows) as unknown as Uint8Array,
          polyOrder: cal.polyOrder, interpolation: cal.interpolation, medianWindow: cal.medianWindow,
          maxGap_h: cal.maxGap_h ?? Infinity
        }
      );
      ev.tpa_equivalent = nanArray(ev.event.length);
      ev.energy_keV = nanArray(ev.event.length);
      evRows.forEach((r, k) => {
        ev.tpa_equivalent[r] = calibration!.tpa_equivalent[k];
        ev.energy_keV[r] = calibration!.energy_keV[k];
      });
      for (const ch of calibration.channels) {
        const s = summaries.find((x) => x.channel === ch.channel)!;
        s.calibration = {
          cpe_keV_per_TPA: ch.cpe_keV_per_TPA, linePosition_keV: ch.linePosition_keV, linePositionError_keV: ch.linePositionError_keV,
          sigma_keV: ch.sigma_keV, sigmaError_keV: ch.sigmaError_keV, fwhm_keV: ch.fwhm_keV, unstableIntervals: ch.unstable.length
        };
        log(`calibration ch${ch.channel}: line at ${ch.linePosition_keV.toFixed(3)} keV, σ ${ch.sigma_keV.toFixed(4)} keV`);
      }
    }

    // Outputs.
    mkdirSync(config.output, {recursive: true});
    const hash = configHash(config);
    const input = fileIdentity(config.input);
    const {source: _source, ...configShown} = config;
    const provenance = (table: string, extra: {[k: string]: string} = {}) => ({
      "pulsebook.version": PULSEBOOK_VERSION,
      "pulsebook.table": table,
      "pulsebook.process_format_version": PROCESS_OUTPUT_VERSION,
      "pulsebook.command": `pulsebook process ${config.source}`,
      "pulsebook.config_hash": hash,
      "pulsebook.config": stableJson(configShown),
      "pulsebook.input": JSON.stringify(input),
      "pulsebook.layout": JSON.stringify(layout),
      "pulsebook.channels": JSON.stringify(fileChannels),
      ...extra
    });
    const written: ProcessSummary["tables"] = {};
    // features: false keeps the tables internal (the selections still need them); only the
    // spectra, filter and summary are written.
    for (const g of config.features.enabled ? config.groups : []) {
      const table = tables.get(g)!;
      const name = `${g}.parquet`;
      atomicWrite(join(config.output, name), encodeParquet(table, provenance("features", {
        "pulsebook.group": g,
        "pulsebook.format_version": FEATURES_FORMAT_VERSION,
        "pulsebook.columns": JSON.stringify(FEATURE_COLUMNS)
      })));
      written[g] = {file: name, rows: table.event.length, columns: Object.keys(table)};
    }
    writeArrays(config.output, "sev.parquet", arrays, /^sev_/, layout, provenance("sev"));
    writeArrays(config.output, "nps.parquet", arrays, /^(frequency_Hz|psd_)/, layout, provenance("nps"));
    writeArrays(config.output, "optimum-filter.parquet", arrays, /^(frequency_Hz|of_transfer_)/, layout, provenance("optimum_filter"));
    const summary: ProcessSummary = {
      format_version: PROCESS_OUTPUT_VERSION,
      pulsebook_version: PULSEBOOK_VERSION,
      config_hash: hash,
      config: configShown,
      input,
      layout,
      tables: written,
      channels: summaries,
      seconds: (performance.now() - t0) / 1000
    };
    atomicWrite(join(config.output, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
    return summary;
  } finally {
    for (const of of ofs.values()) of.dispose();
    file.close();
  }
}

/** Feature table of one group (pass 1), with `tpa` for test pulses. */
function featureTable(file: CaitFile, group: RecordGroup, layout: RecordLayout, chunkEvents: number): Table {
  const parts: Columns[] = [];
  for (const chunk of file.chunks(group, chunkEvents)) {
    const {rows, ...cols} = computeFeatures(chunk, layout);
    const part = cols as Columns;
    if (chunk.testpulseAmplitude) {
      // Rows are event-major (row = i·nChannels + c): row r belongs to event ⌊r/nChannels⌋.
      part.tpa = Float64Array.from({length: rows}, (_, r) => chunk.testpulseAmplitude![Math.floor(r / chunk.nChannels)]);
    }
    parts.push(part);
  }
  return concatColumns(parts) as Table;
}

/** Per channel, the sorted events of `table` whose row of that channel satisfies the predicate. */
async function selectPerChannel(table: Table, channels: readonly number[], predicate: (c: number) => string, key: string): Promise<Map<number, Int32Array>> {
  let db: FeatureDb | undefined;
  try {
    db = await openFeatureDb(arrow.makeTable(table as {[name: string]: Int32Array | Float64Array}));
    const out = new Map<number, Int32Array>();
    for (const c of channels) {
      const where = predicate(c);
      try {
        out.set(c, db.selectEvents(where, {channel: c}));
      } catch (e) {
        throw new Error(`${key} (channel ${c}): ${(e as Error).message}`);
      }
    }
    return out;
  } finally {
    db?.close();
  }
}

/** Calls `fn(channel, record)` for every selected (event, channel), reading each event once. */
function forEachSelected(file: CaitFile, group: RecordGroup, picks: Map<number, Int32Array>, fn: (channel: number, record: Float32Array) => void): void {
  const byEvent = new Map<number, number[]>();
  for (const [c, events] of picks) for (const e of events) (byEvent.get(e) ?? byEvent.set(e, []).get(e)!).push(c);
  for (const e of [...byEvent.keys()].sort((a, b) => a - b)) {
    const records = file.readEvent(group, e);
    for (const c of byEvent.get(e)!) fn(c, records[c]);
  }
}

/** The records of one channel at the given events, read lazily. */
function* selectedRecords(file: CaitFile, group: RecordGroup, events: Int32Array, channel: number): Generator<Float32Array> {
  for (const e of events) yield file.readEvent(group, e)[channel];
}

/** Search range of the OF maximum in samples from `[from_ms, to_ms]` relative to the trigger. */
function searchRange(search_ms: [number, number] | null, layout: RecordLayout): [number, number] | undefined {
  if (!search_ms) return undefined;
  const at = (ms: number) => Math.round(layout.triggerIndex + (ms / 1000) * layout.sampleFrequency_Hz);
  return [Math.max(0, at(search_ms[0])), Math.min(layout.recordLength, at(search_ms[1]))];
}

function writeArrays(dir: string, name: string, arrays: Columns, pick: RegExp, layout: RecordLayout, metadata: {[k: string]: string}): void {
  const cols: Columns = {};
  for (const [k, v] of Object.entries(arrays)) if (pick.test(k)) cols[k] = v;
  if (Object.keys(cols).length === 0) return;
  if (pick.test("sev_")) cols.time_ms = Float64Array.from({length: layout.recordLength}, (_, i) => ((i - layout.triggerIndex) / layout.sampleFrequency_Hz) * 1000);
  atomicWrite(join(dir, name), encodeParquet(cols, metadata));
}

const nanArray = (n: number) => new Float64Array(n).fill(NaN);

function rowsWhere(x: Int32Array, keep: (v: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (keep(x[i])) out.push(i);
  return Int32Array.from(out);
}

function take<T extends Int32Array | Float64Array | Float32Array | Uint8Array>(x: T, rows: Int32Array): T {
  const out = new (x.constructor as new (n: number) => T)(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = x[rows[k]];
  return out;
}
