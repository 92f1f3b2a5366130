// Writing cait-layout HDF5 chunk by chunk, so that a simulation of any size never holds more
// than one chunk in memory. Datasets are created at their final size (chunked storage, one
// HDF5 chunk = 8 records of one channel) and filled with hyperslab writes.

import type {Dataset as H5Dataset, File as H5File, Group as H5Group} from "h5wasm";
import type {H5Module} from "./caitFile.js";
import type {EventChunk, RecordGroup, RecordLayout} from "../types.js";
import type {MetaValue} from "./par.js";
import {CAIT_META, type TraceMeta} from "./caitMeta.js";

export interface GroupSpec {
  group: RecordGroup;
  /** Number of events the group will hold. */
  count: number;
  /** Write `labels` (channel × event, float64 like cait's simulated files). */
  labels?: boolean;
  /** Write `time_s`, `time_mus` (int32) per event, as cait's raw conversion. */
  times?: boolean;
  /** Write `dac_output` (float64) per event, as cait's raw conversion. */
  dacOutput?: boolean;
}

export interface WriterSpec {
  layout: RecordLayout;
  /** Channel numbers, written as cait's root attributes Ch_1, Ch_2, … */
  channelNumbers: number[];
  groups: GroupSpec[];
  /** Provenance written as root attributes (strings). */
  attributes?: {[name: string]: string};
  /** More `metainfo/<name>` scalars (cait's from the .par file); record_length and sample_frequency come from `layout`. */
  metainfo?: {[name: string]: MetaValue};
  /**
   * What the maker knows of the records beyond cait's metainfo: unit, trigger index and channel
   * names, under the names of lib/io/caitMeta.ts. Left out, readers assume cait's defaults and
   * say so; so only what is known is written.
   */
  meta?: TraceMeta;
}

const RECORDS_PER_H5_CHUNK = 8;

function extendable(g: H5Group, name: string, shape: number[], dtype: string, chunks: number[]): H5Dataset {
  const empty = shape.map((n, i) => (i === shape.length - (shape.length === 3 ? 2 : 1) ? 0 : n));
  const maxshape = shape.map((n, i) => (empty[i] === 0 ? null : n));
  const ds = g.create_dataset({name, data: new Float64Array(0), shape: empty, maxshape, chunks, dtype});
  ds.resize(shape);
  return ds;
}

export class CaitWriter {
  private readonly h5: H5File;
  private readonly spec: WriterSpec;

  constructor(h5wasm: H5Module, path: string, spec: WriterSpec) {
    this.spec = spec;
    this.h5 = new h5wasm.File(path, "w");
    const nChannels = spec.channelNumbers.length;
    const L = spec.layout.recordLength;
    spec.channelNumbers.forEach((c, i) => this.h5.create_attribute(`Ch_${i + 1}`, BigInt64Array.of(BigInt(c)), [], "<q"));
    for (const [name, value] of Object.entries(spec.attributes ?? {})) this.h5.create_attribute(name, value);
    const meta = this.h5.create_group("metainfo");
    meta.create_dataset({name: "record_length", data: BigInt64Array.of(BigInt(L)), shape: [], dtype: "<q"});
    const fs = spec.layout.sampleFrequency_Hz;
    meta.create_dataset(Number.isInteger(fs)
      ? {name: "sample_frequency", data: BigInt64Array.of(BigInt(fs)), shape: [], dtype: "<q"}
      : {name: "sample_frequency", data: Float64Array.of(fs), shape: [], dtype: "<d"});
    for (const [name, {value, dtype}] of Object.entries(spec.metainfo ?? {})) {
      if (name === "record_length" || name === "sample_frequency") continue;
      meta.create_dataset(dtype === "<q"
        ? {name, data: BigInt64Array.of(BigInt(value)), shape: [], dtype}
        : {name, data: Float64Array.of(value), shape: [], dtype});
    }
    const {unit, pretriggerIndex, channelNames} = spec.meta ?? {};
    if (unit !== undefined) meta.create_dataset({name: CAIT_META.unit, data: unit});
    if (pretriggerIndex !== undefined) meta.create_dataset({name: CAIT_META.pretriggerIndex, data: BigInt64Array.of(BigInt(pretriggerIndex)), shape: [], dtype: "<q"});
    if (channelNames !== undefined) {
      if (channelNames.length !== nChannels) throw new Error(`${channelNames.length} channel names for ${nChannels} channels`);
      meta.create_dataset({name: CAIT_META.channelNames, data: channelNames});
    }
    for (const {group, count, labels, times, dacOutput} of spec.groups) {
      const g = this.h5.create_group(group);
      const perChunk = Math.max(1, Math.min(RECORDS_PER_H5_CHUNK, count));
      extendable(g, "event", [nChannels, count, L], "<f", [1, perChunk, L]);
      extendable(g, "hours", [count], "<d", [Math.max(1, Math.min(4096, count))]);
      if (labels) extendable(g, "labels", [nChannels, count], "<d", [1, Math.max(1, Math.min(4096, count))]);
      if (group === "testpulses") extendable(g, "testpulseamplitude", [count], "<d", [Math.max(1, Math.min(4096, count))]);
      if (times) {
        const c = [Math.max(1, Math.min(4096, count))];
        extendable(g, "time_s", [count], "<i", c);
        extendable(g, "time_mus", [count], "<i", c);
      }
      if (dacOutput) extendable(g, "dac_output", [count], "<d", [Math.max(1, Math.min(4096, count))]);
    }
  }

  private ds(group: RecordGroup, name: string): H5Dataset {
    return this.h5.get(`${group}/${name}`) as H5Dataset;
  }

  /** Writes a chunk at its `start` position within its group. */
  write(chunk: EventChunk): void {
    const {group, start, count, nChannels, recordLength} = chunk;
    const spec = this.spec.groups.find((g) => g.group === group);
    if (!spec) throw new Error(`writer has no group ${group}`);
    if (nChannels !== this.spec.channelNumbers.length || recordLength !== this.spec.layout.recordLength) {
      throw new Error(`chunk shape ${nChannels}×${recordLength} does not match the file (${this.spec.channelNumbers.length}×${this.spec.layout.recordLength})`);
    }
    if (start + count > spec.count) throw new Error(`chunk [${start}, ${start + count}) beyond ${group} size ${spec.count}`);
    const events: [number, number] = [start, start + count];
    this.ds(group, "event").write_slice([[0, nChannels], events, [0, recordLength]], chunk.samples);
    this.ds(group, "hours").write_slice([events], chunk.hours);
    if (spec.labels) {
      if (!chunk.labels) throw new Error(`chunk of ${group} has no labels`);
      this.ds(group, "labels").write_slice([[0, nChannels], events], Float64Array.from(chunk.labels));
    }
    if (group === "testpulses") {
      if (!chunk.testpulseAmplitude) throw new Error("test-pulse chunk has no testpulseAmplitude");
      this.ds(group, "testpulseamplitude").write_slice([events], chunk.testpulseAmplitude);
    }
    if (spec.times) {
      if (!chunk.time_s || !chunk.time_mus) throw new Error(`chunk of ${group} has no time_s/time_mus`);
      this.ds(group, "time_s").write_slice([events], chunk.time_s);
      this.ds(group, "time_mus").write_slice([events], chunk.time_mus);
    }
    if (spec.dacOutput) {
      if (!chunk.dacOutput) throw new Error(`chunk of ${group} has no dacOutput`);
      this.ds(group, "dac_output").write_slice([events], chunk.dacOutput);
    }
  }

  /** Writes a whole (small) array at `path` (e.g. `controlpulses/hours`), creating its group. */
  writeArray(path: string, data: Float64Array | Int32Array | BigInt64Array, shape: number[], dtype: "<d" | "<i" | "<q"): void {
    const parts = path.split("/");
    const name = parts.pop()!;
    let g: H5Group = this.h5;
    for (const p of parts) g = (g.keys().includes(p) ? g.get(p) : g.create_group(p)) as H5Group;
    g.create_dataset({name, data, shape, dtype});
  }

  close(): void {
    this.h5.close();
  }
}
