// What every importer's reader gives: the shape of the traces, what the input says about
// them, and events read by index into a cait chunk. Readers never hold more than the events
// asked for.
import type {TraceShape} from "../../lib/io/traceLayout.js";

export interface TraceSource {
  /** The input file, as errors name it. */
  file: string;
  /** "npy", "npz", "hdf5" or "text". */
  format: string;
  /** What was read in words, for provenance: the array or dataset, dtype, layout. */
  description: {[key: string]: unknown};
  shape: TraceShape;
  /** The layout used (e, c, s letters in storage order). */
  layout: string;
  /** Whether `layout` was assumed (no --layout given and the input does not say). */
  layoutAssumed: boolean;
  /** Metadata the input itself carries. */
  found: {sampleFrequency_Hz?: number; unit?: string; channelNames?: string[]};
  /** Events [start, start + count) into out[(c·count + i)·L + s]. */
  read(start: number, count: number, out: Float32Array): void;
  close(): void;
}

