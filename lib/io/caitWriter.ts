// Writing cait-layout HDF5 chunk by chunk, so that a simulation of any size never holds more
// than one chunk in memory. Datasets are created at their final size (chunked storage, one
// HDF5 chunk = 8 records of one channel) and filled with hyperslab writes.

import type {Dataset as H5Dataset, File as H5File, Group as H5Group} from "h5wasm";
import type {H5Module} from "./caitFile.js";
import type {EventChunk, RecordGroup, RecordLayout} from "../types.js";

export interface GroupSpec {
  group: RecordGroup;
  /** Number of events the group will hold. */
  count: number;
  /** Write `labels` (channel × event, float64 like cait's simulated files). */
  labels?: boolean;
}

export interface WriterSpec {
  layout: RecordLayout;
  /** Channel numbers, written as cait's root attributes Ch_1, Ch_2, … */
  channelNumbers: number[];
  groups: GroupSpec[];
  /** Provenance written as root attributes (strings). */
  attributes?: {[name: string]: string};
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
    for (const {group, count, labels} of spec.groups) {
      const g = this.h5.create_group(group);
      const perChunk = Math.max(1, Math.min(RECORDS_PER_H5_CHUNK, count));
      extendable(g, "event", [nChannels, count, L], "<f", [1, perChunk, L]);
      extendable(g, "hours", [count], "<d", [Math.max(1, Math.min(4096, count))]);
      if (labels) extendable(g, "labels", [nChannels, count], "<d", [1, Math.max(1, Math.min(4096, count))]);
      if (group === "testpulses") extendable(g, "testpulseamplitude", [count], "<d", [Math.max(1, Math.min(4096, count))]);
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
  }

  close(): void {
    this.h5.close();
  }
}
