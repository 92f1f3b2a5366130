// Features of a cait-layout HDF5 file → Parquet, streamed: records are read in chunks of
// events, reduced to one feature row per (event, channel), and written in row groups, so
// memory stays bounded whatever the file size. Chunks are read and reduced on worker threads
// (featurePool.ts) while this thread writes.

import {DataFileError, openCaitFile} from "./io/node.js";
import {encodeParquet, writeParquetStream, type Columns} from "./io/parquetWrite.js";
import {concatColumns} from "../lib/io/columns.js";
import {computeFeatures, featureColumnsIn, FEATURE_COLUMNS, inUnit} from "../lib/dsp/features.js";
import {assumedMetadata, metadataRecord} from "../lib/io/recordMetadata.js";
import type {Dataset} from "../lib/types.js";
import type {RecordGroup} from "../lib/types.js";
import {sourceVersion} from "./pipeline/sourceVersion.js";
import {defaultFeatureThreads, featureChunks} from "./featurePool.js";
import {fileIdentity, parquetProvenance, provenanceStamp} from "./provenance.js";

/** Source-derived version of the feature table: lib/dsp/features.ts and what it imports. */
export const featuresVersion = (): string => sourceVersion(new URL("../lib/dsp/features.ts", import.meta.url).href);

/** Parquet metadata of a feature table of `group` of `input`, stamped. */
export function featuresMetadata(input: string, group: RecordGroup, command: string, columns: readonly unknown[] = FEATURE_COLUMNS, dataset?: Dataset): {[key: string]: string} {
  const identity = fileIdentity(input);
  const version = featuresVersion();
  return parquetProvenance(provenanceStamp({stages: {features: version}, parameters: {group}, inputs: {file: identity}, command}), {
    "pulsebook.table": "features",
    "pulsebook.format_version": version,
    "pulsebook.input": JSON.stringify(identity),
    "pulsebook.group": group,
    ...(dataset ? {
      "pulsebook.layout": JSON.stringify(dataset.layout),
      "pulsebook.channels": JSON.stringify(dataset.channels),
      "pulsebook.unit": dataset.unit,
      "pulsebook.metadata": JSON.stringify(metadataRecord(dataset))
    } : {}),
    "pulsebook.columns": JSON.stringify(columns)
  });
}

export interface FeaturesOptions {
  group?: RecordGroup;
  /** Events read per HDF5 access (memory ≈ chunkEvents × channels × recordLength × 4 B). */
  chunkEvents?: number;
  /** Rows per Parquet batch. */
  batchRows?: number;
  /** Called after every chunk with the number of events done. */
  onProgress?: (done: number, total: number) => void;
  /** The command line or loader that asked for this table, stored as provenance. */
  command?: string;
  /** Worker threads reading and computing (1: this thread); default one per core, fewer for small files. */
  threads?: number;
  /** Told once per metadata the file lacks (cait's default assumed). */
  warn?: (message: string) => void;
  /** The file's description completed by metadata given elsewhere (a run file's sampleRate_Hz, …). */
  describe?: (dataset: Dataset) => Dataset;
}

/** Writes the feature table of `group` in `input` to `output` (Parquet). Returns rows and events. */
export async function writeFeatures(input: string, output: string, options: FeaturesOptions = {}): Promise<{rows: number; events: number}> {
  const {group = "events", chunkEvents = 64, batchRows = 65_536, onProgress} = options;
  const file = await openCaitFile(input);
  try {
    if (options.describe) file.describeAs(options.describe(file.dataset));
    const total = file.count(group);
    const {layout, unit} = file.dataset;
    for (const w of assumedMetadata(file.dataset, false)) options.warn?.(w);
    if (total === 0) throw new DataFileError(input, "group holds no events", `${group}/event`);
    async function* batches(): AsyncGenerator<Columns> {
      let pending: Columns[] = [];
      let pendingRows = 0;
      const threads = options.threads ?? defaultFeatureThreads(total, chunkEvents);
      for await (const chunk of featureChunks(input, file, group, chunkEvents, threads)) {
        const cols = inUnit(chunk.columns, unit);
        pending.push(cols);
        pendingRows += cols.event.length;
        onProgress?.(chunk.start + chunk.count, total);
        if (pendingRows >= batchRows) {
          yield concatColumns(pending);
          pending = [];
          pendingRows = 0;
        }
      }
      if (pending.length) yield concatColumns(pending);
    }
    const metadata = featuresMetadata(input, group, options.command ?? "writeFeatures", featureColumnsIn(unit), file.dataset);
    const {rows} = await writeParquetStream(output, batches(), metadata);
    return {rows, events: total};
  } finally {
    file.close();
  }
}

/**
 * Feature table of all test pulses of `input` with the TPA the pulser was set to (the feature
 * table does not carry it; it is read from `testpulses/testpulseamplitude`), as Parquet bytes.
 */
export async function testpulseFeatures(input: string, command: string, describe?: (dataset: Dataset) => Dataset): Promise<Uint8Array> {
  const file = await openCaitFile(input);
  try {
    if (describe) file.describeAs(describe(file.dataset));
    const chunk = file.readChunk("testpulses", 0, file.count("testpulses"));
    if (!chunk.testpulseAmplitude) throw new DataFileError(input, "is missing", "testpulses/testpulseamplitude");
    const {rows, ...features} = computeFeatures(chunk, file.dataset.layout);
    // Rows are event-major: row = i·nChannels + c, so the TPA of row r is that of event ⌊r/nch⌋.
    const tpa = Float64Array.from({length: rows}, (_, r) => chunk.testpulseAmplitude![Math.floor(r / chunk.nChannels)]);
    const {unit} = file.dataset;
    const columns = [...featureColumnsIn(unit), {name: "tpa", unit: "TPA", dtype: "float64", description: "Test-pulse amplitude the pulser was set to (testpulses/testpulseamplitude)"}];
    return encodeParquet({...inUnit(features as Columns, unit), tpa}, featuresMetadata(input, "testpulses", command, columns, file.dataset));
  } finally {
    file.close();
  }
}
